"""Fixtures of the tests of engagement/updates/."""

import pytest


@pytest.fixture
def communication(always_allowed):
    """No quiet hours and no quiet weekends, so a test may run at any hour of any day."""
    return always_allowed
