"""A parent's "Email updates" page, the one-click unsubscribe link, and what schedules the next
progress email (first login, a change of choices, a change of the practice's policy)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.updates.models import UpdatePreference
from engagement.updates.schedule import preference_for
from engagement.updates.unsubscribe import unsubscribe_headers, unsubscribe_token, unsubscribe_url
from practice.models import AuditEvent, CommunicationPolicy
from practice.policy.services import communication_policy_for
from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db


def _unsubscribe_path(parent):
    return reverse("update_unsubscribe", args=[unsubscribe_token(parent)])


def test_unsubscribe_url_is_absolute_and_signed(cast):
    url = unsubscribe_url(cast.parent)
    assert url.startswith("http://testserver/updates/unsubscribe/")
    assert url != unsubscribe_url(cast.other_parent)


def test_unsubscribe_headers_follow_rfc_8058(cast):
    headers = unsubscribe_headers(cast.parent)
    assert headers == {
        "List-Unsubscribe": f"<{unsubscribe_url(cast.parent)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_unsubscribe_get_changes_nothing(client, cast):
    pref = preference_for(cast.parent)
    pref.next_update_at = timezone.now() + datetime.timedelta(days=3)
    pref.save()

    response = client.get(_unsubscribe_path(cast.parent))

    assert response.status_code == 200
    assert b"Stop progress emails" in response.content
    pref.refresh_from_db()
    assert pref.unsubscribed_at is None and pref.cadence != "off" and pref.next_update_at


def test_unsubscribe_post_works_without_login_or_csrf(cast):
    from django.test import Client

    pref = preference_for(cast.parent)
    pref.next_update_at = timezone.now() + datetime.timedelta(days=3)
    pref.save()

    response = Client(enforce_csrf_checks=True).post(
        _unsubscribe_path(cast.parent), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert b"You will not get progress emails" in response.content
    pref.refresh_from_db()
    assert pref.cadence == "off" and pref.unsubscribed_at and pref.next_update_at is None
    assert AuditEvent.objects.filter(action="update_preference.unsubscribe").count() == 1


def test_tampered_token_is_a_plain_400(client, cast):
    token = unsubscribe_token(cast.parent)
    other_id = str(cast.other_parent.pk)
    forged = other_id + token[token.index(":") :]

    for bad in (forged, "nonsense", token + "x"):
        path = reverse("update_unsubscribe", args=[bad])
        assert client.get(path).status_code == 400
        assert client.post(path).status_code == 400
    assert not UpdatePreference.objects.filter(unsubscribed_at__isnull=False).exists()


# --- the Email updates page ------------------------------------------------------------------


def _signed_in(client, parent):
    client.force_login(parent)  # a login: schedules the first update
    return UpdatePreference.objects.get(parent=parent)


def _choices(**fields):
    data = {"cadence": "weekly", "weekday": "4", "hour": "17"}
    data.update(fields)
    return data


def test_login_creates_the_preference_and_schedules_the_first_update(client, cast):
    before = timezone.now()
    pref = _signed_in(client, cast.parent)
    assert pref.cadence == communication_policy_for().default_cadence
    assert pref.first_login_at >= before
    assert pref.next_update_at > before
    # A later login leaves the schedule alone.
    client.logout()
    scheduled = pref.next_update_at
    assert _signed_in(client, cast.parent).next_update_at == scheduled


def test_staff_logins_create_no_preference(client, cast):
    client.force_login(cast.clinician)
    client.force_login(cast.admin)
    assert not UpdatePreference.objects.exists()


def test_page_shows_choices_and_when_the_next_update_is_due(client, cast):
    pref = _signed_in(client, cast.parent)
    response = client.get(reverse("update_preferences"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Email updates" in page
    assert "Europe/London" in page
    local = timezone.localtime(pref.next_update_at, cast.practice.tz)
    assert local.strftime("%H:%M") in page and f"{local.day} {local:%B %Y}" in page
    assert "Every four weeks" in page  # each cadence explained in plain words


def test_only_the_cadences_the_policy_allows_are_offered(client, cast):
    CommunicationPolicy.objects.filter(practice=cast.practice).update(
        allowed_cadences=["fortnightly", "monthly"], default_cadence="fortnightly"
    )
    _signed_in(client, cast.parent)
    page = client.get(reverse("update_preferences")).content.decode()
    assert 'value="fortnightly"' in page and 'value="monthly"' in page
    assert 'value="weekly"' not in page
    response = client.post(reverse("update_preferences"), _choices(cadence="weekly"))
    assert response.status_code == 200
    assert UpdatePreference.objects.get(parent=cast.parent).cadence == "fortnightly"


def test_saving_changes_the_cadence_reschedules_and_audits(client, cast):
    _signed_in(client, cast.parent)
    response = client.post(
        reverse("update_preferences"),
        _choices(cadence="monthly", weekday="1", hour="9", no_contact_days=["5", "6"]),
    )
    assert response.status_code == 302
    pref = UpdatePreference.objects.get(parent=cast.parent)
    assert (pref.cadence, pref.weekday, pref.hour, pref.no_contact_days) == (
        "monthly",
        1,
        9,
        [5, 6],
    )
    local = timezone.localtime(pref.next_update_at, cast.practice.tz)
    assert (local.weekday(), local.hour, local.minute) == (1, 9, 0)
    event = AuditEvent.objects.get(action="update_preference.set")
    assert event.actor == cast.parent
    assert set(event.details["fields"]) >= {"cadence", "weekday", "hour", "no_contact_days"}
    page = client.get(reverse("update_preferences")).content.decode()
    assert f"{local.day} {local:%B %Y}, 09:00" in page


def test_next_update_counts_from_the_end_of_the_last_update(client, cast):
    _signed_in(client, cast.parent)
    last_end = timezone.now() + datetime.timedelta(days=2)  # a period that ended "later"
    ProgressUpdateFactory(parent=cast.parent, period_start=timezone.now(), period_end=last_end)
    client.post(reverse("update_preferences"), _choices(cadence="weekly"))
    pref = UpdatePreference.objects.get(parent=cast.parent)
    assert pref.next_update_at - last_end > datetime.timedelta(days=4)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"no_contact_start": "09:00", "no_contact_end": "09:00"}, "no_contact_end", "differ"),
        ({"no_contact_start": "09:00"}, "no_contact_end", "both times"),
        ({"hour": "25"}, "hour", "valid choice"),
        ({"cadence": "daily"}, "cadence", "valid choice"),
        ({"no_contact_days": ["9"]}, "no_contact_days", "valid choice"),
    ],
)
def test_invalid_choices_are_refused_and_typed_values_kept(client, cast, fields, field, message):
    pref = _signed_in(client, cast.parent)
    data = _choices(cadence="monthly", weekday="2")
    data.update(fields)
    response = client.post(reverse("update_preferences"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert form["cadence"].value() == data["cadence"]
    assert form["weekday"].value() == "2"
    if data["cadence"] == "monthly":
        assert 'value="monthly" id="id_cadence_2" checked' in page
    if "no_contact_start" in fields:
        assert 'value="09:00"' in page
    assert UpdatePreference.objects.get(parent=cast.parent).cadence == pref.cadence


def test_times_that_leave_no_minute_in_the_week_are_refused(client, cast):
    _signed_in(client, cast.parent)
    response = client.post(
        reverse("update_preferences"),
        _choices(no_contact_start="07:00", no_contact_end="21:00"),  # with quiet 20:00-08:00
    )
    assert response.status_code == 200
    assert "leave no time in the week" in response.content.decode()


def test_paused_and_off_say_why_no_update_is_due(client, cast):
    _signed_in(client, cast.parent)
    client.post(reverse("update_preferences"), _choices(paused="on"))
    pref = UpdatePreference.objects.get(parent=cast.parent)
    assert pref.paused and pref.next_update_at is None
    assert "paused, so none is due" in client.get(reverse("update_preferences")).content.decode()
    client.post(reverse("update_preferences"), _choices(cadence="off"))
    page = client.get(reverse("update_preferences")).content.decode()
    assert "not to get progress emails, so none is due" in page


def test_unsubscribe_is_reversible_in_the_portal(client, cast):
    _signed_in(client, cast.parent)
    client.post(_unsubscribe_path(cast.parent))
    page = client.get(reverse("update_preferences")).content.decode()
    assert "You unsubscribed from progress emails" in page

    client.post(reverse("update_preferences"), _choices(cadence="fortnightly"))

    pref = UpdatePreference.objects.get(parent=cast.parent)
    assert pref.unsubscribed_at is None and pref.cadence == "fortnightly"
    assert pref.next_update_at is not None
    assert AuditEvent.objects.get(action="update_preference.set").details["resubscribed"]


def test_unsubscribe_page_links_back_to_the_portal(client, cast):
    response = client.post(_unsubscribe_path(cast.parent))
    assert reverse("update_preferences").encode() in response.content


@pytest.mark.parametrize("who", ["clinician", "outsider", "admin"])
def test_staff_get_404(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("update_preferences")).status_code == 404
    assert client.post(reverse("update_preferences"), _choices()).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, cast):
    response = client.get(reverse("update_preferences"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_another_parent_sees_and_changes_only_their_own(client, cast):
    pat = _signed_in(client, cast.parent)
    client.post(reverse("update_preferences"), _choices(cadence="monthly", hour="6"))
    client.logout()
    _signed_in(client, cast.other_parent)
    response = client.get(reverse("update_preferences"))
    assert response.context["page"].pref.parent == cast.other_parent
    assert response.context["form"]["hour"].value() != 6
    client.post(reverse("update_preferences"), _choices(cadence="weekly"))
    pat.refresh_from_db()
    assert (pat.cadence, pat.hour) == ("monthly", 6)


def test_a_guardian_without_access_sees_no_child_on_the_page(client, cast):
    _signed_in(client, cast.barred)
    page = client.get(reverse("update_preferences")).content.decode()
    assert cast.child.first_name not in page
    assert cast.other_child.first_name not in page


# --- the practice's policy changes -------------------------------------------------------------


def test_policy_change_reschedules_every_signed_in_parent(client, cast):
    from practice.policy.signals import communication_policy_changed

    pat = _signed_in(client, cast.parent)
    olga = _signed_in(client, cast.other_parent)
    never_signed_in = preference_for(cast.barred)
    for pref in (pat, olga):
        pref.cadence = "weekly"
        pref.weekday = 4
        pref.hour = 21  # inside the default quiet hours: held until 08:00
        pref.save()
    communication = communication_policy_for()
    communication.quiet_hours_start = datetime.time(22)
    communication.quiet_hours_end = datetime.time(7)
    communication.save()

    communication_policy_changed.send(
        sender=CommunicationPolicy, communication=communication, changed={"quiet_hours_start"}
    )

    for pref in (pat, olga):
        pref.refresh_from_db()
        local = timezone.localtime(pref.next_update_at, cast.practice.tz)
        assert (local.weekday(), local.hour) == (4, 21)  # no longer in quiet hours
    never_signed_in.refresh_from_db()
    assert never_signed_in.next_update_at is None


def test_policy_dropping_a_cadence_moves_parents_to_the_default(client, cast):
    from practice.policy.signals import communication_policy_changed

    pat = _signed_in(client, cast.parent)
    client.post(reverse("update_preferences"), _choices(cadence="weekly"))
    communication = communication_policy_for()
    communication.allowed_cadences = ["monthly", "off"]
    communication.default_cadence = "off"
    communication.save()

    communication_policy_changed.send(
        sender=CommunicationPolicy,
        communication=communication,
        changed={"allowed_cadences", "default_cadence"},
    )

    pat.refresh_from_db()
    assert pat.next_update_at is None


def test_a_policy_change_to_unrelated_fields_does_not_reschedule(client, cast, monkeypatch):
    from engagement.updates import services
    from practice.policy.signals import communication_policy_changed

    called = []
    monkeypatch.setattr(services, "update_preferences_reschedule", lambda **kw: called.append(kw))
    communication_policy_changed.send(
        sender=CommunicationPolicy,
        communication=communication_policy_for(),
        changed={"emergency_notice"},
    )
    assert called == []


def test_seed_demo_gives_demo_parents_preferences(db):
    import io

    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    prefs = {p.parent.email: p for p in UpdatePreference.objects.select_related("parent")}
    assert prefs["grace@demo.example"].cadence == "weekly"
    assert prefs["grace@demo.example"].next_update_at is not None
    assert prefs["anita@demo.example"].paused and prefs["anita@demo.example"].next_update_at is None
    assert prefs["james@demo.example"].unsubscribed_at is not None


def test_page_says_when_the_update_was_moved_out_of_quiet_hours(client, cast):
    _signed_in(client, cast.parent)
    client.post(reverse("update_preferences"), _choices(weekday="5", hour="10"))  # Saturday
    page = client.get(reverse("update_preferences")).content.decode()
    assert "Monday" in page and "08:00" in page  # quiet weekends by default
    assert "outside the practice's quiet hours" in page


def test_the_policy_page_service_reschedules_once_committed(
    client, cast, django_capture_on_commit_callbacks
):
    from practice.policy.services import communication_policy_update

    pat = _signed_in(client, cast.parent)
    client.post(reverse("update_preferences"), _choices(weekday="5", hour="10"))  # Saturday
    pat.refresh_from_db()
    assert timezone.localtime(pat.next_update_at, cast.practice.tz).weekday() == 0  # Monday

    with django_capture_on_commit_callbacks(execute=True):
        communication_policy_update(
            communication=communication_policy_for(), user=cast.admin, quiet_on_weekends=False
        )

    pat.refresh_from_db()
    local = timezone.localtime(pat.next_update_at, cast.practice.tz)
    assert (local.weekday(), local.hour) == (5, 10)


def test_migration_gives_parents_who_signed_in_a_scheduled_preference(cast):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("engagement.migrations.0011_update_preference_first_login")
    signed_in = timezone.now() - datetime.timedelta(days=30)
    type(cast.parent).objects.filter(pk=cast.parent.pk).update(last_login=signed_in)

    migration.create_preferences(apps, None)

    pref = UpdatePreference.objects.get(parent=cast.parent)
    assert pref.first_login_at == signed_in and pref.next_update_at > timezone.now()
    assert not UpdatePreference.objects.filter(parent=cast.other_parent).exists()  # never signed in
    assert not UpdatePreference.objects.filter(parent=cast.clinician).exists()


def test_policy_change_keeps_an_update_that_is_already_due(client, cast):
    from engagement.updates.services import update_preferences_reschedule

    pat = _signed_in(client, cast.parent)
    due = timezone.now() - datetime.timedelta(minutes=2)
    UpdatePreference.objects.filter(pk=pat.pk).update(next_update_at=due)

    update_preferences_reschedule(communication=communication_policy_for())
    pat.refresh_from_db()
    assert pat.next_update_at == due

    communication = communication_policy_for()
    communication.allowed_cadences, communication.default_cadence = ["off"], "off"
    update_preferences_reschedule(communication=communication)
    pat.refresh_from_db()
    assert pat.next_update_at is None  # no longer allowed at all: not sent
