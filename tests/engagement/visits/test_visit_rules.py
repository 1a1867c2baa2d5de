"""What a session log may say, and when (issue 12): attended or missed only once the session
has begun, nothing of a session not yet begun shown anywhere (one rule for what the family
reads), bookings that clash refused by name, one session for a double-clicked submit, bad
input never a 500, and the session pages read-only (and audited) under break-the-glass."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from engagement.rescheduling.models import RescheduleRequest
from engagement.rescheduling.services import reschedule_request_answer
from engagement.visits import services
from engagement.visits.models import Addendum, SessionLog, SessionSeries
from engagement.visits.selectors import latest_shared_summaries
from practice.access import policy_for
from practice.emergency.services import break_glass_open
from practice.models import AuditEvent
from tests.factories import (
    AgreementFactory,
    CareTeamMembershipFactory,
    ChildFactory,
    ClinicianFactory,
    RescheduleRequestFactory,
    SessionLogFactory,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
SUMMARY = "We built a marble run together"
FUTURE_SUMMARY = "Summary written before the session happened"


def at(days: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A local wall-clock time `days` from today, in the practice's timezone."""
    day = timezone.localdate(timezone.now(), LONDON) + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), LONDON)


def session_at(cast, start, *, child=None, clinician=None, **fields) -> SessionLog:
    return SessionLogFactory(
        child=child or cast.child,
        clinician=clinician or cast.clinician,
        scheduled_start=start,
        **fields,
    )


def save_log(cast, session, **data):
    return services.session_log_save(
        session=session,
        clinician=cast.clinician,
        data={"status": "attended", "duration_minutes": 50, **data},
        attendees=[],
        ratings={},
        today=cast.practice.today(),
    )


def log_post(**extra):
    data = {
        "status": "attended",
        "duration_minutes": 50,
        "modality": "clinic",
        "child_attended": "on",
        "stage": "process",
        "shared_summary": SUMMARY,
        "summary_shared": "on",
        "private_note": "A private note",
        "next_steps": "",
    }
    data.update(extra)
    return data


def schedule_post(start: datetime.datetime, **extra):
    data = {
        "start_date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "planned_minutes": 50,
        "modality": "clinic",
        "location": "Room 2",
        "weeks": 1,
    }
    data.update(extra)
    return data


def future_session_written_ahead(cast) -> SessionLog:
    """A session in 2099 with a summary, attendees and "shared", signed: what the service now
    refuses, written straight to the table as older data or another path might have."""
    session = session_at(
        cast,
        datetime.datetime(2099, 5, 4, 10, 0, tzinfo=datetime.UTC),
        status="attended",
        duration_minutes=50,
        shared_summary=FUTURE_SUMMARY,
        summary_shared=True,
    )
    session.guardians_attended.add(cast.parent)
    session.signed_at, session.signed_by = timezone.now(), cast.clinician
    session.save()
    return session


# --- 3. Attended or missed only once the session has begun ---------------------------------------


@pytest.mark.parametrize("status", ["attended", "no_show"])
def test_a_session_not_yet_begun_cannot_be_logged_as_attended_or_missed(cast, status):
    # Given a session in 2099
    session = session_at(cast, datetime.datetime(2099, 1, 5, 10, 0, tzinfo=datetime.UTC))
    # When the clinician records it as attended (or missed), then the service refuses
    with pytest.raises(ValidationError) as refused:
        save_log(cast, session, status=status)
    assert "once it has begun" in refused.value.message_dict["status"][0]
    session.refresh_from_db()
    assert session.status == "scheduled" and session.duration_minutes is None


@pytest.mark.parametrize("status", ["cancelled_family", "cancelled_clinician"])
def test_a_cancellation_can_be_recorded_and_signed_ahead(cast, status):
    session = session_at(cast, at(days=5))
    save_log(cast, session, status=status, duration_minutes=None)
    signed = services.session_sign(session=session, clinician=cast.clinician)
    assert signed.status == status and signed.is_signed


def test_a_session_that_has_begun_can_be_logged(cast):
    session = session_at(cast, timezone.now() - datetime.timedelta(minutes=5))
    assert save_log(cast, session).status == "attended"


