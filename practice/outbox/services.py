"""The outbox: every email the practice sends is a row first, then delivered by Celery.

Delivery is at least once per row, always with the row's Message-ID. A worker claims a row in
a short transaction (state `sending`, attempts + 1), commits, hands the message to SMTP and
then marks it `sent`. A worker that dies between the claim and the mark leaves the row in
`sending`; after OUTBOX_STUCK_SECONDS the sweeper (or any worker) takes it again, so a repeat
is possible and carries the same Message-ID. Bodies are never logged: they may carry clinical
text.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db import connection as db
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import audit
from ..commit import after_commit
from ..emails import render_email
from .holds import holds
from .models import OutgoingEmail
from .signals import email_state_changed

logger = logging.getLogger(__name__)

State = OutgoingEmail.State
# Errors worth another try later: the server or the network, not the message.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


def _describe(error: BaseException) -> str:
    # The exception names the server's answer, never the message body.
    return f"{type(error).__name__}: {error}"[:500]


def max_attempts() -> int:
    return len(settings.OUTBOX_RETRY_DELAYS) + 1


# --- Queueing ------------------------------------------------------------------------------


def _enqueue(email_id: int) -> None:
    from .tasks import deliver_email

    deliver_email.delay(email_id)


def email_queue(
    *,
    to: str,
    kind: str,
    name: str,
    context: dict,
    user=None,
    key: str | None = None,
    send_after: datetime.datetime | None = None,
    headers: dict | None = None,
) -> OutgoingEmail:
    """Render emails/<name>-* and queue the result; a known `key` returns the existing row."""
    if key is not None:
        existing = OutgoingEmail.objects.filter(key=key).first()
        if existing is not None:
            return existing
    subject, text, html = render_email(name, context)
    return email_queue_rendered(
        to=to,
        kind=kind,
        subject=subject,
        text=text,
        html=html,
        user=user,
        key=key,
        send_after=send_after,
        headers=headers,
    )


def email_queue_rendered(
    *,
    to: str,
    kind: str,
    subject: str,
    text: str,
    html: str,
    user=None,
    key: str | None = None,
    send_after: datetime.datetime | None = None,
    headers: dict | None = None,
    state: str = State.PENDING,
) -> OutgoingEmail:
    """Store an already rendered email; delivery is queued after the commit when it is due."""
    email = OutgoingEmail(
        key=key,
        kind=kind,
        recipient=to,
        user=user,
        state=state,
        subject=subject[:255],
        body_text=text,
        body_html=html,
        headers=headers or {},
        send_after=send_after or timezone.now(),
    )
    try:
        # A savepoint, so a lost race on the key leaves the caller's transaction usable.
        with transaction.atomic():
            email.save(force_insert=True)
    except IntegrityError:
        if key is None:
            raise
        return OutgoingEmail.objects.get(key=key)
    if state == State.PENDING and email.send_after <= timezone.now():
        # robust: a broker that is down must not undo the commit; the sweeper sends it later.
        after_commit(_enqueue, email.pk, robust=True)
    return email


# --- Delivery ------------------------------------------------------------------------------


def _claimable(email: OutgoingEmail, now: datetime.datetime) -> bool:
    if email.state == State.PENDING:
        return email.send_after <= now
    if email.state == State.SENDING:
        stuck_before = now - datetime.timedelta(seconds=settings.OUTBOX_STUCK_SECONDS)
        return email.claimed_at is not None and email.claimed_at < stuck_before
    return False


def _hold(waits: dict[int, datetime.datetime]) -> bool:
    """Rows that may not go now wait, pending, until their next allowed time (holds.py)."""
    by_time: dict[datetime.datetime, list[int]] = {}
    for pk, until in waits.items():
        by_time.setdefault(until, []).append(pk)
    # One UPDATE per distinct time (usually one: the end of tonight's quiet hours).
    for until, pks in by_time.items():
        OutgoingEmail.objects.filter(pk__in=pks).update(
            state=State.PENDING, send_after=until, claimed_at=None, updated_at=timezone.now()
        )
    return bool(waits)


def _claim(email_id: int) -> OutgoingEmail | None:
    """Take the row for one attempt, in a transaction of its own; None when not ours to send."""
    now = timezone.now()
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or not _claimable(email, now):
            return None
        if email.state == State.SENDING and email.attempts >= max_attempts():
            _give_up_stuck(email)
            return None
        if _hold(holds([email], now)):
            return None
        email.state = State.SENDING
        email.attempts += 1
        email.claimed_at = now
        email.save(update_fields=["state", "attempts", "claimed_at", "updated_at"])
    return email


def _message(email: OutgoingEmail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        email.subject,
        email.body_text,
        settings.DEFAULT_FROM_EMAIL,
        [email.recipient],
        headers={"Message-ID": email.message_id, **email.headers},
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def _handoff(connection, message: EmailMultiAlternatives) -> None:
    """The SMTP handoff itself (one name, so tests can stop a worker right before or after)."""
    connection.send_messages([message])


def _mark_sent(email: OutgoingEmail) -> None:
    email.state = State.SENT
    email.sent_at = timezone.now()
    OutgoingEmail.objects.filter(pk=email.pk, state=State.SENDING).update(
        state=State.SENT, sent_at=email.sent_at, updated_at=email.sent_at
    )
    logger.info("outbox: sent email %s (%s), attempt %s", email.pk, email.kind, email.attempts)
    email_state_changed.send(sender=OutgoingEmail, email=email)


def _mark_attempt_failed(email: OutgoingEmail, error: BaseException, *, transient: bool) -> None:
    """Back to pending after the delay for this attempt, or failed after the last one."""
    now = timezone.now()
    delays = settings.OUTBOX_RETRY_DELAYS
    email.last_error = _describe(error)
    email.claimed_at = None
    if transient and email.attempts <= len(delays):
        email.state = State.PENDING
        email.send_after = now + datetime.timedelta(seconds=delays[email.attempts - 1])
    else:
        email.state = State.FAILED
    OutgoingEmail.objects.filter(pk=email.pk, state=State.SENDING).update(
        state=email.state,
        send_after=email.send_after,
        last_error=email.last_error,
        claimed_at=None,
        updated_at=now,
    )
    logger.warning(
        "outbox: email %s (%s) attempt %s failed, now %s: %s",
        email.pk,
        email.kind,
        email.attempts,
        email.state,
        email.last_error,
    )
    email_state_changed.send(sender=OutgoingEmail, email=email)


def _send_claimed(email: OutgoingEmail, connection) -> bool:
    """Hand one claimed row to SMTP and record the outcome; False when it did not go."""
    try:
        connection.open()  # no-op while a chunk's connection is already open
        _handoff(connection, _message(email, connection))
    except TRANSIENT_ERRORS as error:
        _mark_attempt_failed(email, error, transient=True)
        return False
    except (ValueError, TypeError, UnicodeError) as error:
        # The message itself cannot be sent (a bad address or header): no retry helps.
        _mark_attempt_failed(email, error, transient=False)
        return False
    _mark_sent(email)
    return True


def _close(connection) -> None:
    try:
        connection.close()
    except TRANSIENT_ERRORS:
        pass


def email_deliver(*, email_id: int) -> None:
    """Send one row if it is still ours to send (pending and due, or stuck in sending)."""
    email = _claim(email_id)
    if email is None:
        return
    connection = get_connection()
    try:
        _send_claimed(email, connection)
    finally:
        _close(connection)


@contextmanager
def _bookkeeping():
    """A transaction for the outbox's own state changes (claimed, sent). On PostgreSQL it
    commits without waiting for the WAL flush: should the database crash in that instant, the
    change is lost and the row is simply sent again, with the same Message-ID, which delivery
    at least once allows. It saves a disk flush per chunk and per batch of marks."""
    with transaction.atomic():
        if db.vendor == "postgresql":
            with db.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _claim_chunk(ids: list[int]) -> list[OutgoingEmail]:
    """Take every row of a chunk that is ours to send, in one short transaction: one SELECT
    ... FOR UPDATE SKIP LOCKED and one UPDATE, instead of a transaction per row. A row that
    another worker holds is skipped (that worker sends it); a stuck row at its last try is
    left to the sweeper, which gives it up as failed."""
    now = timezone.now()
    stuck_before = now - datetime.timedelta(seconds=settings.OUTBOX_STUCK_SECONDS)
    claimable = Q(state=State.PENDING, send_after__lte=now) | Q(
        state=State.SENDING, claimed_at__lt=stuck_before, attempts__lt=max_attempts()
    )
    with _bookkeeping():
        emails = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(claimable, pk__in=ids)
            .order_by("pk")
        )
        waits = holds(emails, now)
        if waits:
            _hold(waits)
            emails = [email for email in emails if email.pk not in waits]
        if emails:
            OutgoingEmail.objects.filter(pk__in=[e.pk for e in emails]).update(
                state=State.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
            )
    for email in emails:
        email.state = State.SENDING
        email.attempts += 1
        email.claimed_at = now
    return emails


def _mark_all_sent(emails: list[OutgoingEmail]) -> None:
    """Rows handed to SMTP, marked sent with one UPDATE. A worker that dies before this leaves
    them in `sending`: they go again after OUTBOX_STUCK_SECONDS, with the same Message-ID."""
    if not emails:
        return
    sent_at = timezone.now()
    with _bookkeeping():
        OutgoingEmail.objects.filter(pk__in=[e.pk for e in emails], state=State.SENDING).update(
            state=State.SENT, sent_at=sent_at, updated_at=sent_at
        )
    for email in emails:
        email.state = State.SENT
        email.sent_at = sent_at
        email_state_changed.send(sender=OutgoingEmail, email=email)
    logger.info("outbox: sent %s emails", len(emails))
    emails.clear()


def emails_deliver_chunk(ids: list[int]) -> None:
    """Send many rows over one SMTP connection: claimed together, marked sent a few at a time
    (OUTBOX_MARK_EVERY), so a chunk costs a handful of queries rather than two transactions
    per email. After an error the next row reconnects."""
    emails_send_claimed(_claim_chunk(ids))


def emails_send_claimed(emails: list[OutgoingEmail]) -> None:
    """Send rows this worker has claimed: by _claim_chunk, or created already claimed (state
    `sending`, attempts 1, claimed_at) by a producer that sends what it just rendered without
    reading it back. Should the worker die, they go again after OUTBOX_STUCK_SECONDS."""
    if not emails:
        return
    connection = get_connection()
    handed: list[OutgoingEmail] = []
    try:
        for email in emails:
            try:
                connection.open()  # no-op while the connection is open
                _handoff(connection, _message(email, connection))
            except TRANSIENT_ERRORS as error:
                _mark_all_sent(handed)
                _mark_attempt_failed(email, error, transient=True)
                _close(connection)
                continue
            except (ValueError, TypeError, UnicodeError) as error:
                _mark_all_sent(handed)
                _mark_attempt_failed(email, error, transient=False)
                continue
            handed.append(email)
            if len(handed) >= settings.OUTBOX_MARK_EVERY:
                _mark_all_sent(handed)
    finally:
        _mark_all_sent(handed)
        _close(connection)


# --- Retry and the sweeper -----------------------------------------------------------------


@transaction.atomic
def email_retry(*, email: OutgoingEmail, user, request=None) -> OutgoingEmail:
    """A failed row gets a fresh set of tries; audited (which row, never what it says)."""
    email = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
    if email.state != State.FAILED:
        raise ValidationError(_("Only an email that failed can be sent again."))
    previous_attempts = email.attempts
    email.state = State.PENDING
    email.attempts = 0
    email.send_after = timezone.now()
    email.claimed_at = None
    email.save(update_fields=["state", "attempts", "send_after", "claimed_at", "updated_at"])
    audit(
        actor=user,
        action="email.retry",
        target=email,
        request=request,
        kind=email.kind,
        previous_attempts=previous_attempts,
    )
    after_commit(_enqueue, email.pk, robust=True)
    after_commit(email_state_changed.send, sender=OutgoingEmail, email=email)
    return email


STOPPED = "The worker stopped while sending (attempt %(attempt)s)."


def _give_up_stuck(email: OutgoingEmail) -> None:
    email.state = State.FAILED
    email.claimed_at = None
    email.last_error = STOPPED % {"attempt": email.attempts}
    email.save(update_fields=["state", "claimed_at", "last_error", "updated_at"])
    after_commit(email_state_changed.send, sender=OutgoingEmail, email=email)


def stuck_emails_release(*, now: datetime.datetime) -> int:
    """Rows left in `sending` by a worker that died go back to pending (failed after the last
    try). A conditional update: two sweeps at once release each row once."""
    stuck_before = now - datetime.timedelta(seconds=settings.OUTBOX_STUCK_SECONDS)
    stuck = OutgoingEmail.objects.filter(state=State.SENDING, claimed_at__lt=stuck_before)
    for email in stuck.filter(attempts__gte=max_attempts()):
        with transaction.atomic():
            if stuck.filter(pk=email.pk).select_for_update().exists():
                _give_up_stuck(email)
    return stuck.update(
        state=State.PENDING,
        send_after=now,
        claimed_at=None,
        last_error="The worker stopped while sending; sending again.",
        updated_at=now,
    )


def due_email_chunks(*, now: datetime.datetime, chunk_size: int) -> Iterator[list[int]]:
    """Claim due pending rows for the queue, a chunk at a time.

    For a pending row, claimed_at says when it was last handed to the queue: a second sweep
    leaves it alone, unless that was so long ago that the queued task must have been lost.
    """
    requeue_before = now - datetime.timedelta(seconds=settings.OUTBOX_STUCK_SECONDS)
    due = (
        OutgoingEmail.objects.filter(state=State.PENDING, send_after__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=requeue_before))
        .order_by("send_after", "pk")
    )
    while True:
        with transaction.atomic():
            locked = due.select_for_update(skip_locked=True)
            ids = list(locked.values_list("pk", flat=True)[:chunk_size])
            OutgoingEmail.objects.filter(pk__in=ids).update(claimed_at=now)
        if not ids:
            return
        yield ids
