"""What the hub pages show of the family's engagement: the engagement agreement, requests to
reschedule, barriers the family reported, and the engagement signals. Each function returns
context for one page, read through the policy practice.access gave."""

from __future__ import annotations

import datetime

from practice.access import ChildPolicy, caseload_for
from practice.models import Child, Guardianship, User

from .barriers.selectors import barriers_for_family
from .engagement_agreements import selectors as agreement_selectors
from .engagement_signals.selectors import family_engagement
from .rescheduling import selectors as request_selectors


def for_staff(child_policy: ChildPolicy, child: Child, guardianships: list[Guardianship]) -> dict:
    """For the staff child page; `guardianships` are the page's own (no query of its own)."""
    return {
        "engagement_agreement": agreement_selectors.engagement_agreement_card(
            child_policy, child, guardianships
        ),
        "reschedule_requests": request_selectors.requests_for_care_team(child_policy, child),
    }


def for_portal(user: User, child_policy: ChildPolicy, child: Child) -> dict:
    requests = request_selectors.requests_for_family(child_policy, child, user)
    return {
        "engagement_agreement": agreement_selectors.engagement_agreement_for_family(
            child_policy, child, user
        ),
        "reschedule_requests": requests,
        "asked_to_move": {r.session_id for r in requests if r.status == r.Status.OPEN},
        "family_barriers": barriers_for_family(child_policy, child, user),
    }


def for_caseload(user: User, now: datetime.datetime, tz: datetime.tzinfo) -> dict:
    """Open requests to reschedule, and the families whose engagement is falling (with their
    open barriers), on this clinician's own caseload."""
    children = caseload_for(user).filter(discharged_on__isnull=True)
    engagement = family_engagement(children, now, tz)
    falling = {pk: family for pk, family in engagement.items() if family.falling}
    names = Child.objects.filter(pk__in=falling).order_by("last_name", "first_name")
    return {
        "open_reschedule_requests": request_selectors.open_requests_for_caseload(user),
        "falling_families": [(child, falling[child.pk]) for child in names] if falling else [],
    }
