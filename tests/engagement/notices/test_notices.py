"""Notices through the outbox: a new message tells the other side with no content, held
until quiet hours end; a safety concern tells every guardian who may be told at once, with
neither the clinical record nor the statement; a session reminder goes about a day ahead,
moved earlier out of quiet hours, one row per session and guardian."""

import datetime
import zoneinfo

import pytest

from engagement.messaging import services as messaging
from engagement.notices import services
from engagement.notices.tasks import session_reminders_tick
from engagement.updates.schedule import preference_for
from engagement.visits.models import SessionLog
from practice.models import (
    AuditEvent,
    Guardianship,
    OutgoingEmail,
    SafetyConcern,
)
from practice.safety.services import safety_concern_record
from practice.timing import contact_rules
from tests.factories import ChildFactory, GuardianshipFactory, ParentFactory, SessionLogFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = datetime.UTC
SECRET = "Worried about the night terrors QZX"
THREAD_SUBJECT = "Bedwetting again"
CLINICAL = "Disclosed bruising from a belt at home QZX; strategy meeting with social care."
STATEMENT = "Mia told us something that worries us about her safety QZY. Please call us."
PRIVATE_NOTE = "Private note about trauma QZP"
SUMMARY = "Shared summary about anxiety QZS"

Kind = OutgoingEmail.Kind
State = OutgoingEmail.State


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime.datetime:
    # November 2026: the 20th is a Friday, the 21st and 22nd the weekend, the 23rd a Monday.
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def local(when: datetime.datetime) -> datetime.datetime:
    return when.astimezone(LONDON)


def emails(kind) -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(kind=kind).order_by("pk"))


def texts(email: OutgoingEmail) -> str:
    return " ".join([email.subject, email.body_text, email.body_html])


@pytest.fixture
def grandmother(cast):
    gran = ParentFactory(full_name="Gran Rowe", email="gran@test.example")
    GuardianshipFactory(
        child=cast.child, guardian=gran, relationship="grandparent", access="limited"
    )
    return gran


def start_thread(cast, now):
    return messaging.thread_start(
        child=cast.child, guardian=cast.parent, subject=THREAD_SUBJECT, body=SECRET, now=now
    )


# --- New-message notices -------------------------------------------------------------------


def test_a_family_message_notifies_the_care_team_only_without_content(cast, communication):
    start_thread(cast, at(23, 10))

    [notice] = emails(Kind.MESSAGE_NOTICE)
    assert notice.user == cast.clinician and notice.recipient == cast.clinician.email
    assert notice.state == State.PENDING
    assert notice.send_after == at(23, 10)
    for withheld in (SECRET, THREAD_SUBJECT, cast.child.first_name, cast.parent.full_name):
        assert withheld not in texts(notice)
    assert "/messages/" in notice.body_text


def test_a_care_team_reply_notifies_the_threads_guardian_only(cast, communication, grandmother):
    thread = start_thread(cast, at(23, 10))
    OutgoingEmail.objects.all().delete()

    messaging.message_send(thread=thread, by=cast.clinician, body=SECRET, now=at(23, 11))

    [notice] = emails(Kind.MESSAGE_NOTICE)
    assert notice.user == cast.parent
    text = texts(notice)
    assert SECRET not in text and THREAD_SUBJECT not in text and "Mia" not in text
    assert f"New message from {cast.practice.name}" in notice.subject
    assert communication.emergency_notice in notice.body_text
    assert f"/messages/{thread.pk}/" in notice.body_text


def test_a_notice_waits_for_quiet_hours_to_end(cast, communication):
    thread = start_thread(cast, at(23, 10))
    OutgoingEmail.objects.all().delete()

    messaging.message_send(thread=thread, by=cast.clinician, body="Evening", now=at(23, 21))
    assert emails(Kind.MESSAGE_NOTICE)[0].send_after == at(24, 8)


def test_a_friday_night_notice_waits_for_monday_morning(cast, communication):
    thread = start_thread(cast, at(20, 10))
    OutgoingEmail.objects.all().delete()

    messaging.message_send(thread=thread, by=cast.clinician, body="Evening", now=at(20, 21))
    assert emails(Kind.MESSAGE_NOTICE)[0].send_after == at(23, 8)


