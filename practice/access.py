"""The one place that decides what a user may see of a child (DESIGN.md, "Confidentiality").

For a user and a child it answers with a ChildPolicy: the named rights of the table. It knows
nothing of goals or sessions; each app's selectors apply the policy to their own models.
Anything not granted here is denied. A user who may not see the child at all gets None from
`policy_for` and a 404 from `child_for_user`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    BreakGlassGrant,
    CareTeamMembership,
    Child,
    ConfidentialityAgreement,
    Guardianship,
    Practice,
    SharingLevel,
    User,
)
from .request_time import current_practice, serving_guardianships


@dataclass(frozen=True)
class ChildPolicy:
    child_id: int
    viewer: str  # "care_team", "emergency" (break-the-glass), "office" or "guardian"
    sharing_level: str
    guardian_access: str = ""
    # Rows of DESIGN.md's table, as seen by this user.
    record: bool = False  # in therapy, stage, upcoming sessions, attendance
    goals: bool = False  # shared goals, ratings, comments, T-score, milestones
    home_practice: bool = False
    discharge_summary: bool = False
    shared_summaries: bool = False
    safety_statements: bool = False
    own_items: bool = False  # their own messages, observations, reported barriers (status)
    # Staff rights.
    clinical: bool = False  # private notes, all addenda, child-private goals, barrier notes
    family_contacts: bool = False  # guardians' names and contact details
    manage_intake: bool = False  # edit the child, add and invite guardians
    # Break-the-glass: read access as the care team has it, until then; never writes.
    emergency_until: datetime.datetime | None = None

    @property
    def is_guardian(self) -> bool:
        return self.viewer == "guardian"

    @property
    def is_emergency(self) -> bool:
        return self.viewer == "emergency"

    @property
    def is_care_team(self) -> bool:
        return self.viewer == "care_team"

    def may_write(self, right: str) -> bool:
        """Staff writes, by right: "clinical" (the care team's writes to the record),
        "intake" (the child's details, guardians, invitations: the care team and the office),
        "safety" (recording a safety concern: the care team, and an emergency reader).
        Break-the-glass reads as the care team does and writes nothing but a safety concern."""
        if right not in WRITE_RIGHTS:
            raise ValueError(f"unknown write right {right!r}")
        return self.viewer in WRITE_RIGHTS[right]


WRITE_RIGHTS = {
    "clinical": {"care_team"},
    "intake": {"care_team", "office"},
    "safety": {"care_team", "emergency"},
}


def current_agreement(child: Child, today: datetime.date) -> ConfidentialityAgreement | None:
    """The newest agreement in effect today (uses the prefetch when there is one)."""
    agreements = getattr(child, "agreements_in_effect", None)
    if agreements is None:
        agreements = child.confidentiality_agreements.order_by("-effective_date", "-version")
    in_effect = [a for a in agreements if a.effective_date <= today]
    in_effect.sort(key=lambda a: (a.effective_date, a.version), reverse=True)
    return in_effect[0] if in_effect else None


def sharing_level_for(child: Child, practice: Practice, today: datetime.date) -> str:
    """The current agreement's level; with none yet, the practice's default for the age."""
    agreement = current_agreement(child, today)
    if agreement is not None:
        return agreement.sharing_level
    return practice.default_sharing_level_for_age(child.age_on(today))


def _guardian_policy(child: Child, guardianship: Guardianship, level: str) -> ChildPolicy | None:
    access = guardianship.access
    if access == Guardianship.Access.NONE:
        return None
    full = access == Guardianship.Access.FULL
    progress_or_more = full and level in (SharingLevel.FULL, SharingLevel.PROGRESS)
    return ChildPolicy(
        child_id=child.pk,
        viewer="guardian",
        sharing_level=level,
        guardian_access=access,
        record=True,
        goals=progress_or_more,
        home_practice=progress_or_more,
        discharge_summary=progress_or_more,
        shared_summaries=full and level == SharingLevel.FULL,
        safety_statements=True,
        own_items=True,
    )


def _care_team_ids(child: Child) -> set[int]:
    memberships = getattr(child, "_prefetched_objects_cache", {}).get("memberships")
    if memberships is None:
        memberships = child.memberships.all()
    return {m.clinician_id for m in memberships}


def _guardianship(user: User, child: Child) -> Guardianship | None:
    cached = getattr(child, "viewer_guardianships", None)
    if cached is not None:
        return next((g for g in cached if g.guardian_id == user.pk), None)
    # The signed-in user's own guardianships are read once per request (request_time).
    own = serving_guardianships(user)
    if own is not None:
        return next((g for g in own if g.child_id == child.pk), None)
    return Guardianship.objects.filter(child=child, guardian=user).first()


def active_grants(user: User, now: datetime.datetime | None = None) -> QuerySet[BreakGlassGrant]:
    """The user's break-the-glass grants that have not expired."""
    return BreakGlassGrant.objects.filter(clinician=user, expires_at__gt=now or timezone.now())


def _emergency_until(user: User, child: Child) -> datetime.datetime | None:
    latest = active_grants(user).filter(child=child).order_by("-expires_at").first()
    return latest.expires_at if latest else None


def _care_team_policy(child: Child, level: str) -> ChildPolicy:
    return ChildPolicy(
        child_id=child.pk,
        viewer="care_team",
        sharing_level=level,
        record=True,
        goals=True,
        home_practice=True,
        discharge_summary=True,
        shared_summaries=True,
        safety_statements=True,
        clinical=True,
        family_contacts=True,
        manage_intake=True,
    )


def _emergency_policy(child: Child, level: str, until: datetime.datetime) -> ChildPolicy:
    # What the care team may read, nothing it may change: every write asks `is_care_team`.
    return replace(
        _care_team_policy(child, level),
        viewer="emergency",
        manage_intake=False,
        emergency_until=until,
    )


def policy_for(
    user: User,
    child: Child,
    *,
    practice: Practice | None = None,
    today: datetime.date | None = None,
) -> ChildPolicy | None:
    """What this user may see of this child, or None when the child does not exist for them."""
    if not user.is_authenticated or not user.is_active:
        return None
    practice = practice or current_practice()  # the request's, read once for it
    today = today or practice.today()
    level = sharing_level_for(child, practice, today)
    if user.is_parent:
        guardianship = _guardianship(user, child)
        return _guardian_policy(child, guardianship, level) if guardianship else None
    if user.is_clinician and user.pk in _care_team_ids(child):
        return _care_team_policy(child, level)
    until = _emergency_until(user, child) if user.is_clinician else None
    if until is not None:
        return _emergency_policy(child, level, until)
    if user.can_manage_practice:
        # Office work only: minimum necessary, no clinical text.
        return ChildPolicy(
            child_id=child.pk,
            viewer="office",
            sharing_level=level,
            record=True,
            family_contacts=True,
            manage_intake=True,
        )
    return None


def policy_to_write(user: User, child: Child, *, right: str = "clinical") -> ChildPolicy:
    """Every write path asks this first: the user's policy when it grants `right`
    (ChildPolicy.may_write), else PermissionDenied (a 403). Services call it, so a page that
    forgets cannot write."""
    child_policy = policy_for(user, child)
    if child_policy is None or not child_policy.may_write(right):
        raise PermissionDenied(_("You cannot change this child's record."))
    return child_policy


def children_for(user: User) -> QuerySet[Child]:
    """Every child this user may see at all, scoped in one place."""
    children = Child.objects.all()
    if not user.is_authenticated or not user.is_active:
        return children.none()
    if user.is_parent:
        return children.filter(
            guardianships__guardian=user,
            guardianships__access__in=[Guardianship.Access.FULL, Guardianship.Access.LIMITED],
        )
    if user.is_clinician:
        if user.is_practice_admin:
            return children
        # Subqueries rather than a join: a child with several memberships appears once.
        care_team = CareTeamMembership.objects.filter(clinician=user).values("child_id")
        emergency = active_grants(user).values("child_id")
        return children.filter(Q(pk__in=care_team) | Q(pk__in=emergency))
    if user.can_manage_practice:
        return children
    return children.none()


def caseload_for(user: User) -> QuerySet[Child]:
    """A clinician's own care-team children (a practice admin's caseload too)."""
    return Child.objects.filter(memberships__clinician=user)


def policy_prefetches(
    viewers: QuerySet[Guardianship], *, through: str = ""
) -> list[str | Prefetch]:
    """What policy_for reads of a child, to prefetch: its care team, its agreements (newest
    first) and the guardianships of whoever will be judged (`viewers`: one user's, a chunk
    of parents', or every guardian who may be told). `through` is the path from the rows
    being fetched to their child ("child__" for sessions or threads)."""
    return [
        f"{through}memberships",
        Prefetch(
            f"{through}confidentiality_agreements",
            queryset=ConfidentialityAgreement.objects.order_by("-effective_date", "-version"),
            to_attr="agreements_in_effect",
        ),
        Prefetch(f"{through}guardianships", queryset=viewers, to_attr="viewer_guardianships"),
    ]


def with_policy_data(children: QuerySet[Child], user: User) -> QuerySet[Child]:
    """Prefetch what policy_for reads, so a list of policies costs a fixed number of queries."""
    return children.prefetch_related(*policy_prefetches(Guardianship.objects.filter(guardian=user)))


def child_for_user(user: User, pk: int) -> tuple[Child, ChildPolicy]:
    """The child and this user's policy for it, or 404: never the data."""
    child = with_policy_data(children_for(user), user).filter(pk=pk).distinct().first()
    child_policy = policy_for(user, child) if child is not None else None
    if child_policy is None:
        raise Http404
    return child, child_policy


def row_for_care_team(user: User, rows: QuerySet, pk: int):
    """One row of a child's record (a barrier, an observation, a home practice: any model with
    a `child`) for a clinician on that child's care team; 404 for anyone else. The row carries
    the child the policy was asked about."""
    child_id = rows.filter(pk=pk).values_list("child_id", flat=True).first()
    if child_id is None:
        raise Http404
    child, child_policy = child_for_user(user, child_id)
    if not child_policy.is_care_team:
        raise Http404
    row = rows.get(pk=pk)
    row.child = child
    return row