def test_the_log_page_shows_the_refusal_on_the_status_field_and_keeps_the_text(client, cast):
    session = session_at(cast, datetime.datetime(2099, 1, 5, 10, 0, tzinfo=datetime.UTC))
    client.force_login(cast.clinician)
    response = client.post(reverse("session_log", args=[session.pk]), log_post(sign="1"))
    assert response.status_code == 200
    assert "once it has begun" in response.context["form"].errors["status"][0]
    assert SUMMARY in response.content.decode()
    session.refresh_from_db()
    assert session.status == "scheduled" and not session.is_signed


def test_a_future_log_does_not_offer_attended_by_default(client, cast):
    session = session_at(cast, at(days=3))
    client.force_login(cast.clinician)
    form = client.get(reverse("session_log", args=[session.pk])).context["form"]
    assert form["status"].value() == "scheduled"


def test_signing_refuses_an_attended_log_whose_session_has_not_begun(cast):
    session = session_at(
        cast, datetime.datetime(2099, 1, 5, 10, 0, tzinfo=datetime.UTC), status="attended"
    )
    session.duration_minutes = 50
    session.save()
    with pytest.raises(ValidationError, match="once it has begun"):
        services.session_sign(session=session, clinician=cast.clinician)
    assert not SessionLog.objects.get(pk=session.pk).is_signed


# --- 3. Nothing of a session not yet begun shows anywhere -----------------------------------------


def test_the_family_never_reads_a_summary_of_a_session_not_yet_begun(client, cast):
    # Given a 2099 session signed as attended with a shared summary, and a real past one
    future_session_written_ahead(cast)
    past = session_at(
        cast,
        timezone.now() - datetime.timedelta(days=1),
        status="attended",
        duration_minutes=50,
        shared_summary=SUMMARY,
    )
    services.session_sign(session=past, clinician=cast.clinician)
    client.force_login(cast.parent)
    # Then neither portal page shows the future one's summary (the past one shows)
    child_page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    home = client.get(reverse("portal_home")).content.decode()
    assert SUMMARY in child_page and FUTURE_SUMMARY not in child_page
    assert FUTURE_SUMMARY not in home and "4 May" not in child_page


def test_the_portal_homes_latest_summary_skips_a_session_not_yet_begun(cast):
    future_session_written_ahead(cast)
    child_policy = policy_for(cast.parent, cast.child)
    assert latest_shared_summaries([child_policy], timezone.now()) == {}


def test_the_care_teams_session_page_shows_nothing_of_a_session_not_yet_begun(client, cast):
    session = future_session_written_ahead(cast)
    client.force_login(cast.clinician)
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "Not held yet" in page
    assert FUTURE_SUMMARY not in page and "shared with the family" not in page
    assert "Who took part" not in page and cast.parent.full_name not in page


def test_the_care_teams_badge_says_shared_only_for_what_the_family_reads(client, cast):
    client.force_login(cast.clinician)
    unsigned = session_at(cast, timezone.now() - datetime.timedelta(days=2), shared_summary=SUMMARY)
    page = client.get(reverse("session_detail", args=[unsigned.pk])).content.decode()
    assert "shared once signed" in page and "shared with the family" not in page
    signed = session_at(
        cast,
        timezone.now() - datetime.timedelta(days=1),
        status="attended",
        duration_minutes=50,
        shared_summary=SUMMARY,
    )
    services.session_sign(session=signed, clinician=cast.clinician)
    page = client.get(reverse("session_detail", args=[signed.pk])).content.decode()
    assert "shared with the family" in page


