"""Writes for messages: a guardian starts a thread for a child they may see, either side
replies, each side marks what it has read. The CommunicationPolicy's daily limit holds for
every message a parent sends; the audit never carries a body."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practice.access import ChildPolicy, policy_for
from practice.auditlog.services import audit
from practice.fragments import touch_children
from practice.models import Child, Practice, User
from practice.once import create_once
from practice.policy.services import communication_policy_for

from .models import Message, MessageThread
from .notices import message_notice_queue, message_notices_skip_read
from .timing import local_midnight


def sent_today(parent: User, now: datetime.datetime, practice: Practice) -> int:
    """Messages this parent has sent since local midnight, across all their threads."""
    since = local_midnight(now, practice.tz)
    return Message.objects.filter(author=parent, from_family=True, sent_at__gte=since).count()


def _check_daily_limit(parent: User, now: datetime.datetime, practice: Practice) -> None:
    # Serialise one parent's sends so two tabs cannot both take the last message of the day.
    User.objects.select_for_update().filter(pk=parent.pk).first()
    limit = communication_policy_for(practice).daily_message_limit
    if sent_today(parent, now, practice) >= limit:
        raise ValidationError(
            ngettext(
                "You have sent today's %(limit)d message. Your text is kept below: you can "
                "send it tomorrow. If it cannot wait, please phone the practice.",
                "You have sent today's %(limit)d messages. Your text is kept below: you can "
                "send it tomorrow. If it cannot wait, please phone the practice.",
                limit,
            )
            % {"limit": limit},
            code="daily_limit",
        )


def _family_policy(user: User, child: Child) -> ChildPolicy:
    child_policy = policy_for(user, child)
    if child_policy is None or not (child_policy.is_guardian and child_policy.own_items):
        raise PermissionDenied(_("Only the child's family can start a message here."))
    return child_policy


def _post(
    thread: MessageThread, by: User, body: str, from_family: bool, now, once_key=None
) -> Message:
    if thread.child.is_discharged:
        raise ValidationError(_("Therapy has finished: this conversation is kept, read-only."))
    message = Message(
        thread=thread,
        author=by,
        from_family=from_family,
        body=body,
        sent_at=now,
        once_key=once_key,
    )
    message.full_clean()
    message.save()
    MessageThread.objects.filter(pk=thread.pk).update(
        last_message_at=now,
        last_from_family=from_family,
        status=MessageThread.Status.OPEN,
        **({"family_read_at": now} if from_family else {"care_team_read_at": now}),
    )
    touch_children([thread.child_id])
    thread.refresh_from_db()
    # In this transaction: the notice (no content, held out of quiet hours) commits with the
    # message, and the outbox sends it after the commit.
    message_notice_queue(message=message, now=now)
    return message


@transaction.atomic
def thread_start(
    *,
    child: Child,
    guardian: User,
    subject: str,
    body: str,
    ip_address: str | None = None,
    now=None,
    once_key: uuid.UUID | None = None,
) -> MessageThread:
    """A guardian's new thread with its first message (and one notice to the care team). The
    same `once_key` again (a double click, a second tab) returns the thread already started,
    without counting against the daily limit."""
    now = now or timezone.now()
    practice = Practice.get()
    _family_policy(guardian, child)

    def create() -> MessageThread:
        _check_daily_limit(guardian, now, practice)
        thread = MessageThread(
            child=child,
            guardian=guardian,
            subject=subject.strip(),
            created_at=now,
            last_message_at=now,
            once_key=once_key,
        )
        thread.full_clean()
        thread.save()
        message = _post(thread, guardian, body.strip(), True, now)
        _audit(guardian, message, thread, ip_address, started=True)
        return thread

    return create_once(MessageThread, once_key, create)[0]


@transaction.atomic
def message_send(
    *,
    thread: MessageThread,
    by: User,
    body: str,
    ip_address: str | None = None,
    now=None,
    once_key: uuid.UUID | None = None,
) -> Message:
    """A reply in a thread: from its guardian, or from a clinician on the child's care team.
    Sent once per `once_key`."""
    now = now or timezone.now()
    child_policy = policy_for(by, thread.child)
    from_family = bool(child_policy and child_policy.is_guardian and thread.guardian_id == by.pk)
    if not from_family and not (child_policy and child_policy.is_care_team):
        raise PermissionDenied(_("Only this family's guardian or the care team can reply here."))
    if from_family:
        _family_policy(by, thread.child)

    def create() -> Message:
        if from_family:
            _check_daily_limit(by, now, Practice.get())
        message = _post(thread, by, body.strip(), from_family, now, once_key)
        _audit(by, message, thread, ip_address, started=False)
        return message

    return create_once(Message, once_key, create)[0]


def _audit(
    by: User, message: Message, thread: MessageThread, ip_address: str | None, *, started: bool
) -> None:
    audit(
        actor=by,
        action="message.send",
        target=message,
        child=thread.child,
        ip_address=ip_address,
        thread=thread.pk,
        from_family=message.from_family,
        started_thread=started,
    )


def thread_mark_read(*, thread: MessageThread, by: User, now=None) -> None:
    """The reader's side has seen everything so far (a single-row marker, not a message)."""
    now = now or timezone.now()
    field = "family_read_at" if thread.guardian_id == by.pk else "care_team_read_at"
    had_unread = getattr(thread, field) is None or (
        thread.last_message_at is not None and getattr(thread, field) < thread.last_message_at
    )
    MessageThread.objects.filter(pk=thread.pk).update(**{field: now})
    if had_unread:  # what shows as unread changed; reading again changes nothing shown
        touch_children([thread.child_id])
    setattr(thread, field, now)
    # A notice still waiting has nothing left to tell this reader.
    message_notices_skip_read(thread=thread, reader=by)
