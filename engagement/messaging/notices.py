"""New-message notices through the outbox: a new message tells the other side of the thread,
without a word of it, held until the recipient may be contacted (the practice's quiet hours and
weekends, and a parent's own times). Created in the same transaction as the message, so a
notice is never lost between a commit and a callback; the outbox delivers after the commit.
Session reminders are engagement/notices/; the safety notice is practice/safety/notices.py."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from practice.access import policy_for, policy_prefetches
from practice.models import CommunicationPolicy, Guardianship, OutgoingEmail, Practice, User
from practice.outbox.services import email_queue
from practice.policy.services import communication_policy_for
from practice.timing import NeverAllowed, contact_rules, next_allowed

from ..updates.schedule import rules_for_users
from .models import Message, MessageThread


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


# Reads -----------------------------------------------------------------------------------


def message_notice_recipients(thread: MessageThread, message: Message) -> list[User]:
    """The other side of the thread from the message's author.

    A family's message goes to the child's care team (a thread is between one guardian and the
    whole care team); the care team's goes to the thread's guardian only, and only while the
    access module still lets them see the child (access none: nothing)."""
    if message.from_family:
        return list(
            User.objects.filter(
                memberships__child_id=thread.child_id,
                role=User.Role.CLINICIAN,
                is_active=True,
            )
            .exclude(pk=message.author_id)
            .order_by("pk")
        )
    guardian = thread.guardian
    child_policy = policy_for(guardian, thread.child)
    if child_policy is None or not (child_policy.is_guardian and child_policy.own_items):
        return []
    return [guardian]


def pending_message_notices() -> list[tuple[OutgoingEmail, int]]:
    """(email with its user, thread id) of every new-message notice still waiting to go."""
    rows = OutgoingEmail.objects.filter(
        kind=OutgoingEmail.Kind.MESSAGE_NOTICE, state=OutgoingEmail.State.PENDING
    ).select_related("user")
    return [(email, int(email.key.split(":")[1])) for email in rows if email.key]


def threads_with_policy_data(ids: Iterable[int]) -> dict[int, MessageThread]:
    """Threads by id, with what policy_for needs for the care team and every guardian."""
    threads = MessageThread.objects.filter(pk__in=list(ids)).select_related("child")
    threads = threads.prefetch_related(
        *policy_prefetches(
            Guardianship.objects.exclude(access=Guardianship.Access.NONE), through="child__"
        )
    )
    return {thread.pk: thread for thread in threads}


def still_the_other_side(thread: MessageThread, user: User, practice, today) -> bool:
    """Whether a waiting notice may still go: the thread's guardian while they may see the
    child, or a clinician still on the child's care team."""
    if user is None or thread is None:
        return False
    child_policy = policy_for(user, thread.child, practice=practice, today=today)
    if child_policy is None:
        return False
    if child_policy.is_guardian:
        return child_policy.own_items and thread.guardian_id == user.pk
    return child_policy.is_care_team


# Writes ----------------------------------------------------------------------------------


def message_notice_key(thread_id: int, recipient_id: int, message_id: int) -> str:
    return f"message:{thread_id}:{recipient_id}:{message_id}"


def _has_pending_notice(thread: MessageThread, recipient: User) -> bool:
    """Coalescing: one waiting notice per thread and recipient already says "new message"."""
    return OutgoingEmail.objects.filter(
        user=recipient,
        kind=OutgoingEmail.Kind.MESSAGE_NOTICE,
        state=OutgoingEmail.State.PENDING,
        key__startswith=f"message:{thread.pk}:{recipient.pk}:",
    ).exists()