@pytest.mark.parametrize(
    "change, shared",
    [
        ({}, True),
        ({"summary_shared": False}, False),
        ({"shared_summary": ""}, False),
        ({"scheduled_start": datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)}, False),
        ({"signed": False}, False),
    ],
)
def test_one_rule_decides_which_summaries_the_family_may_read(cast, change, shared):
    signed = change.pop("signed", True)
    fields = {
        "status": "attended",
        "duration_minutes": 50,
        "shared_summary": SUMMARY,
        "summary_shared": True,
        **change,
    }
    start = fields.pop("scheduled_start", timezone.now() - datetime.timedelta(days=1))
    session = session_at(cast, start, **fields)
    if signed:
        session.signed_at = timezone.now()
        session.save()
    child_policy = policy_for(cast.parent, cast.child)
    found = SessionLog.objects.shared_with_family(child_policy, timezone.now())
    assert (session in found) is shared
    # A guardian whose policy withholds summaries (level progress) gets none at all
    AgreementFactory(
        child=cast.child,
        sharing_level="progress",
        version=9,
        effective_date=datetime.date(2025, 1, 1),
    )
    progress = policy_for(cast.parent, cast.child)
    assert not SessionLog.objects.shared_with_family(progress, timezone.now()).exists()
    assert not SessionLog.objects.shared_with_family(None, timezone.now()).exists()


# --- 4. Clashes ----------------------------------------------------------------------------------


def schedule(cast, start, **kwargs):
    kwargs.setdefault("clinician", cast.clinician)
    kwargs.setdefault("scheduled_by", cast.clinician)
    return services.session_schedule(child=cast.child, start=start, now=timezone.now(), **kwargs)


def test_a_booking_that_overlaps_the_childs_session_is_refused_naming_it(client, cast):
    # Given Mia's session at 16:00 for 50 minutes, with a colleague on her care team
    colleague = ClinicianFactory(full_name="Cara Lind")
    CareTeamMembershipFactory(child=cast.child, clinician=colleague)
    session_at(cast, at(days=4, hour=16), clinician=colleague)
    client.force_login(cast.clinician)
    # When Alice books Mia at 16:30 the same day
    response = client.post(
        reverse("session_schedule", args=[cast.child.pk]), schedule_post(at(4, 16, 30))
    )
    # Then the page refuses, naming the child, the clinician and the local time, keeping input
    page = response.content.decode()
    assert response.status_code == 200
    assert "This overlaps Mia Rowe&#x27;s session with Cara Lind on" in page
    assert "16:00" in page and "book anyway" in page and "Room 2" in page
    assert SessionLog.objects.filter(child=cast.child).count() == 1


def test_a_booking_that_overlaps_the_clinicians_other_session_is_refused(cast):
    other = ChildFactory(first_name="Leo", last_name="Park", clinician=cast.clinician)
    session_at(cast, at(days=4, hour=16), child=other)
    with pytest.raises(ValidationError, match="Leo Park's session with Alice Carter"):
        schedule(cast, at(4, 16, 49))


def test_another_clinicians_other_child_is_not_named(cast):
    # Given a colleague on Mia's care team, busy with a child Alice may not see
    colleague = ClinicianFactory(full_name="Cara Lind")
    CareTeamMembershipFactory(child=cast.child, clinician=colleague)
    hidden = ChildFactory(first_name="Secret", last_name="Child", clinician=colleague)
    session_at(cast, at(days=4, hour=16), child=hidden, clinician=colleague)
    # When Alice books Mia with that colleague at the same time, the clash names no child
    with pytest.raises(ValidationError) as refused:
        schedule(cast, at(days=4, hour=16), clinician=colleague)
    message = refused.value.message_dict["start_date"][0]
    assert "another child" in message and "Secret" not in message


def test_back_to_back_and_cancelled_sessions_do_not_clash(cast):
    session_at(cast, at(days=4, hour=16))  # 16:00 to 16:50
    session_at(cast, at(days=4, hour=17), status="cancelled_family")
    booked = schedule(cast, at(4, 16, 50))  # starts as the other ends
    assert len(booked) == 1
    assert len(schedule(cast, at(4, 17, 40))) == 1  # over the cancelled one's slot


def test_book_anyway_books_the_overlap_and_keeps_the_choice(client, cast):
    session_at(cast, at(days=4, hour=16))
    client.force_login(cast.clinician)
    response = client.post(
        reverse("session_schedule", args=[cast.child.pk]),
        schedule_post(at(4, 16, 15), book_anyway="on"),
    )
    assert response.status_code == 302
    new = SessionLog.objects.get(scheduled_start=at(4, 16, 15))
    assert new.booked_despite_clash
    page = client.get(reverse("session_detail", args=[new.pk])).content.decode()
    assert "Booked although it overlaps another session." in page


