"""Messages between a guardian and the care team, inside the practice's CommunicationPolicy:
each guardian's threads are their own, the daily limit holds, nothing sent is ever changed, and
the caseload lists family messages past the response time in business days."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from engagement.messaging import services
from engagement.messaging.models import Message, MessageThread
from engagement.messaging.selectors import overdue_threads
from engagement.messaging.timing import business_days_between, is_overdue, local_midnight
from practice.models import AuditEvent, CommunicationPolicy
from tests.factories import ClinicianFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
SECRET = "Worried about the night terrors QZX"


def _at(day: int, hour: int = 10) -> datetime.datetime:
    # November 2026: the 20th is a Friday, the 21st and 22nd the weekend, the 23rd a Monday.
    return datetime.datetime(2026, 11, day, hour, tzinfo=LONDON)


def _start(cast, guardian=None, body=SECRET, now=None) -> MessageThread:
    return services.thread_start(
        child=cast.child,
        guardian=guardian or cast.parent,
        subject="Night terrors",
        body=body,
        now=now,
    )


# --- Business days --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, days",
    [
        (_at(20, 17), _at(20, 23), 0),  # the same Friday
        (_at(20, 17), _at(21), 0),  # Saturday
        (_at(20, 17), _at(22), 0),  # Sunday
        (_at(20, 17), _at(23), 1),  # Monday
        (_at(20, 17), _at(24), 2),  # Tuesday
        (_at(21), _at(23), 1),  # sent on Saturday: Monday is the first business day
        (_at(20), _at(27), 5),  # a week later
        (_at(16), _at(30), 10),  # two weeks, across two weekends
    ],
)
def test_business_days_skip_the_weekend(start, end, days):
    assert business_days_between(start, end, LONDON) == days


def test_business_days_count_local_dates_not_utc():
    # 23:30 in UTC on Sunday is already Monday in Auckland
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    sunday_night_utc = datetime.datetime(2026, 11, 22, 11, 30, tzinfo=datetime.UTC)
    friday = datetime.datetime(2026, 11, 20, 10, tzinfo=auckland)
    assert business_days_between(friday, sunday_night_utc, auckland) == 1


def test_a_friday_message_is_overdue_only_after_two_business_days():
    assert not is_overdue(_at(20), _at(24, 18), LONDON, 2)  # Tuesday: still within
    assert is_overdue(_at(20), _at(25, 9), LONDON, 2)  # Wednesday: past it


def test_local_midnight_is_in_the_practice_timezone():
    now = datetime.datetime(2026, 7, 1, 23, 30, tzinfo=datetime.UTC)  # 00:30 on 2 July in London
    assert local_midnight(now, LONDON) == datetime.datetime(2026, 7, 2, tzinfo=LONDON)


# --- Who sees which thread --------------------------------------------------------------------


def test_a_guardian_starts_a_thread_and_it_shows_at_once(client, cast):
    client.force_login(cast.parent)
    response = client.post(
        reverse("message_thread_start", args=[cast.child.pk]),
        {"subject": "Night terrors", "body": SECRET},
    )
    thread = MessageThread.objects.get()
    assert response.url == reverse("message_thread", args=[thread.pk])
    assert SECRET in client.get(response.url).content.decode()
    assert (thread.guardian, thread.child, thread.last_from_family) == (
        cast.parent,
        cast.child,
        True,
    )


def test_every_message_form_shows_the_emergency_notice_and_the_response_time(client, cast):
    communication, _ = CommunicationPolicy.objects.get_or_create(practice=cast.practice)
    communication.emergency_notice = "Call 999 if your child is in danger"
    communication.response_time_business_days = 3
    communication.save()
    thread = _start(cast)
    client.force_login(cast.parent)
    for url in [
        reverse("message_thread_start", args=[cast.child.pk]),
        reverse("message_thread", args=[thread.pk]),
        reverse("portal_messages"),
    ]:
        page = client.get(url).content.decode()
        assert "Call 999 if your child is in danger" in page, url
        assert "You can expect a reply within 3 business days" in page, url


def test_a_co_parent_never_sees_another_guardians_threads(client, cast, co_parent):
    # Given a co-parent with full access to the same child, and Pat's thread
    thread = _start(cast)
    client.force_login(co_parent)
    # Then nowhere in the co-parent's portal is Pat's message, and its URL is a 404
    for url in [reverse("portal_home"), reverse("portal_messages")]:
        page = client.get(url).content.decode()
        assert SECRET not in page and "Night terrors" not in page
    assert client.get(reverse("message_thread", args=[thread.pk])).status_code == 404
    response = client.post(reverse("message_thread", args=[thread.pk]), {"body": "Hi"})
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["barred", "other_parent", "outsider", "admin"])
def test_who_may_not_see_a_thread_gets_404(client, cast, who):
    thread = _start(cast)
    client.force_login(getattr(cast, who))
    assert client.get(reverse("message_thread", args=[thread.pk])).status_code == 404
    assert Message.objects.count() == 1


@pytest.mark.parametrize("who", ["barred", "other_parent"])
def test_a_guardian_without_access_cannot_start_a_thread(client, cast, who):
    client.force_login(getattr(cast, who))
    url = reverse("message_thread_start", args=[cast.child.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"subject": "Hello", "body": "Hello"}).status_code == 404
    assert not MessageThread.objects.exists()
    with pytest.raises(PermissionDenied):
        _start(cast, guardian=getattr(cast, who))


def test_a_barred_guardian_sees_no_threads_at_all(client, cast):
    _start(cast)
    client.force_login(cast.barred)
    page = client.get(reverse("portal_messages")).content.decode()
    assert SECRET not in page and "Night terrors" not in page
    assert "Mia" not in page


def test_the_care_team_sees_every_thread_on_the_child_page_and_replies(client, cast):
    thread = _start(cast)
    client.force_login(cast.clinician)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "Night terrors" in page and "Pat Rowe" in page
    response = client.post(reverse("message_thread", args=[thread.pk]), {"body": "Call us."})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.last_from_family is False
    # And the parent sees one unread message on the portal home
    client.force_login(cast.parent)
    assert "1 new message from the care team" in client.get(reverse("portal_home")).content.decode()
    client.get(reverse("message_thread", args=[thread.pk]))
    assert "new message" not in client.get(reverse("portal_home")).content.decode()


def test_the_office_sees_no_message_on_the_child_page(client, cast):
    _start(cast)
    client.force_login(cast.admin)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "Night terrors" not in page and SECRET not in page


# --- The daily limit --------------------------------------------------------------------------


def test_the_daily_limit_holds_with_a_clear_message_and_the_text_kept(client, cast):
    communication, _ = CommunicationPolicy.objects.get_or_create(practice=cast.practice)
    communication.daily_message_limit = 2
    communication.save()
    thread = _start(cast)
    services.message_send(thread=thread, by=cast.parent, body="And another thing")
    client.force_login(cast.parent)
    typed = "One more thing I forgot to say"
    response = client.post(reverse("message_thread", args=[thread.pk]), {"body": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert "You have sent today&#x27;s 2 messages" in page
    assert typed in page
    assert Message.objects.count() == 2
    # Nor can a new thread get round it
    response = client.post(
        reverse("message_thread_start", args=[cast.child.pk]), {"subject": "New", "body": typed}
    )
    assert "You have sent today&#x27;s 2 messages" in response.content.decode()
    assert MessageThread.objects.count() == 1


def test_the_daily_limit_starts_again_at_local_midnight(cast):
    communication, _ = CommunicationPolicy.objects.get_or_create(practice=cast.practice)
    communication.daily_message_limit = 1
    communication.save()
    tz = cast.practice.tz
    evening = datetime.datetime(2026, 11, 24, 23, 50, tzinfo=tz)
    thread = _start(cast, now=evening)
    with pytest.raises(ValidationError):
        services.message_send(
            thread=thread, by=cast.parent, body="x", now=evening + datetime.timedelta(minutes=5)
        )
    services.message_send(
        thread=thread, by=cast.parent, body="y", now=evening + datetime.timedelta(minutes=15)
    )
    assert Message.objects.count() == 2


def test_the_care_teams_replies_do_not_count_against_the_limit(cast):
    communication, _ = CommunicationPolicy.objects.get_or_create(practice=cast.practice)
    communication.daily_message_limit = 1
    communication.save()
    thread = _start(cast)
    for body in ["one", "two", "three"]:
        services.message_send(thread=thread, by=cast.clinician, body=body)
    assert Message.objects.filter(from_family=False).count() == 3


# --- Never edited, never deleted; audited without the body ------------------------------------


def test_a_sent_message_cannot_be_edited_or_deleted(cast):
    _start(cast)
    message = Message.objects.get()
    message.body = "Changed"
    with pytest.raises(PermissionError):
        message.save()
    with pytest.raises(PermissionError):
        message.delete()
    with pytest.raises(PermissionError):
        Message.objects.update(body="Changed")
    with pytest.raises(PermissionError):
        Message.objects.all().delete()
    assert Message.objects.get().body == SECRET


def test_each_message_is_audited_without_its_body(cast):
    thread = _start(cast)
    services.message_send(thread=thread, by=cast.clinician, body="Reply QZX")
    events = AuditEvent.objects.filter(action="message.send")
    assert {e.actor for e in events} == {cast.parent, cast.clinician}
    assert all(e.child == cast.child for e in events)
    for event in events:
        assert SECRET not in str(event.details) and "QZX" not in str(event.details)


def test_a_clinician_off_the_care_team_cannot_reply(cast):
    thread = _start(cast)
    with pytest.raises(PermissionDenied):
        services.message_send(thread=thread, by=cast.outsider, body="Hello")


# --- Overdue threads on the caseload ----------------------------------------------------------


def test_only_family_messages_past_the_response_time_are_overdue(cast):
    friday = datetime.datetime(2026, 11, 20, 10, tzinfo=cast.practice.tz)
    waiting = _start(cast, now=friday)
    answered = _start(cast, now=friday)
    services.message_send(thread=answered, by=cast.clinician, body="Yes", now=friday)
    recent = _start(cast, now=friday + datetime.timedelta(days=3))  # Monday
    wednesday = friday + datetime.timedelta(days=5)
    tuesday = friday + datetime.timedelta(days=4)
    assert overdue_threads(cast.clinician, cast.practice, tuesday) == []
    assert overdue_threads(cast.clinician, cast.practice, wednesday) == [waiting]
    assert recent not in overdue_threads(cast.clinician, cast.practice, wednesday)


def test_the_caseload_lists_overdue_threads_only_for_the_care_team(client, cast):
    long_ago = timezone.now() - datetime.timedelta(days=14)
    _start(cast, now=long_ago)
    client.force_login(cast.clinician)
    page = client.get(reverse("caseload")).content.decode()
    assert "Messages waiting for a reply" in page and "Night terrors" in page
    client.force_login(cast.outsider)
    page = client.get(reverse("caseload")).content.decode()
    assert "Messages waiting for a reply" not in page and "Night terrors" not in page


def test_the_caseload_reads_all_threads_in_one_query(cast, django_assert_num_queries):
    CommunicationPolicy.objects.update_or_create(
        practice=cast.practice, defaults={"daily_message_limit": 10}
    )
    long_ago = timezone.now() - datetime.timedelta(days=14)
    for _ in range(5):
        _start(cast, now=long_ago)
        cast.child.memberships.create(clinician=ClinicianFactory())
    with django_assert_num_queries(2):  # the communication policy, then the threads
        assert len(overdue_threads(cast.clinician, cast.practice, timezone.now())) == 5


# --- Free text: a stated limit, a clear error, nothing lost ---------------------------------

PASTE = "A whole letter pasted in. " * 40_000  # about 1 MB


def test_a_huge_message_gets_a_clear_error_and_the_text_is_kept(client, cast):
    client.force_login(cast.parent)
    url = reverse("message_thread_start", args=[cast.child.pk])
    assert "Up to 5,000 characters." in client.get(url).content.decode()
    response = client.post(url, {"subject": "Kept subject", "body": PASTE})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please shorten this to 5000 characters or fewer (it has 1039999)" in page
    assert response.context["form"]["body"].value() == PASTE and "Kept subject" in page
    assert not MessageThread.objects.exists()


def test_nul_bytes_in_a_message_or_a_reply_are_a_form_error(client, cast):
    thread = _start(cast)
    client.force_login(cast.parent)
    response = client.post(
        reverse("message_thread_start", args=[cast.child.pk]),
        {"subject": "Hi", "body": "Bad\x00byte"},
    )
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    response = client.post(reverse("message_thread", args=[thread.pk]), {"body": "Bad\x00byte"})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert Message.objects.count() == 1
