"""What the exports contain.

The clinician's record export reads the whole clinical record (care team only). The family's
export is built only from the selectors the portal itself uses (portal_children, goal_board,
milestones_for, family_sessions, current_home_practice, safety_statements_for,
barriers_for_family, stage_changes_for, discharge_summary_for), so it cannot show more than the
portal; it becomes plain data that both the printable page and the JSON
download render, so the two always agree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from goals.models import GoalRating
from goals.selectors import GoalView, goal_board, milestones_for
from practice.access import ChildPolicy, current_agreement
from practice.models import (
    Child,
    ConfidentialityAcknowledgement,
    ConfidentialityAgreement,
    Guardianship,
    Practice,
    User,
)
from practice.safety.selectors import safety_concerns_for_care_team, safety_statements_for
from practice.templatetags.practice_tags import (
    AGREEMENT_FOR_FAMILIES,
    STAGE_FOR_FAMILIES,
    STAGE_NAMES_FOR_FAMILIES,
)

from ..barriers.models import Barrier
from ..barriers.selectors import barriers_for_care_team, barriers_for_family
from ..discharge.models import DischargeSummary, StageChange
from ..discharge.selectors import discharge_summary_for, stage_changes_for
from ..practice_at_home.models import HomePractice
from ..practice_at_home.selectors import current_home_practice
from ..selectors import PortalChild, portal_children
from ..visits.models import Activity, Addendum, SessionLog
from ..visits.selectors import family_sessions

# --- The clinician's record ----------------------------------------------------------------


@dataclass
class ChildRecord:
    child: Child
    memberships: list
    guardianships: list[Guardianship]
    agreements: list[ConfidentialityAgreement]
    goals: list[GoalView]
    sessions: list[SessionLog]
    home_practice: list[HomePractice]
    barriers: list[Barrier]
    safety_concerns: list
    stage_changes: list[StageChange]
    discharge_summary: DischargeSummary | None


def _agreements_with_acknowledgements(child: Child) -> list[ConfidentialityAgreement]:
    acknowledgements = ConfidentialityAcknowledgement.objects.select_related("guardian")
    return list(
        child.confidentiality_agreements.select_related("recorded_by")
        .prefetch_related(Prefetch("acknowledgements", queryset=acknowledgements))
        .order_by("-version")
    )


def _sessions_with_everything(child_policy: ChildPolicy, child: Child) -> list[SessionLog]:
    """Every session, each marked `shown_to_family` by the one rule the portal and the emails
    follow (SessionLog.objects.shared_with_family), not by the log's "shared" tickbox alone."""
    shown = set(
        SessionLog.objects.shared_with_family(child_policy, timezone.now())
        .filter(child=child)
        .values_list("pk", flat=True)
    )
    sessions = list(
        SessionLog.objects.filter(child=child)
        .select_related("clinician", "signed_by")
        .prefetch_related(
            "guardians_attended",
            Prefetch("ratings", queryset=GoalRating.objects.select_related("goal")),
            Prefetch("addenda", queryset=Addendum.objects.select_related("author")),
        )
        .order_by("scheduled_start")
    )
    labels = dict(Activity.choices)
    for session in sessions:
        session.activity_labels = [labels.get(code, code) for code in session.activities]
        session.shown_to_family = session.pk in shown
    return sessions


def child_record(child_policy: ChildPolicy, child: Child) -> ChildRecord:
    """Everything in the child's record, for whoever reads clinical text (callers check
    `child_policy.clinical`: the care team, or an emergency reader)."""
    summary = DischargeSummary.objects.filter(child=child).select_related("written_by").first()
    return ChildRecord(
        child=child,
        memberships=list(child.memberships.select_related("clinician").order_by("-is_primary")),
        guardianships=list(
            Guardianship.objects.filter(child=child).select_related("guardian", "access_changed_by")
        ),
        agreements=_agreements_with_acknowledgements(child),
        goals=goal_board(child_policy, child).goals,
        sessions=_sessions_with_everything(child_policy, child),
        home_practice=list(
            HomePractice.objects.filter(child=child)
            .select_related("goal", "assigned_by")
            .order_by("assigned_at")
        ),
        barriers=barriers_for_care_team(child_policy, child),
        safety_concerns=safety_concerns_for_care_team(child_policy, child),
        stage_changes=stage_changes_for(child_policy, child, limit=None),
        discharge_summary=summary,
    )


# --- The family's own data -----------------------------------------------------------------


def _local(moment: datetime.datetime, practice: Practice) -> str:
    return timezone.localtime(moment, practice.tz).isoformat(timespec="minutes")


def _rating(rating: GoalRating, guardian: User) -> dict[str, Any]:
    # As on the goal's page: who rated, and the note, only for the guardian's own ratings.
    own = rating.rated_by_id == guardian.pk
    return {
        "date": rating.rated_on.isoformat(),
        "level": rating.level,
        "whose_view": rating.get_perspective_display(),
        "where": rating.get_source_display(),
        "rated_by": rating.rated_by.full_name if own else "",
        "note": rating.note if own else "",
    }


def _goals(child_policy: ChildPolicy, child: Child, guardian: User) -> dict[str, Any] | None:
    if not child_policy.goals:
        return None
    board = goal_board(child_policy, child)
    return {
        "progress_score_clinician": board.clinician_t,
        "progress_score_family": board.family_t,
        "goals": [
            {
                "title": view.goal.title,
                "area": view.goal.get_domain_display(),
                "status": view.goal.get_status_display(),
                "in_the_childs_words": view.goal.child_words,
                "why_it_matters": view.goal.why_it_matters,
                "how_it_is_measured": view.goal.measurement,
                "levels": {str(level): text for level, text in view.goal.levels},
                "ratings": [_rating(rating, guardian) for rating in view.ratings],
            }
            for view in board.goals
        ],
        "milestones": [
            {
                "goal": milestone.goal.title,
                "what": milestone.get_kind_display(),
                "date": milestone.reached_on.isoformat(),
            }
            for milestone in milestones_for(child_policy, child, limit=None)
        ],
    }