def test_a_series_with_one_clash_is_refused_whole(cast):
    session_at(cast, at(days=17, hour=16))  # the third week
    with pytest.raises(ValidationError, match="This overlaps"):
        schedule(cast, at(days=3, hour=16), weeks=6)
    assert SessionLog.objects.count() == 1 and not SessionSeries.objects.exists()


def test_rescheduling_onto_a_booked_slot_is_refused(client, cast):
    # Given a missed session and the next session already booked at 11:00 in two days
    missed = session_at(cast, timezone.now() - datetime.timedelta(days=1), status="no_show")
    session_at(cast, at(days=2, hour=11))
    client.force_login(cast.clinician)
    # When the missed one is rescheduled onto that slot
    response = client.post(
        reverse("session_reschedule", args=[missed.pk]),
        {"start_date": at(days=2).date().isoformat(), "start_time": "11:00"},
    )
    # Then it is refused: no second identical session
    assert response.status_code == 200 and "This overlaps" in response.content.decode()
    assert SessionLog.objects.filter(scheduled_start=at(days=2, hour=11)).count() == 1


def test_moving_a_session_a_little_later_is_not_a_clash_with_itself(cast):
    upcoming = session_at(cast, at(days=3, hour=10))
    new = services.session_reschedule(
        session=upcoming, by=cast.clinician, start=at(3, 10, 20), now=timezone.now()
    )
    upcoming.refresh_from_db()
    assert upcoming.status == "cancelled_clinician" and new.rescheduled_from == upcoming


def test_answering_a_request_with_a_clashing_time_is_refused_unless_booked_anyway(cast):
    upcoming = session_at(cast, at(days=3, hour=10))
    session_at(cast, at(days=5, hour=10))
    request = RescheduleRequestFactory(
        session=upcoming, guardian=cast.parent, preferred_times="Friday morning"
    )
    answer = {
        "reschedule_request": request,
        "by": cast.clinician,
        "status": "answered",
        "answer": "Moved",
        "new_start": at(days=5, hour=10),
        "now": timezone.now(),
    }
    with pytest.raises(ValidationError, match="This overlaps"):
        reschedule_request_answer(**answer)
    assert RescheduleRequest.objects.get().status == "open"
    reschedule_request_answer(**answer, book_anyway=True)
    assert SessionLog.objects.get(rescheduled_from=upcoming).booked_despite_clash


# --- 6. One session for a double-clicked submit ---------------------------------------------------


@pytest.mark.parametrize("weeks, sessions", [(1, 1), (6, 6)])
def test_a_double_clicked_schedule_books_once(client, cast, weeks, sessions):
    client.force_login(cast.clinician)
    form = client.get(reverse("session_schedule", args=[cast.child.pk])).context["form"]
    data = schedule_post(at(days=3, hour=9), weeks=weeks, once_key=form["once_key"].value())
    first = client.post(reverse("session_schedule", args=[cast.child.pk]), data)
    second = client.post(reverse("session_schedule", args=[cast.child.pk]), data)
    assert first.status_code == second.status_code == 302
    assert SessionLog.objects.count() == sessions
    assert SessionSeries.objects.count() == (1 if weeks > 1 else 0)


def test_the_same_key_twice_returns_what_the_first_booked(cast):
    key = "6a1f7c1e-2f35-4b8e-9a55-9f5a3c7c0d11"
    first = schedule(cast, at(days=3, hour=9), weeks=3, once_key=key)
    again = schedule(cast, at(days=3, hour=9), weeks=3, once_key=key)
    assert [s.pk for s in first] == [s.pk for s in again]
    assert AuditEvent.objects.filter(action="session.schedule").count() == 1


# --- 7. Bad input: no 500, a stated limit, a clear message ---------------------------------------


def test_nul_bytes_in_an_autosave_are_dropped_not_a_500(client, cast):
    session = session_at(cast, timezone.now() - datetime.timedelta(hours=1))
    client.force_login(cast.clinician)
    response = client.post(
        reverse("session_autosave", args=[session.pk]),
        {"private_note": "Half\x00typed", "bad\x00key": "x", "activities": ["play", "ga\x00mes"]},
    )
    assert response.status_code == 200 and "Draft saved" in response.content.decode()
    session.refresh_from_db()
    assert session.draft["private_note"] == "Halftyped"
    assert session.draft["activities"] == ["play", "games"] and "bad\x00key" not in session.draft