def message_notice_queue(
    *, message: Message, now: datetime.datetime | None = None
) -> list[OutgoingEmail]:
    """Tell the other side of the thread that a message is waiting, without a word of it.

    Held until the recipient may be contacted (the practice's quiet hours and weekends, and a
    parent's own times). One notice waits per thread and recipient: later messages join it.
    Call inside the transaction that saved the message (the thread's row, just updated, is
    locked, so two messages cannot both see no waiting notice)."""
    now = now or timezone.now()
    thread = message.thread
    practice = Practice.get()
    communication = communication_policy_for(practice)
    recipients = message_notice_recipients(thread, message)
    # A parent's own times count too; the care team has the practice's (no query for them).
    rules = rules_for_users({r.pk for r in recipients if r.is_parent}, communication)
    practice_rules = contact_rules(communication)
    queued = []
    for recipient in recipients:
        if _has_pending_notice(thread, recipient):
            continue
        try:
            send_after = next_allowed(rules.get(recipient.pk, practice_rules), now, practice.tz)
        except NeverAllowed:
            continue  # every minute is blocked for them: no notice rather than a wrong one
        email = email_queue(
            to=recipient.email,
            kind=OutgoingEmail.Kind.MESSAGE_NOTICE,
            name="message-notice",
            context={
                "recipient": recipient,
                "for_family": recipient.is_parent,
                "thread_url": _url("message_thread", thread.pk),
                "emergency_notice": communication.emergency_notice,
            },
            user=recipient,
            key=message_notice_key(thread.pk, recipient.pk, message.pk),
            send_after=send_after,
        )
        queued.append(email)
    return queued


def message_notices_skip_read(*, thread: MessageThread, reader: User) -> int:
    """The reader has seen the thread: their waiting notice has nothing left to tell."""
    return OutgoingEmail.objects.filter(
        user=reader,
        kind=OutgoingEmail.Kind.MESSAGE_NOTICE,
        state=OutgoingEmail.State.PENDING,
        key__startswith=f"message:{thread.pk}:{reader.pk}:",
    ).update(
        state=OutgoingEmail.State.SKIPPED,
        skip_reason=OutgoingEmail.SkipReason.READ,
        updated_at=timezone.now(),
    )


def message_notices_skip_stale(
    *, now: datetime.datetime | None = None, practice: Practice | None = None
) -> int:
    """Waiting notices whose recipient is no longer on the other side of the thread (a
    guardian whose access became none, a clinician who left the care team or the practice)
    become skipped. The reminder tick runs this every 15 minutes."""
    pending = pending_message_notices()
    if not pending:
        return 0
    now = now or timezone.now()
    practice = practice or Practice.get()
    today = now.astimezone(practice.tz).date()
    threads = threads_with_policy_data({thread_id for _email, thread_id in pending})
    stale = [
        email.pk
        for email, thread_id in pending
        if not still_the_other_side(threads.get(thread_id), email.user, practice, today)
    ]
    if not stale:
        return 0
    return OutgoingEmail.objects.filter(pk__in=stale, state=OutgoingEmail.State.PENDING).update(
        state=OutgoingEmail.State.SKIPPED,
        skip_reason=OutgoingEmail.SkipReason.NO_LONGER_SEES,
        updated_at=now,
    )


def message_notices_reschedule(
    *, communication: CommunicationPolicy, now: datetime.datetime | None = None
) -> int:
    """Waiting notices follow a change of quiet hours: each goes at its recipient's next
    allowed time from now, earlier when the hours shrank, later when they grew. Returns how
    many moved. Only notices not tried yet: a retry waits out the outbox's backoff, and the
    outbox checks the hours once more before it sends (practice/outbox/holds.py)."""
    now = now or timezone.now()
    waiting = list(
        OutgoingEmail.objects.filter(
            kind=OutgoingEmail.Kind.MESSAGE_NOTICE, state=OutgoingEmail.State.PENDING, attempts=0
        ).only("pk", "user_id", "send_after")
    )
    if not waiting:
        return 0
    moved = _new_send_times(waiting, communication, now, Practice.get().tz)
    for send_after, ids in moved.items():
        # Conditional on pending: a row a worker has just claimed is left to it.
        OutgoingEmail.objects.filter(
            pk__in=ids, state=OutgoingEmail.State.PENDING, attempts=0
        ).update(send_after=send_after, updated_at=now)
    return sum(len(ids) for ids in moved.values())


def _new_send_times(
    waiting: list[OutgoingEmail], communication: CommunicationPolicy, now: datetime.datetime, tz
) -> dict[datetime.datetime, list[int]]:
    """{new send_after: ids} for the notices whose time changes (one UPDATE per time)."""
    rules = rules_for_users({email.user_id for email in waiting if email.user_id}, communication)
    practice_rules = contact_rules(communication)
    moved: dict = defaultdict(list)
    for email in waiting:
        try:
            send_after = next_allowed(rules.get(email.user_id, practice_rules), now, tz)
        except NeverAllowed:
            continue  # no allowed minute at all: the outbox's own check leaves it as it is
        if send_after != max(email.send_after, now):
            moved[send_after].append(email.pk)
    return moved
