"""Barriers: recorded and followed up by the care team, asked for after a family cancellation,
raised as a question for the clinician by repeated misses; a guardian sees only the status of
the barriers they reported, never the clinician's notes."""

import datetime

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement.barriers import services
from engagement.barriers.models import Barrier
from engagement.barriers.selectors import (
    RECENT_MISSES_WINDOW,
    REPEATED_MISSES,
    barrier_question,
    barriers_for_family,
)
from goals.services import goal_create
from practice.access import policy_for
from tests.factories import (
    AgreementFactory,
    ChildFactory,
    GuardianshipFactory,
    ParentFactory,
)

NOTES = "Clinician barrier note QQQ7"
ACTIONS = "Offered a telehealth slot ZZZ9"
QUESTION = "missed sessions recently: is something getting in the way?"


def record(cast, **fields):
    values = {"kind": "transport", "notes": NOTES, "actions_taken": ACTIONS}
    values.update(fields)
    return services.barrier_record(child=cast.child, by=cast.clinician, **values)


def page(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


# --- Recording and following up ----------------------------------------------------------------


def test_clinician_records_and_follows_up_a_barrier_on_the_child_page(client, cast):
    client.force_login(cast.clinician)
    child_page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "Barriers" in child_page and reverse("barrier_add", args=[cast.child.pk]) in child_page
    response = client.post(
        reverse("barrier_add", args=[cast.child.pk]),
        {
            "kind": "childcare",
            "reporter_role": "clinician",
            "status": "open",
            "notes": NOTES,
            "actions_taken": "",
        },
    )
    assert response.status_code == 302
    barrier = Barrier.objects.get()
    assert (barrier.kind, barrier.reporter_role, barrier.reported_by) == (
        "childcare",
        "clinician",
        cast.clinician,
    )
    child_page = page(client, cast.clinician, "child_detail", cast.child.pk)
    assert "Childcare" in child_page and NOTES in child_page
    assert "Raised by the clinician" in child_page
    # Follow-up: what was done, and the status
    response = client.post(
        reverse("barrier_edit", args=[barrier.pk]),
        {
            "kind": "childcare",
            "reporter_role": "clinician",
            "status": "resolved",
            "notes": NOTES,
            "actions_taken": ACTIONS,
        },
    )
    assert response.status_code == 302
    barrier.refresh_from_db()
    assert barrier.status == "resolved" and barrier.actions_taken == ACTIONS


def test_only_the_care_team_records_or_edits_barriers(client, cast):
    barrier = record(cast)
    for user in [cast.outsider, cast.parent, cast.admin, cast.barred]:
        client.force_login(user)
        assert client.get(reverse("barrier_add", args=[cast.child.pk])).status_code == 404
        assert client.get(reverse("barrier_edit", args=[barrier.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.barrier_record(child=cast.child, by=cast.outsider, kind="cost")
    with pytest.raises(PermissionDenied):
        services.barrier_record(child=cast.child, by=cast.barred, kind="cost")
    with pytest.raises(PermissionDenied):  # a guardian reports; the notes are the clinician's
        services.barrier_record(child=cast.child, by=cast.parent, kind="cost", notes="x")


def test_the_office_sees_no_barriers_on_the_child_page(client, cast):
    record(cast)
    office_page = page(client, cast.admin, "child_detail", cast.child.pk)
    assert NOTES not in office_page and ACTIONS not in office_page


def test_the_admin_shows_no_barrier_notes(cast):
    barrier = record(cast)
    model_admin = admin.site._registry[Barrier]
    request = RequestFactory().get("/")
    request.user = cast.admin
    shown = set(model_admin.get_fields(request, barrier)) | set(model_admin.list_display)
    assert not shown & {"notes", "actions_taken"}


# --- What a guardian sees ---------------------------------------------------------------------


def test_barrier_notes_never_reach_any_portal_page(client, cast, past_session):
    # Given barriers the clinician recorded and one the parent reported, all with notes
    goal = goal_create(
        child=cast.child,
        clinician=cast.clinician,
        title="G",
        domain="social",
        level_minus_2="a",
        level_minus_1="b",
        level_0="c",
        level_plus_1="d",
        level_plus_2="e",
    )
    record(cast, session=past_session(status="cancelled_family"))
    own = services.barrier_record(child=cast.child, by=cast.parent, kind="cost")
    services.barrier_update(
        barrier=own,
        by=cast.clinician,
        kind="cost",
        reporter_role="family",
        status="in_progress",
        notes=NOTES,
        actions_taken=ACTIONS,
    )
    # Then no portal page shows the notes or the actions
    for name, args in [
        ("portal_home", []),
        ("portal_child", [cast.child.pk]),
        ("goal_detail", [goal.pk]),
    ]:
        rendered = page(client, cast.parent, name, *args)
        assert NOTES not in rendered and ACTIONS not in rendered


def test_a_guardian_sees_only_the_status_of_barriers_they_reported(cast):
    # Given a second guardian with full access, and barriers from everyone
    second = ParentFactory(full_name="Sam Rowe")
    GuardianshipFactory(child=cast.child, guardian=second, relationship="father")
    mine = services.barrier_record(child=cast.child, by=cast.parent, kind="transport")
    services.barrier_record(child=cast.child, by=second, kind="work")
    record(cast, kind="cost")  # the clinician's, even though the family raised it
    services.barrier_update(
        barrier=mine,
        by=cast.clinician,
        kind="transport",
        reporter_role="family",
        status="in_progress",
        notes=NOTES,
        actions_taken=ACTIONS,
    )
    # When each guardian asks
    seen = barriers_for_family(policy_for(cast.parent, cast.child), cast.child, cast.parent)
    # Then the parent sees their own, with its kind and status, and nothing of the notes
    assert [(b.kind, b.status, b.status_code) for b in seen] == [
        ("Transport", "Being worked on", "in_progress")
    ]
    assert not hasattr(seen[0], "notes") and not hasattr(seen[0], "actions_taken")
    second_seen = barriers_for_family(policy_for(second, cast.child), cast.child, second)
    assert [b.kind for b in second_seen] == ["Work"]
    # No policy (access none, another family) and other viewers: nothing
    assert barriers_for_family(policy_for(cast.barred, cast.child), cast.child, cast.barred) == []
    other = policy_for(cast.other_parent, cast.child)
    assert barriers_for_family(other, cast.child, cast.other_parent) == []
    clinician_policy = policy_for(cast.clinician, cast.child)
    assert barriers_for_family(clinician_policy, cast.child, cast.clinician) == []


@pytest.mark.parametrize("level", ["full", "progress", "safety_only"])
def test_a_limited_or_any_level_guardian_still_sees_their_own_barriers(cast, level):
    AgreementFactory(
        child=cast.child, sharing_level=level, version=5, effective_date=datetime.date(2025, 1, 1)
    )
    cast.guardianship.access = "limited"
    cast.guardianship.save()
    services.barrier_record(child=cast.child, by=cast.parent, kind="childcare")
    seen = barriers_for_family(policy_for(cast.parent, cast.child), cast.child, cast.parent)
    assert [b.status for b in seen] == ["Open"]


# --- A family cancellation asks what got in the way -------------------------------------------


def log(client, cast, target, status, **extra):
    client.force_login(cast.clinician)
    data = {"status": status, "modality": "clinic", "stage": "process", **extra}
    if status == "attended":
        data.update(duration_minutes=50, child_attended="on")
    return client.post(reverse("session_log", args=[target.pk]), data)


def test_a_family_cancellation_asks_what_got_in_the_way(client, cast, past_session):
    target = past_session()
    # When the clinician logs the session as cancelled by the family
    response = log(client, cast, target, "cancelled_family")
    # Then the gentle, optional question comes next
    question = reverse("barrier_after_cancellation", args=[target.pk])
    assert response.status_code == 302 and response["Location"] == question
    asked = client.get(question).content.decode()
    assert "What got in the way?" in asked and "Optional" in asked
    assert reverse("session_detail", args=[target.pk]) in asked  # skipping is one click
    # And an answer records a barrier linked to the session, as the family's
    response = client.post(question, {"kind": "transport", "note": "The bus was cancelled"})
    assert response.status_code == 302
    barrier = Barrier.objects.get()
    assert (barrier.session, barrier.kind, barrier.reporter_role, barrier.status) == (
        target,
        "transport",
        "family",
        "open",
    )
    assert barrier.notes == "The bus was cancelled" and barrier.reported_by == cast.clinician
    # Saving the log again does not ask a second time
    response = log(client, cast, target, "cancelled_family", sign="1")
    assert response["Location"] == reverse("session_detail", args=[target.pk])


def test_the_question_follows_signing_too_and_needs_a_kind(client, cast, past_session):
    target = past_session()
    response = log(client, cast, target, "cancelled_family", sign="1")
    question = reverse("barrier_after_cancellation", args=[target.pk])
    assert response["Location"] == question
    target.refresh_from_db()
    assert target.is_signed  # the signed log can still gain a barrier: it is not the log
    response = client.post(question, {"kind": "", "note": "Typed note kept"})
    assert response.status_code == 200 and "Typed note kept" in response.content.decode()
    assert not Barrier.objects.exists()


@pytest.mark.parametrize("status", ["attended", "no_show", "cancelled_clinician"])
def test_other_outcomes_do_not_ask(client, cast, status, past_session):
    target = past_session()
    response = log(client, cast, target, status)
    assert response["Location"] == reverse("session_log", args=[target.pk])
    question = client.get(reverse("barrier_after_cancellation", args=[target.pk]))
    assert question.status_code == 302  # back to the session: nothing to ask


# --- Repeated misses raise a question for the clinician ---------------------------------------


def test_the_window_is_documented_as_constants():
    assert REPEATED_MISSES == 2 and RECENT_MISSES_WINDOW == datetime.timedelta(weeks=8)


def test_repeated_misses_prompt_the_clinician_and_never_the_family(client, cast, past_session):
    # Given two missed sessions in the last eight weeks
    past_session(days_ago=10, status="no_show")
    past_session(days_ago=30, status="cancelled_family")
    # Then the caseload and the child page ask the clinician
    caseload = page(client, cast.clinician, "caseload")
    assert "Needs your attention" in caseload and f"2 {QUESTION}" in caseload
    child_page = page(client, cast.clinician, "child_detail", cast.child.pk)
    assert f"2 {QUESTION}" in child_page
    # And the allowance stays without penalty wording
    assert "Missed or cancelled by the family this year" in child_page
    for word in ["penalty", "penalise", "warning", "exceeded", "too many"]:
        assert word not in child_page.lower()
    # And nothing about it reaches the family
    for name, args in [("portal_home", []), ("portal_child", [cast.child.pk])]:
        rendered = page(client, cast.parent, name, *args)
        assert "getting in the way" not in rendered and "missed sessions recently" not in rendered


@pytest.mark.parametrize(
    "misses",
    [
        [(10, "no_show")],  # one is expected
        [(10, "no_show"), (70, "cancelled_family")],  # the other is older than eight weeks
        [(10, "no_show"), (20, "cancelled_clinician")],  # the clinician's cancellation
        [(10, "attended"), (20, "scheduled")],
    ],
)
def test_single_or_old_misses_raise_no_question(client, cast, misses, past_session):
    for days_ago, status in misses:
        past_session(days_ago=days_ago, status=status)
    assert barrier_question(cast.child, timezone.now()) == 0
    assert QUESTION not in page(client, cast.clinician, "caseload")
    assert QUESTION not in page(client, cast.clinician, "child_detail", cast.child.pk)


def test_recording_a_barrier_answers_the_question(client, cast, past_session):
    past_session(days_ago=10, status="no_show")
    past_session(days_ago=30, status="no_show")
    assert barrier_question(cast.child, timezone.now()) == 2
    record(cast)
    assert barrier_question(cast.child, timezone.now()) == 0
    assert QUESTION not in page(client, cast.clinician, "caseload")


# --- Query bounds ---------------------------------------------------------------------------


@pytest.fixture
def _fill(past_session):
    def make(cast, count):
        for number in range(count):
            missed = past_session(days_ago=number + 2, status="cancelled_family")
            record(cast, session=missed, kind=["cost", "work", "transport"][number % 3])
        for _ in range(count):
            child = ChildFactory(clinician=cast.clinician)
            GuardianshipFactory(child=child, guardian=ParentFactory())
            past_session(child=child, days_ago=3, status="no_show")
            past_session(child=child, days_ago=5, status="no_show")

    return make


def _queries(client, url):
    client.get(url)
    cache.clear()  # the page's whole work, not a cached fragment
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("count", [2, 12])
def test_barrier_pages_run_bounded_queries(
    client, cast, count, django_assert_max_num_queries, _fill
):
    _fill(cast, count)
    client.force_login(cast.clinician)
    for url in [reverse("child_detail", args=[cast.child.pk]), reverse("caseload")]:
        client.get(url)
        # + the child's message threads (1).
        with django_assert_max_num_queries(33):
            response = client.get(url)
        assert response.status_code == 200
    assert response.content.decode().count(QUESTION) == count  # every other child asks


def test_barriers_cost_the_same_queries_at_two_sizes(client, cast, _fill):
    _fill(cast, 2)
    client.force_login(cast.clinician)
    urls = [reverse("child_detail", args=[cast.child.pk]), reverse("caseload")]
    small = [_queries(client, url) for url in urls]
    _fill(cast, 10)
    assert [_queries(client, url) for url in urls] == small
