"""The communication boundaries page (/practice/communication/): practice admins read and change
the CommunicationPolicy; each rule gets an error on its field with the typed values kept and
nothing saved; every change is audited with its before and after, and the committed change is
signalled with the changed fields."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from practice.models import AuditEvent, CommunicationPolicy
from practice.policy import services
from practice.policy.signals import communication_policy_changed
from tests.factories import ClinicianFactory

URL = reverse("communication_policy")
ACTION = "communication_policy.update"


@pytest.fixture
def communication(cast) -> CommunicationPolicy:
    return services.communication_policy_for(cast.practice)


def valid(**overrides) -> dict:
    data = {
        "allowed_channels": ["portal", "email"],
        "response_time_business_days": "2",
        "daily_message_limit": "3",
        "quiet_hours_start": "20:00",
        "quiet_hours_end": "08:00",
        "quiet_on_weekends": "on",
        "allowed_cadences": ["weekly", "fortnightly", "monthly", "off"],
        "default_cadence": "fortnightly",
        "email_detail": "full",
        "portal_guidance": "For questions about therapy and scheduling.",
        "emergency_notice": "If your child is in danger, call 999.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def signals():
    received = []

    def receiver(sender, communication, changed, **kwargs):
        received.append((sender, communication.pk, changed))

    communication_policy_changed.connect(receiver)
    yield received
    communication_policy_changed.disconnect(receiver)


def save_defaults(communication) -> None:
    """Start from the values `valid()` posts, so a test changes only what it means to."""
    for name, value in {
        "allowed_channels": ["portal", "email"],
        "allowed_cadences": ["weekly", "fortnightly", "monthly", "off"],
        "portal_guidance": "For questions about therapy and scheduling.",
        "emergency_notice": "If your child is in danger, call 999.",
        "response_time_business_days": 2,
        "daily_message_limit": 3,
    }.items():
        setattr(communication, name, value)
    communication.save()


# --- Who may open it --------------------------------------------------------------------


def test_admin_sees_the_policy_in_the_practice_timezone(client, cast, communication):
    client.force_login(cast.admin)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert cast.practice.timezone in html
    assert 'value="20:00"' in html and 'value="08:00"' in html
    assert "Notice only" in html
    assert "Communication boundaries" in html


def test_clinician_who_runs_the_practice_may_open_it(client, db, communication):
    client.force_login(ClinicianFactory(is_practice_admin=True))
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("who", ["clinician", "outsider", "parent", "barred"])
def test_staff_who_do_not_run_the_practice_and_parents_get_404(client, cast, communication, who):
    user = getattr(cast, who)
    user.is_practice_admin = False
    user.save()
    client.force_login(user)
    assert client.get(URL).status_code == 404
    assert client.post(URL, valid(quiet_hours_start="21:00")).status_code == 404
    communication.refresh_from_db()
    assert communication.quiet_hours_start == datetime.time(20, 0)


def test_signed_out_visitor_is_sent_to_sign_in(client, cast, communication):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_settings_page_links_to_it(client, cast, communication):
    client.force_login(cast.admin)
    assert URL in client.get(reverse("practice_settings")).content.decode()


# --- Saving -----------------------------------------------------------------------------


def test_admin_changes_the_policy_and_every_change_is_audited_with_before_and_after(
    client, cast, communication, signals, django_capture_on_commit_callbacks
):
    save_defaults(communication)
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            valid(
                quiet_hours_start="21:30",
                quiet_on_weekends=None,
                allowed_cadences=["weekly", "monthly"],
                default_cadence="monthly",
                email_detail="notice_only",
                portal_guidance="Only for questions about therapy.",
            ),
            follow=True,
        )
    assert response.status_code == 200
    communication.refresh_from_db()
    assert communication.quiet_hours_start == datetime.time(21, 30)
    assert communication.quiet_on_weekends is False
    assert communication.allowed_cadences == ["weekly", "monthly"]
    assert (communication.default_cadence, communication.email_detail) == ("monthly", "notice_only")
    assert communication.portal_guidance == "Only for questions about therapy."

    event = AuditEvent.objects.get(action=ACTION)
    assert event.actor == cast.admin
    assert event.target_id == str(communication.pk)
    changes = event.details["changes"]
    assert changes["quiet_hours_start"] == {"before": "20:00", "after": "21:30"}
    assert changes["quiet_on_weekends"] == {"before": True, "after": False}
    assert changes["allowed_cadences"]["after"] == ["weekly", "monthly"]
    assert changes["default_cadence"] == {"before": "fortnightly", "after": "monthly"}
    assert changes["portal_guidance"]["after"] == "Only for questions about therapy."
    assert set(changes) == set(event.details["fields"])
    assert "quiet_hours_end" not in changes

    expected = {
        "quiet_hours_start",
        "quiet_on_weekends",
        "allowed_cadences",
        "default_cadence",
        "email_detail",
        "portal_guidance",
    }
    assert signals == [(CommunicationPolicy, communication.pk, expected)]

    # The page says what was saved and shows the change with its before and after.
    html = response.content.decode()
    assert "The communication boundaries were saved" in html
    assert "Quiet hours start" in html and "21:30" in html
    assert "Only for questions about therapy." in html


def test_saving_the_same_values_changes_nothing(
    client, cast, communication, signals, django_capture_on_commit_callbacks
):
    save_defaults(communication)
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid(), follow=True)
    assert "Nothing changed" in response.content.decode()
    assert not AuditEvent.objects.filter(action=ACTION).exists()
    assert signals == []


def test_the_signal_waits_for_the_commit(
    cast, communication, signals, django_capture_on_commit_callbacks
):
    save_defaults(communication)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.communication_policy_update(
            communication=communication, user=cast.admin, daily_message_limit=5
        )
    assert signals == []
    for callback in callbacks:
        callback()
    assert signals == [(CommunicationPolicy, communication.pk, {"daily_message_limit"})]
    assert communication.daily_message_limit == 5


def test_the_parent_messages_page_shows_the_new_guidance(client, cast, communication):
    client.force_login(cast.admin)
    client.post(URL, valid(portal_guidance="New guidance GGG7"))
    client.force_login(cast.parent)
    assert "New guidance GGG7" in client.get(reverse("portal_messages")).content.decode()


# --- Validation: the error on its field, the typed values kept, nothing saved ------------

ERRORS = [
    pytest.param(
        {"quiet_hours_start": "22:00", "quiet_hours_end": "22:00"},
        "quiet_hours_end",
        "same time",
        id="quiet-hours-start-equals-end",
    ),
    pytest.param(
        {"quiet_hours_start": "18:00", "quiet_hours_end": "16:00"},
        "quiet_hours_end",
        "leave only 2 hours",
        id="quiet-hours-leave-too-little-time",
    ),
    pytest.param(
        {"allowed_cadences": ["weekly", "off"], "default_cadence": "monthly"},
        "default_cadence",
        "must be one of the allowed cadences",
        id="default-cadence-not-allowed",
    ),
    pytest.param(
        {"allowed_cadences": None},
        "allowed_cadences",
        "at least one cadence",
        id="no-cadence-allowed",
    ),
    pytest.param(
        {"allowed_channels": ["email"]},
        "allowed_channels",
        "Portal messages must stay allowed",
        id="portal-not-allowed",
    ),
    pytest.param(
        {"response_time_business_days": "0"},
        "response_time_business_days",
        "greater than or equal to 1",
        id="response-time-zero",
    ),
    pytest.param(
        {"response_time_business_days": "21"},
        "response_time_business_days",
        "less than or equal to 20",
        id="response-time-too-long",
    ),
    pytest.param(
        {"daily_message_limit": "0"},
        "daily_message_limit",
        "greater than or equal to 1",
        id="daily-limit-zero",
    ),
    pytest.param(
        {"daily_message_limit": "51"},
        "daily_message_limit",
        "less than or equal to 50",
        id="daily-limit-too-high",
    ),
    pytest.param(
        {"portal_guidance": "   "},
        "portal_guidance",
        "what the portal is and is not for",
        id="empty-guidance",
    ),
    pytest.param(
        {"emergency_notice": ""},
        "emergency_notice",
        "in an emergency",
        id="empty-emergency-notice",
    ),
]


@pytest.mark.parametrize("overrides, field, message", ERRORS)
def test_a_broken_rule_shows_on_its_field_keeps_the_typed_values_and_saves_nothing(
    client,
    cast,
    communication,
    signals,
    django_capture_on_commit_callbacks,
    overrides,
    field,
    message,
):
    save_defaults(communication)
    before = CommunicationPolicy.objects.values().get(pk=communication.pk)
    client.force_login(cast.admin)
    typed = "Typed guidance TTT1" if field != "portal_guidance" else overrides["portal_guidance"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, valid(**({"daily_message_limit": "7", "portal_guidance": typed} | overrides))
        )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    if field != "portal_guidance":
        assert "Typed guidance TTT1" in html
    if field != "daily_message_limit":
        assert 'value="7"' in html
    assert CommunicationPolicy.objects.values().get(pk=communication.pk) == before
    assert not AuditEvent.objects.filter(action=ACTION).exists()
    assert signals == []


def test_several_broken_rules_show_together(client, cast, communication):
    client.force_login(cast.admin)
    response = client.post(
        URL,
        valid(
            quiet_hours_start="07:00",
            quiet_hours_end="07:00",
            daily_message_limit="0",
            default_cadence="weekly",
            allowed_cadences=["monthly"],
            emergency_notice="",
        ),
    )
    errors = response.context["form"].errors
    assert set(errors) == {
        "quiet_hours_end",
        "daily_message_limit",
        "default_cadence",
        "emergency_notice",
    }


def test_quiet_hours_across_midnight_that_leave_four_hours_are_allowed(client, cast, communication):
    client.force_login(cast.admin)
    response = client.post(URL, valid(quiet_hours_start="18:00", quiet_hours_end="14:00"))
    assert response.status_code == 302
    communication.refresh_from_db()
    assert communication.quiet_hours_end == datetime.time(14, 0)


def test_the_service_refuses_a_broken_policy_without_the_form(cast, communication):
    with pytest.raises(ValidationError) as error:
        services.communication_policy_update(
            communication=communication,
            user=cast.admin,
            quiet_hours_start=datetime.time(9, 0),
            quiet_hours_end=datetime.time(9, 0),
        )
    assert "quiet_hours_end" in error.value.message_dict
    communication.refresh_from_db()
    assert communication.quiet_hours_start == datetime.time(20, 0)
    assert not AuditEvent.objects.filter(action=ACTION).exists()


def test_the_service_accepts_only_the_policy_fields(cast, communication):
    with pytest.raises(TypeError):
        services.communication_policy_update(
            communication=communication, user=cast.admin, practice=None
        )


@pytest.mark.parametrize(
    "start, end, hours",
    [("20:00", "08:00", 12), ("09:00", "17:00", 16), ("22:00", "06:30", 15.5)],
)
def test_sending_hours_count_the_time_outside_quiet_hours(start, end, hours):
    def parse(text):
        return datetime.time.fromisoformat(text)

    assert services.sending_hours(parse(start), parse(end)) == hours
