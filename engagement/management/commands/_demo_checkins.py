"""Demo check-ins, observations and parent profiles. Grace checks in on Mia's strategies most
days (a streak to see), Priya on Leo's now and then; Grace and Priya each share an observation
(Grace's with a rating of Mia's goal, a parent's view) and Mia's clinician answers Grace's; Grace
and Priya have filled in "About you". Idempotent: skipped once demo check-ins exist."""

import datetime

from engagement.observations.services import observation_reply, observation_share
from engagement.practice_at_home.models import CheckIn, HomePractice
from engagement.profiles.services import parent_profile_update
from practice.models import User

# first name of the child, guardian's email, days ago done (others: "not today")
CHECK_INS = [
    ("Mia", "grace@demo.example", [0, 1, 2, 3, 5, 6, 8, 9, 10], [4, 7]),
    ("Leo", "priya@demo.example", [1, 4, 9], [2]),
]
PROFILES = {
    "grace@demo.example": {
        "preferred_channel": "portal",
        "learning_style": "demonstration",
        "availability": "Weekdays before 15:00; Thursdays are easiest.",
        "do_not_contact": "Tuesday evenings (I work late).",
        "hopes": "That Mia can tell us how she feels before it turns into a meltdown.",
        "knows_best": "Mia calms down fastest with her blanket and a quiet corner.",
    },
    "priya@demo.example": {
        "preferred_channel": "phone",
        "language": "English and Gujarati",
        "learning_style": "conversation",
        "availability": "Evenings after 18:00.",
        "hopes": "More words at home, fewer tears at snack time.",
        "knows_best": "Leo says more to his grandad than to anyone.",
    },
}


def seed_checkins(children, practice) -> None:
    if CheckIn.objects.filter(home_practice__child__is_demo=True).exists():
        return
    today = practice.today()
    for first, email, done, not_done in CHECK_INS:
        guardian = User.objects.get(email=email)
        for home_practice in HomePractice.objects.filter(child=children[first], is_active=True):
            # Assigned a fortnight ago, so the counts have some history behind them.
            home_practice.assigned_at -= datetime.timedelta(days=14)
            home_practice.save(update_fields=["assigned_at"])
            rows = [(days, True) for days in done] + [(days, False) for days in not_done]
            CheckIn.objects.bulk_create(
                CheckIn(
                    home_practice=home_practice,
                    guardian=guardian,
                    done=is_done,
                    for_date=today - datetime.timedelta(days=days),
                    how_it_went=4 if is_done else None,
                )
                for days, is_done in rows
            )
    _observations(children, today)
    for email, fields in PROFILES.items():
        parent_profile_update(parent=User.objects.get(email=email), **fields)


def _observations(children, today) -> None:
    mia, leo = children["Mia"], children["Leo"]
    grace = User.objects.get(email="grace@demo.example")
    goal = mia.goals.filter(status="active", private_to_child=False).order_by("pk").first()
    observation = observation_share(
        child=mia,
        guardian=grace,
        text="Mia pointed at 'worried' on the chart before school and we talked about it.",
        goal=goal,
        level=0 if goal else None,
        today=today,
    )
    clinician = mia.memberships.get(is_primary=True).clinician
    observation_reply(
        observation=observation,
        author=clinician,
        text="That is exactly the skill we are building. Let's talk about what helped on Thursday.",
    )
    observation_share(
        child=leo,
        guardian=User.objects.get(email="priya@demo.example"),
        text="Leo said 'juice please' at the weekend, all by himself.",
        today=today,
    )
