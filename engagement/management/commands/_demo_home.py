"""Demo home practice and barriers. Home practice for the children with active goals (Jordan's,
at sharing level safety_only, stays out of the portal); barriers of every source and status; and
for Leo a second missed session, so Ben's caseload shows the barrier question that repeated
misses raise. Idempotent: each part is skipped once it exists."""

import datetime

from django.utils import timezone

from engagement.barriers.models import Barrier
from engagement.barriers.services import barrier_record, barrier_update
from engagement.practice_at_home.models import HomePractice
from engagement.practice_at_home.services import home_practice_assign
from engagement.visits.models import SessionLog
from goals.models import Goal

# first name, goal domain, strategy, how often, in your words, instructions, demonstration
HOME_PRACTICE = [
    (
        "Mia",
        "emotional_regulation",
        "Feelings chart at bedtime",
        "daily",
        "at bedtime, about five minutes",
        "Sit together with the feelings chart. Ask Mia to point to how her day felt, then "
        "name it together. No fixing: just notice it.",
        "I pointed to 'cross' and said 'I felt cross when the tower fell'. Mia copied me.",
    ),
    (
        "Mia",
        "social",
        "One short turn-taking game",
        "three_a_week",
        "",
        "Play a short board game (Snakes and Ladders works). Say 'my turn, your turn' out loud "
        "and praise waiting straight away.",
        "",
    ),
    (
        "Leo",
        "communication",
        "Ask with words at snack time",
        "daily",
        "at snack time",
        "Hold the snack up and wait five seconds before helping. Any word or sign counts.",
        "I waited and counted to five in my head; Leo said 'more' on the third try.",
    ),
    (
        "Oliver",
        "behaviour",
        "One clear instruction, then praise",
        "daily",
        "",
        "Give one instruction at a time, close by, in a calm voice. Praise within a few seconds "
        "when he starts.",
        "",
    ),
    (
        "Isla",
        "motor",
        "Button board",
        "three_a_week",
        "after school",
        "Five minutes with the button board: big buttons first, then the coat.",
        "",
    ),
    (
        "Sam",
        "social",
        "Say hello to one classmate",
        "weekly",
        "",
        "Once a week Sam picks one classmate to say hello to. Ask how it went, without pressure.",
        "",
    ),
    (
        "Jordan",
        "emotional_regulation",
        "Box breathing when overwhelmed",
        "other",
        "whenever things feel too much",
        "Breathe in for four, hold for four, out for four, hold for four. Four rounds.",
        "",
    ),
    (
        "Zara",
        "communication",
        "Talk about one thing from school",
        "daily",
        "at dinner",
        "Ask one open question about school and wait. Share something from your day too.",
        "",
    ),
]


def seed_home(children, practice, now) -> None:
    _home_practice(children, practice.today())
    _barriers(children, practice, now)


def _clinician(child):
    return child.memberships.get(is_primary=True).clinician


def _home_practice(children, today) -> None:
    if HomePractice.objects.filter(child__is_demo=True).exists():
        return
    for first, domain, title, frequency, detail, instructions, shown in HOME_PRACTICE:
        child = children[first]
        goal = Goal.objects.filter(child=child, domain=domain, status="active").first()
        if goal is None:
            continue
        latest = (
            SessionLog.objects.filter(child=child, status=SessionLog.Status.ATTENDED)
            .order_by("-scheduled_start")
            .first()
        )
        home_practice_assign(
            child=child,
            goal=goal,
            assigned_by=_clinician(child),
            title=title,
            instructions=instructions,
            frequency=frequency,
            frequency_detail=detail,
            until=today + datetime.timedelta(weeks=4),
            demonstration=shown,
            from_session=latest,
            today=today,
        )


def _barriers(children, practice, now) -> None:
    if Barrier.objects.filter(child__is_demo=True).exists():
        return
    mia, noah, leo = children["Mia"], children["Noah"], children["Leo"]
    cancelled = SessionLog.objects.filter(child=mia, status="cancelled_family").first()
    barrier_record(
        child=mia,
        by=_clinician(mia),
        kind=Barrier.Kind.SCHEDULING,
        status=Barrier.Status.IN_PROGRESS,
        notes="Grace works late on Tuesdays this term; she sounded worn out on the phone.",
        actions_taken="Offered Thursday 16:30 from next month; Grace will confirm.",
        session=cancelled,
    )
    _family_reported(noah)
    barrier_record(
        child=children["Oliver"],
        by=_clinician(children["Oliver"]),
        kind=Barrier.Kind.WORK,
        reporter_role=Barrier.ReporterRole.CLINICIAN,
        status=Barrier.Status.RESOLVED,
        notes="James's shift pattern changed; he missed the parent-coaching part twice.",
        actions_taken="Moved the Friday session to telehealth so James can join from work.",
    )
    barrier_record(
        child=children["Sam"],
        by=_clinician(children["Sam"]),
        kind=Barrier.Kind.NO_LONGER_NEEDED,
        notes="Anita feels Sam is 'fine now'. Talk through what the goals still ask for.",
    )
    _second_miss(leo, practice, now)


def _family_reported(child) -> None:
    """A barrier a parent reported themselves: they see its status, never the notes."""
    guardian = child.guardianships.get(access="full").guardian
    barrier = barrier_record(child=child, by=guardian, kind=Barrier.Kind.COST)
    barrier_update(
        barrier=barrier,
        by=_clinician(child),
        kind=barrier.kind,
        reporter_role=barrier.reporter_role,
        status=Barrier.Status.RESOLVED,
        notes="Parking at the clinic costs Grace more than the bus fare for both children.",
        actions_taken="Reception now validates parking for every session.",
    )


def _second_miss(child, practice, now) -> None:
    """Leo already has a no-show; a family cancellation six weeks ago makes it two."""
    clinician = _clinician(child)
    start = timezone.localtime(now, practice.tz).replace(hour=16, minute=0, second=0, microsecond=0)
    SessionLog.objects.create(
        child=child,
        clinician=clinician,
        scheduled_start=start - datetime.timedelta(weeks=6),
        status=SessionLog.Status.CANCELLED_FAMILY,
        child_attended=False,
        stage=child.stage,
        cancellation_note="Called in the morning.",
        signed_at=now - datetime.timedelta(weeks=6),
        signed_by=clinician,
    )
