"""Reads for notices: who is on the other side of a thread, and which guardians may be
reminded of which upcoming session. Guardians are always judged by practice.access."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from practice.access import policy_for, policy_prefetches
from practice.models import (
    Guardianship,
    OutgoingEmail,
    Practice,
    User,
)

from ..messaging.models import Message, MessageThread
from ..visits.models import SessionLog


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


def sessions_for_reminders(
    *,
    start_after: datetime.datetime | None = None,
    start_before: datetime.datetime | None = None,
    ids: Iterable[int] | None = None,
) -> list[SessionLog]:
    """Scheduled sessions of children not discharged, by start window (the partial index on
    scheduled sessions' starts keeps this O(upcoming)) or by id, with what policy_for needs
    for every guardian of the child prefetched: a fixed number of queries."""
    sessions = SessionLog.objects.filter(
        status=SessionLog.Status.SCHEDULED, child__discharged_on__isnull=True
    )
    if start_after is not None:
        sessions = sessions.filter(scheduled_start__gt=start_after)
    if start_before is not None:
        sessions = sessions.filter(scheduled_start__lte=start_before)
    if ids is not None:
        sessions = sessions.filter(pk__in=list(ids))
    return list(
        sessions.select_related("child", "clinician")
        # policy_for looks a guardian up by id among the viewers, so every guardian of the
        # child is judged from one prefetch.
        .prefetch_related(
            *policy_prefetches(
                Guardianship.objects.exclude(access=Guardianship.Access.NONE)
                .select_related("guardian")
                .order_by("pk"),
                through="child__",
            )
        )
        .order_by("scheduled_start", "pk")
    )


def guardians_to_remind(
    session: SessionLog, practice: Practice, today: datetime.date
) -> list[User]:
    """The guardians who may see this upcoming session (the table's first row: every level
    and limited access; access none never), from the prefetch of sessions_for_reminders."""
    guardians = []
    for guardianship in session.child.viewer_guardianships:
        guardian = guardianship.guardian
        child_policy = policy_for(guardian, session.child, practice=practice, today=today)
        if child_policy is not None and child_policy.is_guardian and child_policy.record:
            guardians.append(guardian)
    return guardians


def pending_reminders() -> list[tuple[int, int, int]]:
    """(email id, session id, guardian id) of every reminder still waiting to go."""
    rows = OutgoingEmail.objects.filter(
        kind=OutgoingEmail.Kind.SESSION_REMINDER, state=OutgoingEmail.State.PENDING
    ).values_list("pk", "key")
    pending = []
    for pk, key in rows:
        _prefix, session_id, guardian_id = (key or "reminder:0:0").split(":")
        pending.append((pk, int(session_id), int(guardian_id)))
    return pending


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