def test_nul_bytes_in_the_log_form_get_a_clear_message(client, cast):
    session = session_at(cast, timezone.now() - datetime.timedelta(hours=1))
    client.force_login(cast.clinician)
    response = client.post(
        reverse("session_log", args=[session.pk]), log_post(private_note="Bad\x00note")
    )
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_the_notes_limit_is_stated_on_the_form(client, cast):
    session = session_at(cast, timezone.now() - datetime.timedelta(hours=1))
    client.force_login(cast.clinician)
    page = client.get(reverse("session_log", args=[session.pk])).content.decode()
    assert page.count("Up to 20,000 characters.") == 3  # summary, private note, next steps
    assert 'maxlength="20000"' not in page  # a long paste is not cut short without a word


@pytest.mark.parametrize("field", ["private_note", "shared_summary", "next_steps"])
def test_an_oversized_note_is_refused_clearly_and_the_text_kept(client, cast, field):
    session = session_at(cast, timezone.now() - datetime.timedelta(hours=1))
    client.force_login(cast.clinician)
    long_text = "word " * 4000 + "end"  # 20,003 characters
    response = client.post(
        reverse("session_log", args=[session.pk]), log_post(**{field: long_text})
    )
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors == [
        "Keep this to 20,000 characters or fewer (it has 20003). Nothing was saved; your text "
        "is still here."
    ]
    assert long_text.strip() in response.content.decode()
    assert SessionLog.objects.get(pk=session.pk).status == "scheduled"


def test_the_service_refuses_an_oversized_note_too(cast):
    session = session_at(cast, timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError):
        save_log(cast, session, private_note="x" * 20_001)


def test_an_oversized_addendum_is_refused_clearly(client, cast):
    session = session_at(
        cast, timezone.now() - datetime.timedelta(days=1), status="attended", duration_minutes=50
    )
    services.session_sign(session=session, clinician=cast.clinician)
    client.force_login(cast.clinician)
    response = client.post(reverse("session_detail", args=[session.pk]), {"text": "y" * 20_001})
    assert response.status_code == 200
    assert "Keep this to 20,000 characters or fewer" in response.content.decode()
    assert not Addendum.objects.exists()


def test_an_oversized_autosave_says_it_was_not_saved(client, cast):
    session = session_at(cast, timezone.now() - datetime.timedelta(hours=1))
    client.force_login(cast.clinician)
    response = client.post(
        reverse("session_autosave", args=[session.pk]), {"private_note": "z" * 20_001}
    )
    assert response.status_code == 409
    assert "Draft not saved" in response.content.decode()
    assert SessionLog.objects.get(pk=session.pk).draft == {}


def test_odd_unicode_is_kept_as_typed(client, cast):
    odd = "Ola 👩🏽‍⚕️ شكرا e\u0301 \u202eabc\u202c 𝔘𝔫𝔦 \ufeff end"
    session = session_at(cast, timezone.now() - datetime.timedelta(hours=1))
    client.force_login(cast.clinician)
    autosave = client.post(reverse("session_autosave", args=[session.pk]), {"shared_summary": odd})
    assert autosave.status_code == 200
    response = client.post(reverse("session_log", args=[session.pk]), log_post(shared_summary=odd))
    assert response.status_code == 302
    assert SessionLog.objects.get(pk=session.pk).shared_summary == odd


# --- 1 (part). Read-only, audited session pages under break-the-glass -----------------------------


@pytest.fixture
def emergency(cast, client):
    """Bob, outside Mia's care team, with break-the-glass access to her record."""
    break_glass_open(clinician=cast.outsider, child=cast.child, reason="Seen in A&E tonight, " * 3)
    client.force_login(cast.outsider)
    return client


