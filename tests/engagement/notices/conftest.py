"""Fixtures of the tests of engagement/notices/."""

import pytest


@pytest.fixture
def communication(communication, cast):
    """The engagement tests' London practice, quiet from 20:00 to 08:00 and at weekends, with
    the contact details a reminder gives."""
    cast.practice.contact_phone = "020 7946 0000"
    cast.practice.contact_email = "office@practice.example"
    cast.practice.save()
    return communication
