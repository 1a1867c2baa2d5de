"""The engagement app's tests: its portal and hub pages here, each sub-package in its own folder."""

import datetime

import pytest

from goals.services import goal_create
from practice.models import CommunicationPolicy

GOAL_LEVELS = {f"level_{name}": "x" for name in ["minus_2", "minus_1", "0", "plus_1", "plus_2"]}


@pytest.fixture
def active_goal(cast):
    """Makes a goal the care team sets as agreed (Mia's and Alice's unless `child` and
    `clinician` are given): `active_goal(title="Name feelings", private_to_child=True)`."""

    def make(child=None, clinician=None, *, title="Name feelings", **fields):
        return goal_create(
            child=child or cast.child,
            clinician=clinician or cast.clinician,
            title=title,
            domain="emotional_regulation",
            **GOAL_LEVELS,
            **fields,
        )

    return make


@pytest.fixture
def communication(cast) -> CommunicationPolicy:
    """A London practice, quiet from 20:00 to 08:00 and at weekends."""
    cast.practice.timezone = "Europe/London"
    cast.practice.save()
    communication, _ = CommunicationPolicy.objects.get_or_create(practice=cast.practice)
    communication.quiet_hours_start = datetime.time(20, 0)
    communication.quiet_hours_end = datetime.time(8, 0)
    communication.quiet_on_weekends = True
    communication.save()
    return communication