def test_the_parents_own_times_hold_their_notice_too(cast, communication):
    preference = preference_for(cast.parent)
    preference.no_contact_start = datetime.time(8, 0)
    preference.no_contact_end = datetime.time(10, 30)
    preference.no_contact_days = [1]  # Tuesday
    preference.save()
    thread = start_thread(cast, at(23, 10))
    OutgoingEmail.objects.all().delete()

    messaging.message_send(thread=thread, by=cast.clinician, body="Evening", now=at(23, 21))
    # Tuesday is theirs, Wednesday until 10:30 too.
    assert emails(Kind.MESSAGE_NOTICE)[0].send_after == at(25, 10, 30)


def test_a_clinicians_notice_keeps_the_practice_quiet_hours(cast, communication):
    start_thread(cast, at(23, 22))
    assert emails(Kind.MESSAGE_NOTICE)[0].send_after == at(24, 8)


def test_messages_waiting_in_one_thread_share_one_notice(cast, communication):
    thread = start_thread(cast, at(23, 10))
    OutgoingEmail.objects.all().delete()

    for hour in (21, 22):
        messaging.message_send(thread=thread, by=cast.clinician, body="More", now=at(23, hour))
    assert len(emails(Kind.MESSAGE_NOTICE)) == 1

    OutgoingEmail.objects.update(state=State.SENT)
    messaging.message_send(thread=thread, by=cast.clinician, body="Later", now=at(24, 11))
    assert len(emails(Kind.MESSAGE_NOTICE)) == 2


def test_another_thread_gets_its_own_notice(cast, communication):
    first = start_thread(cast, at(23, 10))
    second = start_thread(cast, at(23, 10, 5))
    OutgoingEmail.objects.all().delete()
    for thread in (first, second):
        messaging.message_send(thread=thread, by=cast.clinician, body="Reply", now=at(23, 21))
    assert len(emails(Kind.MESSAGE_NOTICE)) == 2


def test_reading_the_thread_skips_the_waiting_notice(cast, communication):
    thread = start_thread(cast, at(23, 10))
    OutgoingEmail.objects.all().delete()
    messaging.message_send(thread=thread, by=cast.clinician, body="Reply", now=at(23, 21))

    messaging.thread_mark_read(thread=thread, by=cast.parent)
    assert emails(Kind.MESSAGE_NOTICE)[0].state == State.SKIPPED
    # The delivery page says why, in words.
    assert emails(Kind.MESSAGE_NOTICE)[0].skip_reason == OutgoingEmail.SkipReason.READ


def test_a_guardian_whose_access_became_none_gets_no_notice(cast, communication):
    thread = start_thread(cast, at(23, 10))
    OutgoingEmail.objects.all().delete()
    Guardianship.objects.filter(pk=cast.guardianship.pk).update(access="none")

    messaging.message_send(thread=thread, by=cast.clinician, body="Reply", now=at(23, 11))
    assert emails(Kind.MESSAGE_NOTICE) == []


# --- Safety notices ------------------------------------------------------------------------


@pytest.fixture
def stepfather(cast):
    steve = ParentFactory(full_name="Steve Rowe", email="steve@test.example")
    GuardianshipFactory(child=cast.child, guardian=steve, relationship="step_parent")
    return steve


def record_concern(cast, stepfather, now):
    return safety_concern_record(
        child=cast.child,
        recorded_by=cast.clinician,
        kind=SafetyConcern.Kind.ABUSE_DISCLOSED,
        clinical_record=CLINICAL,
        family_statement=STATEMENT,
        not_to_be_told=[stepfather],
        not_told_reason="Alleged source of harm.",
        now=now,
    )


def test_a_safety_notice_goes_at_once_even_at_3am_on_a_sunday(
    cast, communication, grandmother, stepfather
):
    three_am = at(22, 3)
    concern = record_concern(cast, stepfather, three_am)

    notices = emails(Kind.SAFETY_NOTICE)
    assert {n.user for n in notices} == {cast.parent, grandmother}
    assert all(n.send_after == three_am for n in notices)
    assert {n.key for n in notices} == {
        f"safety:{concern.pk}:{cast.parent.pk}",
        f"safety:{concern.pk}:{grandmother.pk}",
    }


def test_a_safety_notice_carries_neither_the_record_nor_the_statement(
    cast, communication, grandmother, stepfather
):
    record_concern(cast, stepfather, at(22, 3))

    for notice in emails(Kind.SAFETY_NOTICE):
        text = texts(notice)
        for withheld in (CLINICAL, STATEMENT, "QZX", "QZY", "Mia", "bruising", "Abuse"):
            assert withheld not in text
        assert "important message" in notice.subject
        assert "/portal/" in notice.body_text
        assert "020 7946 0000" in notice.body_text and "office@practice.example" in text
        assert communication.emergency_notice in notice.body_text


