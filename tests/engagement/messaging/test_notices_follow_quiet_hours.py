"""Issue 12: message notices already waiting follow a change of quiet hours, and the email
delivery page says when a waiting email will go, in the practice's timezone."""

import datetime
import zoneinfo

from django.urls import reverse
from django.utils import timezone

from engagement.messaging import notices as services
from engagement.messaging import services as messaging
from practice.models import CommunicationPolicy, OutgoingEmail
from practice.policy.services import communication_policy_update
from tests.factories import OutgoingEmailFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
Kind = OutgoingEmail.Kind


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    # November 2026: the 23rd is a Monday.
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def _reply_at(cast, now) -> OutgoingEmail:
    """The care team replies at `now`; the notice to the parent waits for quiet hours."""
    thread = messaging.thread_start(
        child=cast.child, guardian=cast.parent, subject="Sleep", body="Hello", now=now
    )
    OutgoingEmail.objects.all().delete()
    messaging.message_send(thread=thread, by=cast.clinician, body="Evening", now=now)
    return OutgoingEmail.objects.get(kind=Kind.MESSAGE_NOTICE, user=cast.parent)


def test_a_waiting_notice_goes_earlier_when_the_quiet_hours_shrink(cast, communication):
    notice = _reply_at(cast, at(23, 21))
    assert notice.send_after == at(24, 8)
    communication.quiet_hours_start = datetime.time(22, 0)
    communication.quiet_hours_end = datetime.time(7, 0)
    communication.save()

    moved = services.message_notices_reschedule(communication=communication, now=at(23, 21, 30))

    notice.refresh_from_db()
    assert moved == 1 and notice.send_after == at(23, 21, 30)


def test_a_waiting_notice_goes_later_when_the_quiet_hours_grow(cast, communication):
    notice = _reply_at(cast, at(23, 21))
    communication.quiet_hours_end = datetime.time(9, 30)
    communication.save()

    services.message_notices_reschedule(communication=communication, now=at(23, 21, 30))

    notice.refresh_from_db()
    assert notice.send_after == at(24, 9, 30)


def test_a_notice_waiting_for_its_retry_keeps_the_outboxs_backoff(cast, communication):
    notice = _reply_at(cast, at(23, 21))
    OutgoingEmail.objects.filter(pk=notice.pk).update(attempts=1)
    communication.quiet_hours_start = datetime.time(22, 0)
    communication.save()

    assert services.message_notices_reschedule(communication=communication, now=at(23, 21, 30)) == 0
    notice.refresh_from_db()
    assert notice.send_after == at(24, 8)


def test_changing_the_quiet_hours_on_the_policy_moves_the_waiting_notices(
    cast, communication, django_capture_on_commit_callbacks
):
    # Given a notice written now, in quiet hours that began an hour ago and end in two
    now = timezone.now().astimezone(LONDON)
    communication.quiet_hours_start = datetime.time((now.hour - 1) % 24)
    communication.quiet_hours_end = datetime.time((now.hour + 2) % 24)
    communication.quiet_on_weekends = False
    communication.save()
    notice = _reply_at(cast, now)
    assert notice.send_after > now + datetime.timedelta(minutes=59)
    # When an admin moves the quiet hours away from now
    admin = cast.admin
    with django_capture_on_commit_callbacks(execute=True):
        communication_policy_update(
            communication=communication,
            user=admin,
            quiet_hours_start=datetime.time((now.hour + 3) % 24),
            quiet_hours_end=datetime.time((now.hour + 5) % 24),
        )
    # Then the waiting notice may go now
    notice.refresh_from_db()
    assert notice.send_after <= timezone.now()


def test_a_change_of_other_policy_fields_leaves_the_notices_alone(cast, communication, monkeypatch):
    from practice.policy.signals import communication_policy_changed

    called = []
    monkeypatch.setattr(services, "message_notices_reschedule", lambda **kw: called.append(kw))
    communication_policy_changed.send(
        sender=CommunicationPolicy, communication=communication, changed={"emergency_notice"}
    )
    assert called == []


# --- the delivery page says when a waiting email goes ----------------------------------------


def test_the_delivery_page_shows_when_a_waiting_email_goes_in_the_practice_timezone(
    client, cast, communication
):
    cast.practice.timezone = "America/New_York"
    cast.practice.save()
    goes = (timezone.now() + datetime.timedelta(days=2)).astimezone(NEW_YORK)
    goes = goes.replace(hour=8, minute=0, second=0, microsecond=0)
    OutgoingEmailFactory(
        key="waiting-notice",
        kind=Kind.MESSAGE_NOTICE,
        recipient=cast.parent.email,
        user=cast.parent,
        subject="New message",
        body_text="A new message is waiting.",
        send_after=goes,
    )
    client.force_login(cast.admin)

    page = client.get(reverse("outbox_list")).content.decode()

    assert f"waits until {goes:%-d %b} 08:00" in page
