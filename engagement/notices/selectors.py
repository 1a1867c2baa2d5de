"""Reads for session reminders: which guardians may be reminded of which upcoming session.
Guardians are always judged by practice.access."""

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

from ..visits.models import SessionLog


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
