"""Goals for seed_scale: GAS goals with their ratings, milestones and history, made in bulk.

The rules are goals' own (goals/services.py): a goal is active once a clinician agreed it; only
active goals are rated; a clinician's first rating at 0 or above is a milestone, and so is an
achieved goal; a parent rates only a goal they may see (sharing level full or progress, never a
goal private to the child).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from goals.models import Goal, GoalChange, GoalComment, GoalRating, Milestone, Perspective
from practice.models import Child, SharingLevel, User

GOAL_MODELS = [Goal, GoalChange, GoalComment, GoalRating, Milestone]
GOALS = {
    Goal.Domain.COMMUNICATION: "Asks for help with words when stuck",
    Goal.Domain.EMOTIONAL_REGULATION: "Uses a calming strategy when upset",
    Goal.Domain.SOCIAL: "Joins a game with other children at break",
    Goal.Domain.DAILY_LIVING: "Gets dressed for school with one reminder",
    Goal.Domain.MOTOR: "Uses a knife and fork at dinner",
    Goal.Domain.BEHAVIOUR: "Moves between activities without a meltdown",
    Goal.Domain.SCHOOL: "Starts homework within five minutes of sitting down",
    Goal.Domain.SLEEP: "Falls asleep in own bed within 30 minutes",
    Goal.Domain.FEEDING: "Tries one new food a week",
}
LEVELS = {
    "level_minus_2": "Does not happen, even with full support.",
    "level_minus_1": "Happens with full adult support most days.",
    "level_0": "Happens with one prompt on most days.",
    "level_plus_1": "Happens without a prompt on most days.",
    "level_plus_2": "Happens without a prompt every day, in new places too.",
}
STATUSES = [
    (Goal.Status.ACTIVE, 70),
    (Goal.Status.PROPOSED, 8),
    (Goal.Status.ACHIEVED, 14),
    (Goal.Status.REVISED, 5),
    (Goal.Status.DISCONTINUED, 3),
]


@dataclass
class ChildGoalContext:
    """What seed_scale knows of a child when it sets its goals."""

    child: Child
    primary: User
    level: str
    full_guardians: list[User] = field(default_factory=list)


def make_goals(rng, today: datetime.date, now, contexts: list[ChildGoalContext], count, bulk):
    """`count` goals spread over the children; returns (goals, ratings, milestones)."""
    if count <= 0 or not contexts:
        return 0, 0, 0
    per_child = [count // len(contexts)] * len(contexts)
    for index in rng.sample(range(len(contexts)), count % len(contexts)):
        per_child[index] += 1
    statuses, weights = zip(*STATUSES, strict=True)
    goals, owners = [], []
    for context, how_many in zip(contexts, per_child, strict=True):
        age = context.child.age_on(today)
        for _ in range(how_many):
            domain = rng.choice(list(GOALS))
            status = rng.choices(statuses, weights)[0]
            by_parent = bool(context.full_guardians) and rng.random() < 0.15
            goals.append(
                Goal(
                    child=context.child,
                    title=GOALS[domain],
                    domain=domain,
                    why_it_matters="It would make family life calmer." if by_parent else "",
                    measurement="Parent and clinician observation over a week.",
                    baseline_level=rng.choice([-2, -1]),
                    weight=rng.choice([1, 1, 2, 3]),
                    review_date=today + datetime.timedelta(days=rng.randint(-20, 120)),
                    proposed_by=Perspective.PARENT if by_parent else Perspective.CLINICIAN,
                    proposer=context.full_guardians[0] if by_parent else context.primary,
                    status=status,
                    agreed_by=None if status == Goal.Status.PROPOSED else context.primary,
                    agreed_at=None if status == Goal.Status.PROPOSED else now,
                    private_to_child=age >= 12 and rng.random() < 0.1,
                    **LEVELS,
                )
            )
            owners.append(context)
    goals = bulk(Goal, goals)
    bulk(
        GoalChange,
        [
            GoalChange(goal=goal, changed_by=goal.proposer, summary=_first_change(goal))
            for goal in goals
        ],
    )
    ratings, achieved = [], []
    for goal, context in zip(goals, owners, strict=True):
        if goal.status != Goal.Status.PROPOSED:
            ratings.extend(_ratings(rng, today, goal, context))
        if goal.status == Goal.Status.ACHIEVED:
            achieved.append(goal)
    ratings = bulk(GoalRating, ratings)
    milestones, reached = [], set()
    for rating in ratings:  # in date order per goal: the first clinician rating at 0 or above
        if (
            rating.perspective == Perspective.CLINICIAN
            and rating.level >= 0
            and rating.goal_id not in reached
        ):
            reached.add(rating.goal_id)
            milestones.append(
                Milestone(
                    goal_id=rating.goal_id,
                    kind=Milestone.Kind.EXPECTED_REACHED,
                    reached_on=rating.rated_on,
                    rating=rating,
                )
            )
    for goal in achieved:
        milestones.append(
            Milestone(goal=goal, kind=Milestone.Kind.ACHIEVED, reached_on=today - _days(rng, 30))
        )
    bulk(Milestone, milestones)
    comments = [
        GoalComment(goal=goal, author=context.full_guardians[0], text="We practised this at home.")
        for goal, context in zip(goals, owners, strict=True)
        if context.full_guardians and not goal.private_to_child and rng.random() < 0.05
    ]
    bulk(GoalComment, comments)
    return len(goals), len(ratings), len(milestones)


def _first_change(goal: Goal) -> str:
    if goal.proposed_by == Perspective.PARENT:
        return "Proposed by a parent"
    return "Goal drafted" if goal.status == Goal.Status.PROPOSED else "Goal set and agreed"


def _days(rng, most: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(1, most))


def _ratings(rng, today, goal: Goal, context: ChildGoalContext) -> list[GoalRating]:
    """Clinician ratings every one to three weeks, climbing from the baseline; some from home."""
    rows = []
    clinician_count = rng.randint(2, 8)
    day = today - datetime.timedelta(days=clinician_count * 14 + rng.randint(0, 20))
    level = goal.baseline_level
    for number in range(clinician_count):
        day += datetime.timedelta(days=rng.randint(7, 21))
        if day > today:
            break
        if rng.random() < 0.45:
            level = min(2, level + 1)
        rows.append(
            GoalRating(
                goal=goal,
                level=level,
                rated_on=day,
                source=GoalRating.Source.REVIEW if number % 4 == 3 else GoalRating.Source.SESSION,
                perspective=Perspective.CLINICIAN,
                rated_by=context.primary,
            )
        )
    parents_may_rate = context.level != SharingLevel.SAFETY_ONLY and not goal.private_to_child
    if parents_may_rate and context.full_guardians:
        for _ in range(rng.randint(0, 3)):
            rows.append(
                GoalRating(
                    goal=goal,
                    level=max(-2, min(2, level + rng.choice([-1, 0, 0, 1]))),
                    rated_on=today - _days(rng, 60),
                    source=GoalRating.Source.HOME,
                    perspective=Perspective.PARENT,
                    rated_by=rng.choice(context.full_guardians),
                )
            )
    if context.child.age_on(today) >= 8 and rng.random() < 0.3:
        rows.append(
            GoalRating(
                goal=goal,
                level=level,
                rated_on=today - _days(rng, 30),
                source=GoalRating.Source.SESSION,
                perspective=Perspective.CHILD,
                rated_by=context.primary,
            )
        )
    rows.sort(key=lambda rating: rating.rated_on)
    return rows
