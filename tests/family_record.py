"""Mia's record with one item of every row of DESIGN.md's confidentiality table, and items no
parent may ever see: the data the exports, the portal, the progress emails and the table walks
search (tests/test_confidentiality_table*.py, tests/engagement/export/, tests/engagement/updates/).
"""

import datetime

from engagement.barriers.services import barrier_record, barrier_update
from engagement.discharge import services as discharge_services
from engagement.practice_at_home.services import home_practice_assign
from engagement.visits import services as visit_services
from goals import services as goal_services
from practice.models import Child
from tests.factories import (
    AddendumFactory,
    DischargeSummaryFactory,
    GuardianshipFactory,
    NotToBeToldFactory,
    ParentFactory,
    SafetyConcernFactory,
    SessionLogFactory,
)

TABLE = [
    # level, access, record, goals, shared summaries, discharge summary
    ("full", "full", True, True, True, True),
    ("progress", "full", True, True, False, True),
    ("safety_only", "full", True, False, False, False),
    ("full", "limited", True, False, False, False),
    ("progress", "limited", True, False, False, False),
    ("safety_only", "limited", True, False, False, False),
    ("full", "none", False, False, False, False),
    ("progress", "none", False, False, False, False),
    ("safety_only", "none", False, False, False, False),
]

LEVELS = {
    "level_minus_2": "Never asks",
    "level_minus_1": "Asks once a day with a prompt",
    "level_0": "Asks most mornings with one prompt",
    "level_plus_1": "Asks most mornings unprompted",
    "level_plus_2": "Asks everywhere unprompted",
}
GOAL = "Ask for help with words"
PRIVATE_GOAL = "Private goal of the child QZX"
PRIVATE_NOTE = "Private clinical note QZX"
SUMMARY = "We played turn-taking games together"
NOT_SHARED = "Summary kept from the family QZX"
CORRECTION = "The game was Guess Who, not Snap"
CLINICAL_ADDENDUM = "Clinical addendum QZX"
STAGE_NOTE = "Mia is using her words at school now"
KEEP = "Keep the feelings chart on the fridge"
CLINICIAN_NOTE = "Clinician rating note QZX"
OWN_NOTE = "Own note from home by Pat"
CO_PARENT_NOTE = "Co-parent rating note QZX"
CO_PARENT_EMAIL = "chris.coparent@test.example"
HOME_PRACTICE = "Hold the snack up and wait five seconds"
SAFETY_STATEMENT = "Please call the practice today about Mia"
SAFETY_CLINICAL = "Clinical record of the disclosure QZX"
NOT_TOLD_STATEMENT = "A statement Pat is not to be told QZX"
BARRIER_NOTE = "Clinician barrier note QZX"

# Never in a parent's export, whatever the level and access.
ALWAYS_WITHHELD = [
    PRIVATE_GOAL,
    PRIVATE_NOTE,
    NOT_SHARED,
    CLINICAL_ADDENDUM,
    CLINICIAN_NOTE,
    CO_PARENT_NOTE,
    CO_PARENT_EMAIL,
    SAFETY_CLINICAL,
    NOT_TOLD_STATEMENT,
    BARRIER_NOTE,
    "nick@test.example",
    "Zed",
]


def signed_session(cast, child, days_ago, **fields):
    session = SessionLogFactory(
        child=child,
        clinician=cast.clinician,
        days_ago=days_ago,
        status="attended",
        duration_minutes=50,
        **fields,
    )
    return visit_services.session_sign(session=session, clinician=cast.clinician)


def family_record(cast):
    """Mia's record with one item of every row of the table, and items no parent may see."""
    today = cast.practice.today()
    co_parent = ParentFactory(full_name="Chris Rowe", email=CO_PARENT_EMAIL)
    GuardianshipFactory(child=cast.child, guardian=co_parent, relationship="father")
    goal = goal_services.goal_create(
        child=cast.child, clinician=cast.clinician, title=GOAL, domain="communication", **LEVELS
    )
    for user, level, note in [
        (cast.clinician, 0, CLINICIAN_NOTE),
        (cast.parent, 1, OWN_NOTE),
        (co_parent, 1, CO_PARENT_NOTE),
    ]:
        goal_services.goal_rate(
            goal=goal,
            rated_by=user,
            level=level,
            rated_on=today,
            source="review",
            note=note,
            today=today,
        )
    goal_services.goal_create(
        child=cast.child,
        clinician=cast.clinician,
        title=PRIVATE_GOAL,
        domain="social",
        private_to_child=True,
        **LEVELS,
    )
    shared = signed_session(cast, cast.child, 7, shared_summary=SUMMARY, private_note=PRIVATE_NOTE)
    AddendumFactory(
        session=shared, author=cast.clinician, text=CORRECTION, corrects_shared_summary=True
    )
    AddendumFactory(session=shared, author=cast.clinician, text=CLINICAL_ADDENDUM)
    signed_session(cast, cast.child, 14, shared_summary=NOT_SHARED, summary_shared=False)
    upcoming = SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        in_days=3,
    )
    discharge_services.stage_change(
        child=cast.child, to_stage="change", changed_by=cast.clinician, family_note=STAGE_NOTE
    )
    home_practice_assign(
        child=cast.child,
        goal=goal,
        assigned_by=cast.clinician,
        title="Ask at snack time",
        instructions=HOME_PRACTICE,
        until=today + datetime.timedelta(weeks=4),
        today=today,
    )
    told = SafetyConcernFactory(
        child=cast.child,
        kind="other",
        clinical_record=SAFETY_CLINICAL,
        family_statement=SAFETY_STATEMENT,
        recorded_by=cast.clinician,
    )
    hidden = SafetyConcernFactory(
        child=cast.child,
        kind="other",
        clinical_record="Another clinical record",
        family_statement=NOT_TOLD_STATEMENT,
        recorded_by=cast.clinician,
        recorded_at=told.recorded_at,
    )
    NotToBeToldFactory(concern=hidden, guardian=cast.parent, reason="Alleged source")
    barrier = barrier_record(child=cast.child, by=cast.parent, kind="cost")
    barrier_update(
        barrier=barrier,
        by=cast.clinician,
        kind="cost",
        reporter_role="family",
        status="in_progress",
        notes=BARRIER_NOTE,
        actions_taken="",
    )
    # The summary as discharge writes it; the booked session is kept so "upcoming" is tested.
    DischargeSummaryFactory(
        child=cast.child,
        goals_achieved="Asking for help",
        keep_practising=KEEP,
        coming_back="Call us",
        written_by=cast.clinician,
    )
    Child.objects.filter(pk=cast.child.pk).update(discharged_on=today)
    cast.child.refresh_from_db()
    return upcoming