def test_not_to_be_told_and_access_none_guardians_get_no_safety_notice(
    cast, communication, grandmother, stepfather
):
    record_concern(cast, stepfather, at(22, 3))
    recipients = {n.recipient for n in emails(Kind.SAFETY_NOTICE)}
    assert stepfather.email not in recipients
    assert cast.barred.email not in recipients
    assert cast.other_parent.email not in recipients


def test_each_safety_notice_is_audited_without_clinical_text(
    cast, communication, grandmother, stepfather
):
    record_concern(cast, stepfather, at(22, 3))
    events = AuditEvent.objects.filter(action="safety.notify")
    assert {e.details["guardian"] for e in events} == {cast.parent.pk, grandmother.pk}
    for event in AuditEvent.objects.all():
        assert "QZX" not in str(event.details) and "QZY" not in str(event.details)


# --- Session reminders ---------------------------------------------------------------------


def session(cast, start, child=None, **fields) -> SessionLog:
    child = child or cast.child
    return SessionLogFactory(
        child=child,
        clinician=cast.clinician,
        scheduled_start=start,
        modality="telehealth",
        location="https://video.example/room-7",
        private_note=PRIVATE_NOTE,
        shared_summary=SUMMARY,
        **fields,
    )


def tick(now):
    return session_reminders_tick.apply(kwargs={"now_iso": now.isoformat()}).get()


def test_one_reminder_per_session_and_guardian_who_may_see_it(cast, communication, grandmother):
    visit = session(cast, at(24, 9))

    tick(at(23, 8, 50))

    reminders = emails(Kind.SESSION_REMINDER)
    assert {r.user for r in reminders} == {cast.parent, grandmother}
    assert {r.key for r in reminders} == {
        f"reminder:{visit.pk}:{cast.parent.pk}",
        f"reminder:{visit.pk}:{grandmother.pk}",
    }
    # 09:00 the day before is allowed: exactly 24 hours ahead.
    assert all(r.send_after == at(23, 9) for r in reminders)


def test_a_second_tick_adds_nothing(cast, communication, grandmother):
    session(cast, at(24, 9))
    tick(at(23, 8, 50))
    tick(at(23, 8, 50))
    tick(at(23, 9, 5))
    assert len(emails(Kind.SESSION_REMINDER)) == 2


def test_a_reminder_says_when_and_with_whom_and_nothing_clinical(cast, communication):
    visit = session(cast, at(24, 9))
    tick(at(23, 8, 50))

    [reminder] = emails(Kind.SESSION_REMINDER)
    text = texts(reminder)
    assert "Mia" in reminder.subject and "09:00" in reminder.subject
    assert "Tuesday 24 November 2026" in reminder.body_text
    assert "Alice Carter" in text and "Telehealth" in text and "video.example/room-7" in text
    assert f"/portal/children/{cast.child.pk}/sessions/{visit.pk}/cancel/" in text
    assert f"/sessions/{visit.pk}/reschedule/" in text
    for withheld in (PRIVATE_NOTE, SUMMARY, "QZP", "QZS"):
        assert withheld not in text


def test_a_reminder_is_moved_earlier_out_of_quiet_hours(cast, communication):
    session(cast, at(24, 21, 30))

    tick(at(23, 19, 50))

    [reminder] = emails(Kind.SESSION_REMINDER)
    assert reminder.send_after <= at(23, 19, 59)
    assert reminder.send_after == at(23, 19, 59)


def test_a_monday_morning_reminder_goes_before_the_quiet_weekend(cast, communication):
    session(cast, at(23, 7, 0))

    tick(at(20, 12))
    assert emails(Kind.SESSION_REMINDER) == []  # not yet: rendered close to its time

    tick(at(20, 19, 45))
    [reminder] = emails(Kind.SESSION_REMINDER)
    assert reminder.send_after == at(20, 19, 59)


def test_the_parents_own_times_move_the_reminder_earlier_too(cast, communication):
    preference = preference_for(cast.parent)
    preference.no_contact_start = datetime.time(9, 0)
    preference.no_contact_end = datetime.time(12, 0)
    preference.save()
    session(cast, at(25, 11))

    tick(at(24, 8, 45))
    [reminder] = emails(Kind.SESSION_REMINDER)
    assert reminder.send_after == at(24, 8, 59)


