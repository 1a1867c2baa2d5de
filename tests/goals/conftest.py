"""Fixtures of the goals app's tests."""

import pytest

from goals import services

LEVELS = {
    "level_minus_2": "Never asks",
    "level_minus_1": "Asks once a day with a prompt",
    "level_0": "Asks most mornings with one prompt",
    "level_plus_1": "Asks most mornings unprompted",
    "level_plus_2": "Asks everywhere unprompted",
}


@pytest.fixture
def make_goal(cast):
    """Makes Mia's goal, set by Alice through the service and agreed at once:
    `make_goal(title="Shared goal title", private_to_child=True)`."""

    def make(title="Ask for help with words", **extra):
        fields = {"domain": "communication", **LEVELS, **extra}
        return services.goal_create(
            child=cast.child, clinician=cast.clinician, title=title, **fields
        )

    return make
