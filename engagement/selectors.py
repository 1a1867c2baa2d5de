"""Reads for the hub pages. Every row comes through practice.access."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from engagement.barriers.selectors import barrier_question_for, missed_recently
from engagement.visits.models import SessionLog
from engagement.visits.selectors import sessions_clock
from practice.access import ChildPolicy, children_for, policy_for, with_policy_data
from practice.models import (
    Child,
    ConfidentialityAcknowledgement,
    Guardianship,
    Invitation,
    Practice,
    User,
)


def portal_state(guardianship: Guardianship) -> str:
    """How far a guardian is with the portal: active, invited, not_sent, not_invited, none."""
    guardian = guardianship.guardian
    if guardianship.access == Guardianship.Access.NONE:
        return "no_access"
    if guardian.has_usable_password():
        return "active"
    invitations = getattr(guardian, "invitation_list", None)
    latest = invitations[0] if invitations else None
    if latest is None:
        return "not_invited"
    return "send_failed" if latest.send_error else "invited"


def child_hub(child: Child) -> dict:
    """What the staff child page shows beside the child: care team, guardians, agreements."""
    memberships = list(child.memberships.select_related("clinician").order_by("-is_primary"))
    guardianships = list(
        Guardianship.objects.filter(child=child)
        .select_related("guardian", "access_changed_by", "guardian__parent_profile")
        .prefetch_related(
            Prefetch(
                "guardian__invitations",
                queryset=Invitation.objects.order_by("-created_at"),
                to_attr="invitation_list",
            )
        )
    )
    for guardianship in guardianships:
        guardianship.portal_state = portal_state(guardianship)
    acknowledgements = ConfidentialityAcknowledgement.objects.select_related("guardian")
    agreements = list(
        child.confidentiality_agreements.select_related("recorded_by")
        .prefetch_related(Prefetch("acknowledgements", queryset=acknowledgements))
        .order_by("-version")
    )
    return {"memberships": memberships, "guardianships": guardianships, "agreements": agreements}


@dataclass(frozen=True)
class ChildPageClock:
    """What of the staff child page changes with the clock alone, without a write: the
    barrier question (its count of recent misses, or 0) and when the sessions next change.
    The page's cached record is keyed on it, so passing time shows at once."""

    barrier_question: int
    sessions_change_at: tuple


def child_page_clock(child: Child, now: datetime.datetime) -> ChildPageClock:
    """For the care team's child page: one query over the child's sessions (and one more
    only when repeated misses may raise the barrier question)."""
    row = SessionLog.objects.filter(child=child).aggregate(
        recent_misses=Count("pk", filter=missed_recently(now)), **sessions_clock(now)
    )
    return ChildPageClock(
        barrier_question_for(child, row["recent_misses"], now),
        (row["next_session_start"], row["next_recent_start"]),
    )


@dataclass
class PortalChild:
    child: Child
    child_policy: ChildPolicy
    care_team: list[User]
    relationship: str
    milestones: list = field(default_factory=list)


def portal_children(
    user: User, *, practice: Practice, today: datetime.date | None = None
) -> list[PortalChild]:
    """The parent's children whose guardianship is not `none`, each with its policy."""
    today = today or practice.today()
    children: QuerySet[Child] = with_policy_data(children_for(user), user).prefetch_related(
        Prefetch("memberships__clinician")
    )
    result = []
    for child in children.distinct().order_by("date_of_birth"):
        child_policy = policy_for(user, child, practice=practice, today=today)
        if child_policy is not None:
            result.append(_portal_child(child, child_policy, list(child.memberships.all())))
    return result


def portal_child(child: Child, child_policy: ChildPolicy) -> PortalChild:
    """portal_children's entry for one child, for its own page: the child and the policy
    child_for_user gave (its viewer's guardianship prefetched), plus its care team."""
    memberships = list(child.memberships.select_related("clinician"))
    return _portal_child(child, child_policy, memberships)


def _portal_child(child: Child, child_policy: ChildPolicy, memberships: list) -> PortalChild:
    memberships = sorted(memberships, key=lambda m: not m.is_primary)
    guardianship = child.viewer_guardianships[0]
    return PortalChild(
        child,
        child_policy,
        [m.clinician for m in memberships if m.clinician.is_active],
        guardianship.get_relationship_display(),
    )