def test_a_late_booked_session_is_reminded_now(cast, communication):
    session(cast, at(23, 15))
    tick(at(23, 11))
    [reminder] = emails(Kind.SESSION_REMINDER)
    assert reminder.send_after == at(23, 11)


def test_a_late_booking_with_no_allowed_time_before_it_gets_no_reminder(cast, communication):
    session(cast, at(24, 7, 30))  # booked at 23:00: quiet until 08:00, after it starts
    tick(at(23, 23))
    assert emails(Kind.SESSION_REMINDER) == []


def test_a_reminder_booked_in_quiet_hours_goes_when_they_end(cast, communication):
    session(cast, at(24, 21, 30))  # the evening's allowed minute has passed
    tick(at(23, 20, 30))
    assert emails(Kind.SESSION_REMINDER) == []  # written by the tick before it goes
    tick(at(24, 7, 45))
    [reminder] = emails(Kind.SESSION_REMINDER)
    assert reminder.send_after == at(24, 8)


def test_a_cancelled_sessions_waiting_reminder_is_skipped(cast, communication, grandmother):
    visit = session(cast, at(24, 21, 30))
    kept = session(cast, at(24, 21, 45))
    tick(at(23, 19, 50))
    assert len(emails(Kind.SESSION_REMINDER)) == 4

    SessionLog.objects.filter(pk=visit.pk).update(status=SessionLog.Status.CANCELLED_FAMILY)
    tick(at(23, 19, 55))

    states = {(r.key.split(":")[1], r.state) for r in emails(Kind.SESSION_REMINDER)}
    assert states == {(str(visit.pk), State.SKIPPED), (str(kept.pk), State.PENDING)}
    reasons = {r.state: r.skip_reason for r in emails(Kind.SESSION_REMINDER)}
    assert reasons == {State.SKIPPED: OutgoingEmail.SkipReason.REMINDER_STALE, State.PENDING: ""}


def test_a_guardian_barred_after_the_reminder_was_written_is_skipped(
    cast, communication, grandmother
):
    session(cast, at(24, 21, 30))
    tick(at(23, 19, 50))
    Guardianship.objects.filter(child=cast.child, guardian=grandmother).update(access="none")

    tick(at(23, 19, 55))

    states = {r.user: r.state for r in emails(Kind.SESSION_REMINDER)}
    assert states == {cast.parent: State.PENDING, grandmother: State.SKIPPED}


def test_a_sent_reminder_is_left_alone_when_the_session_is_cancelled(cast, communication):
    visit = session(cast, at(24, 21, 30))
    tick(at(23, 19, 50))
    OutgoingEmail.objects.update(state=State.SENT)
    SessionLog.objects.filter(pk=visit.pk).update(status=SessionLog.Status.CANCELLED_CLINICIAN)
    tick(at(23, 20))
    assert emails(Kind.SESSION_REMINDER)[0].state == State.SENT


def test_access_none_guardians_and_other_families_get_no_reminder(cast, communication):
    session(cast, at(24, 9))
    tick(at(23, 8, 50))
    recipients = {r.recipient for r in emails(Kind.SESSION_REMINDER)}
    assert recipients == {cast.parent.email}


def test_a_discharged_child_gets_no_reminders(cast, communication):
    session(cast, at(24, 9))
    cast.child.discharged_on = datetime.date(2026, 11, 20)
    cast.child.save()
    tick(at(23, 8, 50))
    assert emails(Kind.SESSION_REMINDER) == []


def test_a_reminder_across_the_spring_dst_change_keeps_the_local_time(cast, communication):
    communication.quiet_on_weekends = False
    communication.save()
    # London springs forward at 01:00 on Sunday 29 March 2026.
    visit_start = at(29, 10, month=3)
    session(cast, visit_start)

    tick(at(28, 9, 45, month=3))

    [reminder] = emails(Kind.SESSION_REMINDER)
    assert local(reminder.send_after).replace(tzinfo=None) == datetime.datetime(2026, 3, 28, 10)
    assert visit_start - reminder.send_after == datetime.timedelta(hours=23)