def _sessions(
    child_policy: ChildPolicy, child: Child, now: datetime.datetime, practice: Practice
) -> dict[str, Any]:
    sessions = family_sessions(child_policy, child, now, complete=True)
    return {
        "upcoming": [
            {"starts": _local(s.scheduled_start, practice), "where": s.get_modality_display()}
            for s in sessions.upcoming
        ],
        "attendance": [
            {"date": _local(s.scheduled_start, practice), "what_happened": s.get_status_display()}
            for s in sessions.attendance
        ],
        "summaries": [
            {
                "date": _local(item.session.scheduled_start, practice),
                "summary": item.session.shared_summary,
                "corrections": [correction.text for correction in item.corrections],
            }
            for item in sessions.summaries
        ],
    }


def _agreement(agreement: ConfidentialityAgreement | None, read: dict) -> dict | None:
    if agreement is None:
        return None
    read_at = read.get(agreement.pk)
    return {
        "version": agreement.version,
        "in_plain_words": str(AGREEMENT_FOR_FAMILIES.get(agreement.sharing_level, "")),
        "effective_from": agreement.effective_date.isoformat(),
        "child_agreed": agreement.child_assent,
        "you_read_it_on": read_at.date().isoformat() if read_at else "",
    }


def _read_on(guardian: User, agreements: list[ConfidentialityAgreement]) -> dict:
    """When this guardian acknowledged each of these agreements (one query)."""
    acknowledgements = ConfidentialityAcknowledgement.objects.filter(
        guardian=guardian, agreement__in=[a.pk for a in agreements]
    )
    return dict(acknowledgements.values_list("agreement_id", "acknowledged_at"))


def _discharge(child_policy: ChildPolicy, child: Child) -> dict[str, str] | None:
    summary = discharge_summary_for(child_policy, child)
    if summary is None:
        return None
    return {
        "discharged_on": child.discharged_on.isoformat(),
        "what_was_achieved": summary.goals_achieved,
        "what_to_keep_practising": summary.keep_practising,
        "when_and_how_to_come_back": summary.coming_back,
    }


def _child(
    entry: PortalChild,
    guardian: User,
    now: datetime.datetime,
    practice: Practice,
    read: dict,
    statements: dict,
) -> dict[str, Any]:
    child, child_policy = entry.child, entry.child_policy
    today = timezone.localtime(now, practice.tz).date()
    return {
        "name": child.display_name,
        "your_relationship": entry.relationship,
        "care_team": [
            {"name": clinician.full_name, "discipline": clinician.get_discipline_display()}
            for clinician in entry.care_team
        ],
        "stage": str(STAGE_NAMES_FOR_FAMILIES.get(child.stage, "")),
        "stage_in_plain_words": str(STAGE_FOR_FAMILIES.get(child.stage, "")),
        "stage_changes": [
            {
                "date": _local(change.changed_at, practice),
                "moved_to": str(STAGE_NAMES_FOR_FAMILIES.get(change.to_stage, "")),
                "note": change.family_note,
            }
            for change in stage_changes_for(child_policy, child, limit=None)
        ],
        "confidentiality_agreement": _agreement(current_agreement(child, today), read),
        "safety_messages": [
            {"date": _local(item.recorded_at, practice), "message": item.statement}
            for item in statements.get(child.pk, [])
        ],
        "sessions": _sessions(child_policy, child, now, practice),
        "goals": _goals(child_policy, child, guardian),
        "home_practice": _home_practice(child_policy, child, today),
        "barriers_you_reported": [
            {
                "what": item.kind,
                "status": item.status,
                "reported": _local(item.reported_at, practice),
            }
            for item in barriers_for_family(child_policy, child, guardian)
        ],
        "discharge_summary": _discharge(child_policy, child),
    }


def _home_practice(child_policy: ChildPolicy, child: Child, today: datetime.date) -> list | None:
    if not child_policy.home_practice:
        return None
    return [
        {
            "strategy": item.title,
            "what_to_do": item.instructions,
            "how_often": item.frequency_detail or item.get_frequency_display(),
            "until": item.until.isoformat(),
            "for_the_goal": item.goal.title,
            "how_we_showed_it": item.demonstration,
        }
        for item in current_home_practice(child_policy, child, today)
    ]


def family_export(
    guardian: User, practice: Practice, now: datetime.datetime, *, child_id: int | None = None
) -> tuple[dict[str, Any], list[Child]]:
    """The family's own data as this guardian may see it in the portal: each child (or one),
    as plain data, with the children it covers (for the audit)."""
    today = timezone.localtime(now, practice.tz).date()
    entries = portal_children(guardian, practice=practice, today=today)
    if child_id is not None:
        entries = [entry for entry in entries if entry.child.pk == child_id]
    agreements = [current_agreement(entry.child, today) for entry in entries]
    read = _read_on(guardian, [agreement for agreement in agreements if agreement])
    statements = safety_statements_for(guardian, [entry.child_policy for entry in entries])
    data = {
        "exported_at": _local(now, practice),
        "practice": {
            "name": practice.name,
            "phone": practice.contact_phone,
            "email": practice.contact_email,
        },
        "you": {"name": guardian.full_name, "email": guardian.email, "phone": guardian.phone},
        "children": [_child(entry, guardian, now, practice, read, statements) for entry in entries],
    }
    return data, [entry.child for entry in entries]
