"""What the hub pages show of the family's engagement: the engagement agreement, requests to
reschedule, barriers the family reported, and the engagement signals. Each function returns
context for one page, read through the policy practice.access gave."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from practice.access import ChildPolicy
from practice.models import Child, Guardianship, User

from .barriers.selectors import barriers_for_family
from .caseload import as_blocktranslate
from .engagement_agreements import selectors as agreement_selectors
from .engagement_signals.stored import FamilySignal, current_signals
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
    return {
        "engagement_agreement": agreement_selectors.engagement_agreement_for_family(
            child_policy, child, user
        ),
        **requests_for_portal(user, child_policy, child),
    }


def requests_for_portal(user: User, child_policy: ChildPolicy, child: Child) -> dict:
    """The portal child page's card beside the sessions: requests to move one, and barriers."""
    requests = request_selectors.requests_for_family(child_policy, child, user)
    return {
        "reschedule_requests": requests,
        "asked_to_move": {r.session_id for r in requests if r.status == r.Status.OPEN},
        "family_barriers": barriers_for_family(child_policy, child, user),
    }


@dataclass
class FallingFamily:
    name: str
    url: str
    text: str  # "50 (was 100)"
    quiet: bool
    barriers: list[str]


def for_caseload(children: list[dict], now: datetime.datetime, tz: datetime.tzinfo) -> dict:
    """The families whose engagement is falling (with their open barriers), on this
    clinician's own caseload: `children` are caseload_children()'s rows, whose stored signals
    are read as they are and recomputed only when out of date. (The caseload's requests to
    reschedule come from the fragment cache: see views._caseload_fragments.)"""
    in_therapy = [child for child in children if child["discharged_on"] is None]
    signals = current_signals(in_therapy, now, tz)
    falling = []
    for child in in_therapy:  # by name, as listed
        family = signals[child["pk"]]
        if family.falling:
            falling.append(_falling_family(child, family))
    return {"falling_families": falling}


def _falling_family(child: dict, family: FamilySignal) -> FallingFamily:
    name = f"{child['preferred_name'] or child['first_name']} {child['last_name']}"
    text = as_blocktranslate(
        _("%(score)s (was %(before)s)"), score=family.score, before=family.previous_score
    )
    url = reverse("child_detail", args=[child["pk"]])
    return FallingFamily(name, url, text, family.reason == "quiet", family.barrier_labels)
