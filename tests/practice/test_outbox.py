"""The outbox: one row per email, delivered at least once with its Message-ID, retried with
backoff, failed after the last try and retryable; the admin's delivery page shows state,
never content."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from practice.models import AuditEvent, OutgoingEmail
from practice.outbox import services, tasks

# These tests are about delivery, at whatever hour they run; holds have tests of their own.
pytestmark = pytest.mark.usefixtures("always_allowed")

SECRET_SUBJECT = "Mia's anxiety plan"
SECRET_BODY = "Private clinical words about the Rowe family"


def queue(to="pat@test.example", **overrides) -> OutgoingEmail:
    fields = {
        "to": to,
        "kind": OutgoingEmail.Kind.MESSAGE_NOTICE,
        "subject": SECRET_SUBJECT,
        "text": SECRET_BODY,
        "html": f"<p>{SECRET_BODY}</p>",
        **overrides,
    }
    return services.email_queue_rendered(**fields)


def deliver(email: OutgoingEmail) -> OutgoingEmail:
    services.email_deliver(email_id=email.pk)
    email.refresh_from_db()
    return email


def refusing(error=None):
    return mock.patch(
        "practice.outbox.services._handoff",
        side_effect=error or smtplib.SMTPDataError(451, b"try again later"),
    )


# --- Queueing ------------------------------------------------------------------------------


def test_email_queue_renders_the_templates_stores_the_row_and_sends_after_the_commit(
    cast, django_capture_on_commit_callbacks
):
    # When an invitation is queued
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = services.email_queue(
            to="pat@test.example",
            kind=OutgoingEmail.Kind.INVITATION,
            name="invitation",
            context={"user": cast.parent, "invited_by": cast.admin, "url": "http://x/", "days": 7},
            user=cast.parent,
        )
        # Then nothing goes out before the commit
        assert mail.outbox == []
    # And the row holds the rendered email, sent once after the commit with its Message-ID
    assert len(callbacks) == 1
    email.refresh_from_db()
    assert email.subject == "Your invitation to Our practice"
    assert "Hello Pat Rowe" in email.body_text and "<p>" in email.body_html
    assert email.state == "sent" and email.attempts == 1 and email.sent_at is not None
    (message,) = mail.outbox
    assert message.to == ["pat@test.example"]
    assert message.message()["Message-ID"] == email.message_id
    assert message.alternatives[0][1] == "text/html"


def test_a_known_key_returns_the_existing_row_and_sends_nothing_twice(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(key="notice:1:pat")
        second = queue(key="notice:1:pat", text="another body")
    assert first.pk == second.pk
    assert OutgoingEmail.objects.filter(key="notice:1:pat").count() == 1
    assert len(mail.outbox) == 1


def test_extra_headers_go_out_beside_the_message_id(cast):
    email = queue(headers={"List-Unsubscribe": "<http://testserver/u/abc/>"})
    deliver(email)
    sent = mail.outbox[0].message()
    assert sent["List-Unsubscribe"] == "<http://testserver/u/abc/>"
    assert sent["Message-ID"] == email.message_id


def test_a_row_held_for_later_is_not_queued_at_once(cast, django_capture_on_commit_callbacks):
    later = timezone.now() + datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = queue(send_after=later)
    assert callbacks == []
    # And a worker that gets it early leaves it alone
    assert deliver(email).state == "pending" and email.attempts == 0
    assert mail.outbox == []


# --- Delivery, retries and the terminal state ----------------------------------------------


def test_an_smtp_error_puts_the_row_back_with_the_delay_from_settings(cast, settings):
    settings.OUTBOX_RETRY_DELAYS = [30, 90]
    email = queue()
    # When the server refuses the first try
    before = timezone.now()
    with refusing():
        deliver(email)
    # Then the row waits the first delay, with the server's answer (and no body) as its error
    assert email.state == "pending" and email.attempts == 1
    assert "SMTPDataError" in email.last_error and "try again later" in email.last_error
    assert SECRET_BODY not in email.last_error
    assert before + datetime.timedelta(seconds=30) <= email.send_after
    assert email.send_after <= timezone.now() + datetime.timedelta(seconds=30)
    # And a worker before that time does nothing
    assert deliver(email).attempts == 1
    # When the second try fails too, the wait is the second delay
    OutgoingEmail.objects.filter(pk=email.pk).update(send_after=timezone.now())
    with refusing(ConnectionRefusedError(111, "Connection refused")):
        deliver(email)
    assert email.state == "pending" and email.attempts == 2
    assert email.send_after >= timezone.now() + datetime.timedelta(seconds=89)
    # When the last try fails, the row is failed for good
    OutgoingEmail.objects.filter(pk=email.pk).update(send_after=timezone.now())
    with refusing():
        deliver(email)
    assert email.state == "failed" and email.attempts == 3
    assert mail.outbox == []


def test_a_later_try_that_works_sends_with_the_same_message_id(cast, settings):
    settings.OUTBOX_RETRY_DELAYS = [1]
    email = queue()
    message_id = email.message_id
    with refusing():
        deliver(email)
    OutgoingEmail.objects.filter(pk=email.pk).update(send_after=timezone.now())
    assert deliver(email).state == "sent" and email.attempts == 2
    assert mail.outbox[0].message()["Message-ID"] == message_id == email.message_id


def test_a_message_no_server_can_take_fails_at_once(cast):
    email = queue()
    with refusing(ValueError("bad header")):
        deliver(email)
    assert email.state == "failed" and email.attempts == 1


@pytest.mark.parametrize("state", ["sent", "skipped", "failed"])
def test_a_sent_skipped_or_failed_row_is_never_sent_again(cast, state):
    email = queue(state=state)
    deliver(email)
    services.emails_deliver_chunk([email.pk])
    assert email.state == state and email.attempts == 0
    assert mail.outbox == []


def test_a_skipped_row_is_not_queued(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue(state="skipped")
    assert callbacks == []


def test_a_chunk_goes_over_one_connection_and_one_refusal_does_not_stop_the_rest(cast):
    emails = [queue(to=f"parent{n}@test.example") for n in range(4)]
    real = services._handoff
    seen = []

    def handoff(connection, message):
        seen.append(id(connection))
        if message.to == ["parent1@test.example"]:
            raise smtplib.SMTPRecipientsRefused({"parent1@test.example": (450, b"busy")})
        real(connection, message)

    with mock.patch("practice.outbox.services._handoff", side_effect=handoff):
        tasks.deliver_emails.apply(args=[[e.pk for e in emails]])
    states = [deliver(e).state for e in emails]
    assert states == ["sent", "pending", "sent", "sent"]
    assert len(set(seen)) == 1
    assert sorted(m.to[0] for m in mail.outbox) == [
        "parent0@test.example",
        "parent2@test.example",
        "parent3@test.example",
    ]


# --- A worker that died mid-send, and the sweeper ------------------------------------------


def stuck(email: OutgoingEmail, seconds_ago: float) -> None:
    claimed = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        state="sending", attempts=1, claimed_at=claimed
    )


def test_a_row_stuck_in_sending_is_taken_again_after_the_timeout_but_not_before(cast, settings):
    settings.OUTBOX_STUCK_SECONDS = 600
    email = queue()
    # Given a worker that claimed the row 9 minutes ago and may still be sending
    stuck(email, 540)
    # Then another worker leaves it alone, and so does the sweeper
    assert deliver(email).state == "sending"
    assert services.stuck_emails_release(now=timezone.now()) == 0
    assert mail.outbox == []
    # When 11 minutes have passed, its worker must have died: the row is sent again, with the
    # same Message-ID
    stuck(email, 660)
    assert deliver(email).state == "sent" and email.attempts == 2
    assert mail.outbox[0].message()["Message-ID"] == email.message_id


def test_the_sweeper_releases_stuck_rows_and_queues_due_rows_in_chunks_once(cast, settings):
    settings.OUTBOX_CHUNK_SIZE = 2
    settings.OUTBOX_STUCK_SECONDS = 600
    due = [queue(to=f"parent{n}@test.example") for n in range(4)]
    held = queue(send_after=timezone.now() + datetime.timedelta(hours=1))
    stuck(due[3], 700)
    with mock.patch.object(tasks.deliver_emails, "delay") as delay:
        assert tasks.outbox_sweep.apply().get() == 4
        # A second sweep straight after finds nothing new to queue
        assert tasks.outbox_sweep.apply().get() == 0
    chunks = [call.args[0] for call in delay.call_args_list]
    assert [len(chunk) for chunk in chunks] == [2, 2]
    assert sorted(pk for chunk in chunks for pk in chunk) == sorted(e.pk for e in due)
    assert held.pk not in {pk for chunk in chunks for pk in chunk}
    due[3].refresh_from_db()
    assert due[3].state == "pending" and "worker stopped" in due[3].last_error
    # And the queued chunks send every due row
    for chunk in chunks:
        tasks.deliver_emails.apply(args=[chunk])
    assert len(mail.outbox) == 4


def test_the_sweeper_queues_again_a_row_whose_queued_task_was_lost(cast, settings):
    settings.OUTBOX_STUCK_SECONDS = 600
    email = queue()
    long_ago = timezone.now() - datetime.timedelta(seconds=700)
    OutgoingEmail.objects.filter(pk=email.pk).update(claimed_at=long_ago)
    with mock.patch.object(tasks.deliver_emails, "delay") as delay:
        tasks.outbox_sweep.apply()
    delay.assert_called_once_with([email.pk])


def test_a_row_stuck_after_its_last_try_fails(cast, settings):
    settings.OUTBOX_RETRY_DELAYS = []
    email = queue()
    stuck(email, 10_000)
    services.stuck_emails_release(now=timezone.now())
    email.refresh_from_db()
    assert email.state == "failed" and "worker stopped" in email.last_error


# --- Retry ---------------------------------------------------------------------------------


def test_retry_puts_a_failed_row_back_to_pending_audited_and_sends_it(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_RETRY_DELAYS = []
    email = queue()
    with refusing():
        deliver(email)
    assert email.state == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        services.email_retry(email=email, user=cast.admin)
    email.refresh_from_db()
    assert email.state == "sent" and email.attempts == 1
    event = AuditEvent.objects.get(action="email.retry")
    assert event.actor == cast.admin and event.target_id == str(email.pk)
    assert SECRET_BODY not in str(event.details) and SECRET_SUBJECT not in str(event.details)


def test_only_a_failed_row_can_be_retried(cast):
    email = queue()
    with pytest.raises(ValidationError):
        services.email_retry(email=email, user=cast.admin)


# --- The admin's delivery page -------------------------------------------------------------


@pytest.fixture
def failed(cast, settings) -> OutgoingEmail:
    settings.OUTBOX_RETRY_DELAYS = []
    email = queue()
    with refusing(smtplib.SMTPRecipientsRefused({"pat@test.example": (550, b"no such user")})):
        return deliver(email)


def test_the_delivery_page_shows_state_attempts_and_error_but_never_the_content(
    client, cast, failed
):
    sent = deliver(queue(to="olga@test.example"))
    client.force_login(cast.admin)
    html = client.get(reverse("outbox_list")).content.decode()
    assert "pat@test.example" in html and "olga@test.example" in html
    assert "no such user" in html and "Failed" in html and "Sent" in html
    assert reverse("outbox_retry", args=[failed.pk]) in html
    assert reverse("outbox_retry", args=[sent.pk]) not in html
    for secret in (SECRET_SUBJECT, "anxiety plan", SECRET_BODY, "clinical words"):
        assert secret not in html


def test_the_delivery_page_says_why_a_row_was_skipped_in_words(client, cast):
    reasons = OutgoingEmail.SkipReason
    for n, reason in enumerate([reasons.READ, reasons.NO_NEWS, reasons.REMINDER_STALE, ""]):
        OutgoingEmail.objects.create(
            kind=OutgoingEmail.Kind.MESSAGE_NOTICE,
            recipient=f"skipped{n}@test.example",
            state=OutgoingEmail.State.SKIPPED,
            skip_reason=reason,
        )
    client.force_login(cast.admin)
    html = client.get(reverse("outbox_list"), {"state": "skipped"}).content.decode()
    assert "They read the message in the portal before the notice went." in html
    assert "Nothing new to tell since the last update, so no email was needed." in html
    assert "The session was moved or cancelled, or they no longer get reminders for it." in html
    # A row skipped before reasons were kept still says something a person understands.
    assert "it was no longer needed when its time came." in html
    for code in ("no_news", "reminder_stale", ">read<"):
        assert code not in html


def test_the_delivery_page_filters_by_state_and_kind_and_counts_each_state(client, cast, failed):
    queue(to="olga@test.example", kind=OutgoingEmail.Kind.SESSION_REMINDER)
    client.force_login(cast.admin)
    failed_only = client.get(reverse("outbox_list"), {"state": "failed"})
    assert [e.pk for e in failed_only.context["page"]] == [failed.pk]
    reminders = client.get(reverse("outbox_list"), {"kind": "session_reminder"})
    assert [e.recipient for e in reminders.context["page"]] == ["olga@test.example"]
    counts = {state: n for state, _label, n in failed_only.context["counts"]}
    assert counts == {"pending": 1, "sending": 0, "sent": 0, "skipped": 0, "failed": 1}


def test_an_admin_sends_a_failed_email_again_from_the_page(client, cast, failed):
    client.force_login(cast.admin)
    with mock.patch("practice.outbox.services._enqueue") as enqueue:
        response = client.post(
            reverse("outbox_retry", args=[failed.pk]), {"here": "state=failed&evil=1"}
        )
    assert response.url == reverse("outbox_list") + "?state=failed"
    failed.refresh_from_db()
    assert failed.state == "pending" and failed.attempts == 0
    assert AuditEvent.objects.filter(action="email.retry", actor=cast.admin).exists()
    assert enqueue.call_count == 0  # queued only after the commit


def test_a_clinician_who_runs_the_practice_sees_the_page(client, cast):
    cast.clinician.is_practice_admin = True
    cast.clinician.save()
    client.force_login(cast.clinician)
    assert client.get(reverse("outbox_list")).status_code == 200


@pytest.mark.parametrize("who", ["clinician", "outsider", "parent", "barred", "other_parent"])
def test_everyone_but_an_admin_gets_404_on_the_delivery_page_and_its_retry(
    client, cast, failed, who
):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("outbox_list")).status_code == 404
    assert client.post(reverse("outbox_retry", args=[failed.pk])).status_code == 404
    failed.refresh_from_db()
    assert failed.state == "failed"


def test_the_operator_admin_lists_delivery_but_never_the_content(client, cast, failed):
    from practice.models import User

    operator = User.objects.create_superuser("op@test.example", "x", full_name="Op")
    client.force_login(operator)
    for url in (
        reverse("admin:practice_outgoingemail_changelist"),
        reverse("admin:practice_outgoingemail_change", args=[failed.pk]),
    ):
        html = client.get(url).content.decode()
        assert "pat@test.example" in html
        assert SECRET_SUBJECT not in html and SECRET_BODY not in html


# --- The last check before sending: quiet hours and a parent's own times -------------------


def quiet_from_now(communication, hours=2):
    """Quiet hours that hold the present (in the practice's timezone) and end `hours` on."""
    tz = communication.practice.tz
    local = timezone.localtime(timezone.now(), tz)
    communication.quiet_hours_start = (
        (local - datetime.timedelta(minutes=30)).time().replace(second=0, microsecond=0)
    )
    communication.quiet_hours_end = (
        (local + datetime.timedelta(hours=hours)).time().replace(second=0, microsecond=0)
    )
    communication.save()
    return local


def test_a_notice_that_reaches_the_worker_in_quiet_hours_waits_for_them_to_end(
    cast, always_allowed
):
    # Given a notice queued for now, and quiet hours that began a moment ago (a retry, a row
    # whose worker died, or a worker that fell behind brings it to the server at night)
    email = queue(user=cast.parent)
    quiet_from_now(always_allowed)
    # When a worker takes it, alone or in a chunk
    deliver(email)
    services.emails_deliver_chunk([email.pk])
    email.refresh_from_db()
    # Then nothing is sent: it waits, pending, until the quiet hours end
    assert mail.outbox == []
    assert email.state == "pending" and email.attempts == 0
    end = timezone.localtime(email.send_after, cast.practice.tz)
    assert (end.hour, end.minute) == (
        always_allowed.quiet_hours_end.hour,
        always_allowed.quiet_hours_end.minute,
    )


@pytest.mark.parametrize("kind", ["safety_notice", "invitation", "password_reset"])
def test_safety_notices_invitations_and_resets_go_whatever_the_hour(cast, always_allowed, kind):
    quiet_from_now(always_allowed)
    email = deliver(queue(kind=kind, user=cast.parent))
    assert email.state == "sent" and len(mail.outbox) == 1


def test_a_parents_own_times_hold_an_email_the_policy_would_let_go(cast, always_allowed):
    from engagement.updates.schedule import preference_for

    # Given a parent who asked not to be emailed on this weekday, and no quiet hours
    today = timezone.localtime(timezone.now(), cast.practice.tz).weekday()
    pref = preference_for(cast.parent)
    pref.no_contact_days = [today]
    pref.save()
    mine = queue(user=cast.parent, to=cast.parent.email)
    staff = queue(user=cast.clinician, to=cast.clinician.email)
    # When both reach a worker
    services.emails_deliver_chunk([mine.pk, staff.pk])
    mine.refresh_from_db()
    staff.refresh_from_db()
    # Then the clinician's goes, and the parent's waits until tomorrow
    assert staff.state == "sent" and [m.to for m in mail.outbox] == [[cast.clinician.email]]
    assert mine.state == "pending"
    assert timezone.localtime(mine.send_after, cast.practice.tz).weekday() == (today + 1) % 7


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_never_breaks_the_commit_that_queued_an_email(monkeypatch, caplog):
    # The email is saved with the transaction; handing it to the worker happens after the commit
    # and may fail (Redis down, a broker folder missing). That failure is logged, never raised
    # into the page: the worker's sweep sends the pending row later.
    from django.db import transaction

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.deliver_email, "delay", broker_down)
    with transaction.atomic():
        email = services.email_queue_rendered(
            to="pat@test.example", kind="notice", subject="S", text="T", html=""
        )
    email.refresh_from_db()
    assert email.state == "pending"
    assert "broker down" in caplog.text