def test_a_reminder_across_the_autumn_dst_change_keeps_the_local_time(cast, communication):
    communication.quiet_on_weekends = False
    communication.save()
    # London falls back at 02:00 on Sunday 25 October 2026.
    visit_start = at(25, 21, 30, month=10)
    session(cast, visit_start)

    tick(at(24, 19, 45, month=10))

    [reminder] = emails(Kind.SESSION_REMINDER)
    assert local(reminder.send_after).replace(tzinfo=None) == datetime.datetime(
        2026, 10, 24, 19, 59
    )
    assert reminder.send_after.astimezone(UTC).hour == 18  # still BST the evening before


def test_reminder_time_is_a_pure_function():
    rules = contact_rules(None)
    start = datetime.datetime(2026, 11, 24, 9, tzinfo=LONDON)
    assert services.reminder_time(rules, start, at(20, 9), LONDON) == at(23, 9)
    assert services.reminder_time(rules, start, at(24, 8), LONDON) == at(24, 8)
    assert services.reminder_time(rules, start, at(24, 9), LONDON) is None


def _families(cast, count: int) -> None:
    for index in range(count):
        child = ChildFactory(first_name=f"Kid{index}", clinician=cast.clinician)
        guardians = [ParentFactory(email=f"p{index}{letter}@test.example") for letter in "ab"]
        for guardian, access in zip(guardians, ["full", "limited"], strict=True):
            GuardianshipFactory(child=child, guardian=guardian, access=access)
        session(cast, at(24, 9), child=child)
        # A family message on Sunday night: its notice waits for Monday morning.
        messaging.thread_start(
            child=child, guardian=guardians[0], subject="Hello", body="Hi", now=at(22, 21)
        )


@pytest.mark.parametrize("count", [3, 15])
def test_the_reminder_tick_costs_a_fixed_number_of_queries(
    cast, communication, count, django_assert_max_num_queries
):
    _families(cast, count)
    with django_assert_max_num_queries(20):
        tick(at(23, 8, 50))  # writes every reminder
    with django_assert_max_num_queries(20):
        tick(at(23, 8, 55))  # checks every waiting one is still wanted, writes nothing
    assert len(emails(Kind.SESSION_REMINDER)) == 2 * count
    assert OutgoingEmail.objects.filter(kind=Kind.MESSAGE_NOTICE, state=State.PENDING).count() == (
        count
    )


def test_a_waiting_notice_to_a_guardian_barred_since_is_skipped_by_the_tick(cast, communication):
    thread = start_thread(cast, at(23, 10))
    messaging.message_send(thread=thread, by=cast.clinician, body="Reply", now=at(23, 21))
    Guardianship.objects.filter(pk=cast.guardianship.pk).update(access="none")

    tick(at(23, 21, 15))

    states = {n.user: n.state for n in emails(Kind.MESSAGE_NOTICE)}
    assert states == {cast.clinician: State.PENDING, cast.parent: State.SKIPPED}
    reasons = {n.user: n.skip_reason for n in emails(Kind.MESSAGE_NOTICE)}
    assert reasons[cast.parent] == OutgoingEmail.SkipReason.NO_LONGER_SEES


def test_a_waiting_notice_to_a_clinician_who_left_the_care_team_is_skipped(cast, communication):
    start_thread(cast, at(23, 22))
    cast.child.memberships.filter(clinician=cast.clinician).delete()

    tick(at(23, 22, 15))

    assert emails(Kind.MESSAGE_NOTICE)[0].state == State.SKIPPED


def test_safety_notices_are_handed_to_the_outbox_right_after_the_commit(
    cast, communication, grandmother, stepfather, monkeypatch, django_capture_on_commit_callbacks
):
    handed = []
    monkeypatch.setattr("practice.outbox.services._enqueue", handed.append)
    with django_capture_on_commit_callbacks(execute=True):
        record_concern(cast, stepfather, at(22, 3))
    assert sorted(handed) == sorted(n.pk for n in emails(Kind.SAFETY_NOTICE))


def test_reminders_due_now_are_handed_to_the_outbox_after_the_commit(
    cast, communication, monkeypatch, django_capture_on_commit_callbacks
):
    handed = []
    monkeypatch.setattr("engagement.notices.tasks.deliver_emails.delay", handed.append)
    session(cast, at(23, 15))  # due now
    session(cast, at(24, 9, 20))  # due at 09:20, after this tick: the outbox's sweep sends it
    with django_capture_on_commit_callbacks(execute=True):
        tick(at(23, 9))
    due = [r.pk for r in emails(Kind.SESSION_REMINDER) if r.send_after <= at(23, 9)]
    assert len(emails(Kind.SESSION_REMINDER)) == 2 and handed == [due]
