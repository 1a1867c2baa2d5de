"""Demo course of therapy: Ethan Clarke (stage Termination) is discharged with a summary for
his mother; two stage moves the families were told about; Priya Evans has read Leo's
confidentiality agreement in the portal. Idempotent: a second run adds nothing."""

import datetime

from engagement.discharge.models import StageChange
from engagement.discharge.selectors import discharge_initial
from engagement.discharge.services import child_discharge
from goals.services import goal_create, goal_rate, goal_set_status
from practice.access import current_agreement
from practice.confidentiality import agreement_acknowledge
from practice.models import Stage

ETHAN_GOAL = {
    "title": "Get dressed for school on his own",
    "domain": "daily_living",
    "child_words": "I can do my buttons!",
    "why_it_matters": "Mornings were a battle; now Helen gets to work on time.",
    "level_minus_2": "Needs help with every item",
    "level_minus_1": "Dresses with help for buttons and shoes",
    "level_0": "Dresses alone with the picture checklist",
    "level_plus_1": "Dresses alone without the checklist",
    "level_plus_2": "Dresses alone and gets his bag ready too",
}
ACHIEVED = (
    "In September Ethan needed help with every button and both shoes. Now he gets dressed on "
    "his own most mornings, without the checklist, and he is proud of it."
)
KEEP_PRACTISING = (
    "Keep the picture checklist on his bedroom door for another month, then let Ethan decide "
    "if he still needs it. Praise the first thing he does on his own each morning, straight "
    "away. If a step gets hard again (new school shoes!), practise it at the weekend, when "
    "nobody is in a hurry."
)


def seed_discharge(children, practice, now) -> None:
    _stage_moves(children, now)
    _acknowledgement(children, practice)
    _discharge(children["Ethan"], practice, now)


def _clinician(child):
    return child.memberships.get(is_primary=True).clinician


def _stage_moves(children, now) -> None:
    """History behind two children's current stages, as the families were told."""
    if StageChange.objects.filter(child__is_demo=True).exists():
        return
    moves = [
        (
            "Oliver",
            Stage.PROCESS,
            Stage.CHANGE,
            3,
            "Oliver is using his calm-down plan at school without reminders. Well done, "
            "all of you: now we make it last.",
        ),
        (
            "Ethan",
            Stage.CHANGE,
            Stage.TERMINATION,
            5,
            "Ethan has reached his goals. We will plan his last sessions together.",
        ),
    ]
    for name, from_stage, to_stage, weeks_ago, note in moves:
        StageChange.objects.create(
            child=children[name],
            from_stage=from_stage,
            to_stage=to_stage,
            changed_by=_clinician(children[name]),
            changed_at=now - datetime.timedelta(weeks=weeks_ago),
            family_note=note,
        )


def _acknowledgement(children, practice) -> None:
    leo = children["Leo"]
    agreement = current_agreement(leo, practice.today())
    guardian = leo.guardianships.get(guardian__email="priya@demo.example").guardian
    if agreement is not None:
        agreement_acknowledge(agreement=agreement, guardian=guardian, today=practice.today())


def _discharge(ethan, practice, now) -> None:
    if ethan.is_discharged:
        return
    clinician = _clinician(ethan)
    today = practice.today()
    goal = goal_create(
        child=ethan,
        clinician=clinician,
        review_date=today - datetime.timedelta(days=7),
        **ETHAN_GOAL,
    )
    for weeks_ago, level in ((10, -1), (6, 0), (2, 1)):
        goal_rate(
            goal=goal,
            rated_by=clinician,
            level=level,
            rated_on=today - datetime.timedelta(weeks=weeks_ago),
            source="review",
            today=today,
        )
    goal_set_status(goal=goal, clinician=clinician, status="achieved")
    draft = discharge_initial(ethan, practice, clinician)
    child_discharge(
        child=ethan,
        discharged_by=clinician,
        goals_achieved=f"{draft['goals_achieved']}\n\n{ACHIEVED}",
        keep_practising=KEEP_PRACTISING,
        coming_back=draft["coming_back"],
        today=today,
        now=now,
    )
