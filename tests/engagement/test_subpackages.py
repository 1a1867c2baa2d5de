"""The sub-package registry (engagement/subpackages.py) wires in every sub-package's models,
admin, urls, tasks and receivers: what was listed by hand before it is all still found, and a
module a sub-package has is never missed."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

import engagement.models
from engagement import subpackages
from practice.celery import app as celery_app

ENGAGEMENT = Path(subpackages.__file__).parent

# Every task name registered before the registry (and the beat's and queued tasks use them).
TASKS_BEFORE = [
    "engagement.notices.tasks.session_reminders_tick",
    "engagement.updates.tasks.progress_updates_send",
    "engagement.updates.tasks.progress_updates_tick",
    "practice.outbox.tasks.deliver_email",
    "practice.outbox.tasks.deliver_emails",
    "practice.outbox.tasks.outbox_sweep",
    "practice.tasks.heartbeat",
    "practice.tasks.password_reset_send_task",
]

# Every URL name the fourteen hand-written includes gave before.
URL_NAMES_BEFORE = [
    "about_you",
    "agreement_acknowledge",
    "barrier_add",
    "barrier_after_cancellation",
    "barrier_edit",
    "check_in",
    "child_engagement",
    "child_record",
    "discharge",
    "engagement_agreement_acknowledge",
    "engagement_agreement_record",
    "engagement_report",
    "family_child_export",
    "family_child_export_json",
    "family_export",
    "family_export_json",
    "home_practice_assign",
    "home_practice_end",
    "message_thread",
    "message_thread_start",
    "observation_reply",
    "observation_share",
    "portal_messages",
    "portal_reschedule_ask",
    "portal_session_cancel",
    "progress_preview",
    "reschedule_answer",
    "session_autosave",
    "session_detail",
    "session_log",
    "session_reschedule",
    "session_schedule",
    "stage_change",
    "update_preferences",
    "update_unsubscribe",
]

# Every model the engagement app had before, and the admin each one had (if any).
MODELS_BEFORE = [
    "Addendum",
    "Barrier",
    "CheckIn",
    "DischargeSummary",
    "EngagementAcknowledgement",
    "EngagementAgreement",
    "HomeObservation",
    "HomePractice",
    "Message",
    "MessageThread",
    "ObservationReply",
    "ParentProfile",
    "ProgressUpdate",
    "RescheduleRequest",
    "SessionLog",
    "SessionSeries",
    "StageChange",
    "UpdatePreference",
]
ADMINS_BEFORE = {
    name: f"{name}Admin"
    for name in MODELS_BEFORE
    if name not in {"DischargeSummary", "StageChange"}
}


def _on_disk(part: str) -> set[str]:
    """Sub-packages that have `part`.py, read from the file system, not from the registry."""
    return {
        path.parent.name
        for path in ENGAGEMENT.glob(f"*/{part}.py")
        if path.parent.name not in subpackages.NOT_SUBPACKAGES
    }


def test_every_package_under_engagement_is_a_subpackage():
    on_disk = {path.parent.name for path in ENGAGEMENT.glob("*/__init__.py")}
    assert set(subpackages.names()) == on_disk - {"management", "migrations"}
    assert {"visits", "messaging", "notices", "updates", "confidentiality"} <= on_disk


@pytest.mark.parametrize("part", subpackages.PARTS)
def test_the_registry_finds_every_subpackage_module(part):
    found = {module.__name__.split(".")[1] for module in subpackages.modules(part)}
    assert found == _on_disk(part)


def test_an_unknown_part_is_refused():
    with pytest.raises(ValueError):
        subpackages.modules("views")


def test_every_task_registered_before_still_resolves():
    celery_app.loader.import_default_modules()
    for name in TASKS_BEFORE:
        assert name in celery_app.tasks, name
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks, entry["task"]


def test_every_url_name_still_resolves():
    patterns = {
        pattern.name for module in subpackages.modules("urls") for pattern in module.urlpatterns
    }
    assert set(URL_NAMES_BEFORE) <= patterns
    assert reverse("update_preferences") == "/portal/updates/"
    assert reverse("progress_preview", args=[1, 2]) == "/children/1/guardians/2/progress-email/"
    assert reverse("agreement_acknowledge", args=[3]) == (
        "/portal/children/3/agreement/acknowledge/"
    )


def test_every_model_is_registered_and_named_in_engagement_models():
    models = {model.__name__: model for model in apps.get_app_config("engagement").get_models()}
    assert set(MODELS_BEFORE) <= set(models)
    for name, model in models.items():
        assert getattr(engagement.models, name) is model


def test_every_admin_is_registered():
    registered = {
        model.__name__: type(model_admin).__name__
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "engagement"
    }
    assert ADMINS_BEFORE.items() <= registered.items()
