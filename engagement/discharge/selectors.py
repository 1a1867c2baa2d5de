"""Reads for stages and discharge. Parent-facing reads apply the policy from practice.access:
stage changes are row `record`, the discharge summary row `discharge_summary`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from goals.selectors import achieved_for_family
from practice.access import ChildPolicy
from practice.models import Child, Practice, Stage, User

from .models import DischargeSummary, StageChange


def stage_changes_for(
    child_policy: ChildPolicy | None, child: Child, *, limit: int | None = 5
) -> list[StageChange]:
    """The child's moves between stages, newest first: for anyone with the `record` right."""
    if child_policy is None or not child_policy.record:
        return []
    changes = StageChange.objects.filter(child=child)
    if child_policy.is_care_team or child_policy.is_emergency:
        changes = changes.select_related("changed_by")
    return list(changes[:limit])


def latest_stage_changes(child_policies: list[ChildPolicy]) -> dict[int, StageChange]:
    """Each child's latest move, one query for all of a parent's children."""
    child_ids = [child_policy.child_id for child_policy in child_policies if child_policy.record]
    if not child_ids:
        return {}
    latest: dict[int, StageChange] = {}
    for change in StageChange.objects.filter(child_id__in=child_ids).order_by(
        "child_id", "-changed_at", "-pk"
    ):
        latest.setdefault(change.child_id, change)
    return latest


def discharge_summary_for(
    child_policy: ChildPolicy | None, child: Child
) -> DischargeSummary | None:
    """The family's discharge summary, for those with the `discharge_summary` right only."""
    if child_policy is None or not child_policy.discharge_summary or not child.is_discharged:
        return None
    return DischargeSummary.objects.filter(child=child).select_related("written_by").first()


def discharge_initial(child: Child, practice: Practice, clinician: User) -> dict:
    """A first draft for the discharge form: the goals achieved (never a child-private goal:
    the summary is for the family) and how to come back."""
    name = child.preferred_name or child.first_name
    achieved = "\n".join(f"- {goal.title}" for goal in achieved_for_family(child))
    contact = " or ".join(
        value for value in (practice.contact_phone, practice.contact_email) if value
    )
    coming_back = _(
        "If things become harder again, or you would just like to talk, contact us%(how)s and "
        "ask for %(clinician)s. We are always glad to hear how %(child)s is getting on."
    ) % {
        "how": f" ({contact})" if contact else "",
        "clinician": clinician.full_name,
        "child": name,
    }
    return {"goals_achieved": achieved, "coming_back": coming_back}


def course_for_staff(child_policy: ChildPolicy, child: Child) -> dict:
    """For the staff child page: the stage history, the stages a child may move to (care team,
    before discharge) and the discharge summary."""
    may_move = child_policy.is_care_team and not child.is_discharged
    stages = list(Stage.values)
    following = stages[min(stages.index(child.stage) + 1, len(stages) - 1)]
    return {
        "stage_changes": stage_changes_for(child_policy, child, limit=10),
        "stage_choices": (
            [c for c in Stage.choices if c[0] not in (child.stage, Stage.TERMINATION)]
            if may_move
            else []
        ),
        "next_stage": following,
        "discharge_summary": discharge_summary_for(child_policy, child),
    }


def course_for_family(child_policy: ChildPolicy, child: Child) -> dict:
    """For the portal child page: the moves between stages and, per the table, the summary."""
    return {
        "stage_changes": stage_changes_for(child_policy, child),
        "discharge_summary": discharge_summary_for(child_policy, child),
    }