def signed_log(cast) -> SessionLog:
    session = session_at(
        cast,
        timezone.now() - datetime.timedelta(days=1),
        status="attended",
        duration_minutes=50,
        shared_summary=SUMMARY,
        private_note="Private clinical observation",
    )
    return services.session_sign(session=session, clinician=cast.clinician)


def test_an_emergency_reader_opens_the_session_page_read_only_and_audited(emergency, cast):
    session = signed_log(cast)
    response = emergency.get(reverse("session_detail", args=[session.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and SUMMARY in page
    assert "Emergency access: you can read this session, not change it." in page
    for name in ("session_log", "session_reschedule"):
        assert reverse(name, args=[session.pk]) not in page
    assert "Add addendum" not in page
    event = AuditEvent.objects.get(action="session.view")
    assert event.actor == cast.outsider and event.details["break_glass"] is True
    assert event.target_id == str(session.pk)


def test_an_emergency_reader_cannot_log_autosave_reschedule_or_add_to_a_session(emergency, cast):
    session = session_at(cast, timezone.now() - datetime.timedelta(hours=2))
    signed = signed_log(cast)
    before = list(SessionLog.objects.order_by("pk").values())
    for url, data in [
        (reverse("session_log", args=[session.pk]), log_post()),
        (reverse("session_autosave", args=[session.pk]), {"private_note": "x"}),
        (reverse("session_reschedule", args=[session.pk]), {"start_date": "2099-01-01"}),
        (reverse("session_schedule", args=[cast.child.pk]), schedule_post(at(days=3))),
        (reverse("session_detail", args=[signed.pk]), {"text": "An emergency addendum"}),
    ]:
        assert emergency.post(url, data).status_code in (403, 404)
    assert list(SessionLog.objects.order_by("pk").values()) == before
    assert not Addendum.objects.exists()


@pytest.mark.parametrize(
    "write",
    [
        lambda cast, session: save_log(cast, session),
        lambda cast, session: services.session_draft_save(
            session=session, clinician=cast.outsider, draft={"private_note": "x"}
        ),
        lambda cast, session: services.session_reschedule(
            session=session, by=cast.outsider, start=at(days=3), now=timezone.now()
        ),
        lambda cast, session: services.session_schedule(
            child=cast.child,
            clinician=cast.outsider,
            scheduled_by=cast.outsider,
            start=at(days=3),
            now=timezone.now(),
        ),
    ],
    ids=["log", "draft", "reschedule", "schedule"],
)
def test_the_services_refuse_an_emergency_reader(emergency, cast, write):
    session = session_at(cast, timezone.now() - datetime.timedelta(hours=2))
    cast.clinician = cast.outsider  # save_log writes as cast.clinician
    with pytest.raises(PermissionDenied):
        write(cast, session)


def test_every_session_page_the_care_team_reads_is_audited(client, cast):
    session = session_at(cast, timezone.now() - datetime.timedelta(hours=2))
    client.force_login(cast.clinician)
    client.get(reverse("session_detail", args=[session.pk]))
    client.get(reverse("session_log", args=[session.pk]))
    events = AuditEvent.objects.filter(action="session.view", target_id=str(session.pk))
    assert sorted(e.details.get("page", "detail") for e in events) == ["detail", "log"]
    assert all("break_glass" not in e.details for e in events)


def test_an_emergency_reader_finds_the_sessions_on_the_child_page_without_write_buttons(
    emergency, cast
):
    cancelled = session_at(cast, timezone.now() - datetime.timedelta(days=1))
    cancelled.status = "cancelled_family"
    cancelled.save()
    signed = signed_log(cast)
    page = emergency.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert 'id="sessions-heading"' in page
    assert reverse("session_detail", args=[signed.pk]) in page
    assert reverse("session_detail", args=[cancelled.pk]) in page
    assert reverse("session_schedule", args=[cast.child.pk]) not in page
    assert reverse("session_log", args=[cancelled.pk]) not in page
    assert reverse("session_reschedule", args=[cancelled.pk]) not in page
    # The cancelled session's page offers no "Note what got in the way" either.
    session_page = emergency.get(reverse("session_detail", args=[cancelled.pk])).content.decode()
    assert reverse("barrier_after_cancellation", args=[cancelled.pk]) not in session_page
