"""The portal home: for every child a parent may see, the next session, this week's home
practice, recent milestones, the latest shared summary, unread messages (their own threads
only) and a safety statement, each shown only as DESIGN.md's table allows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.messaging import services as messaging_services
from engagement.practice_at_home.services import home_practice_assign
from engagement.visits.models import SessionLog
from goals import services as goal_services
from tests.factories import (
    AddendumFactory,
    ChildFactory,
    GuardianshipFactory,
    SafetyConcernFactory,
    SessionLogFactory,
)
from tests.family_record import LEVELS, signed_session

GOAL = "Ask for help with words"
HOME_PRACTICE = "Ask at snack time"
SUMMARY = "We played turn-taking games together"
CORRECTION = "The game was Guess Who, not Snap"
SAFETY = "Please call the practice today about Mia"
REPLY = "Thanks for telling us about the weekend"

# level, access, goals and home practice, shared summary
TABLE = [
    ("full", "full", True, True),
    ("progress", "full", True, False),
    ("safety_only", "full", False, False),
    ("full", "limited", False, False),
    ("progress", "limited", False, False),
    ("safety_only", "limited", False, False),
]


def mias_week(cast) -> SessionLog:
    """Mia's record with one of each item the portal home shows, and an unread reply."""
    today = cast.practice.today()
    goal = goal_services.goal_create(
        child=cast.child, clinician=cast.clinician, title=GOAL, domain="communication", **LEVELS
    )
    goal_services.goal_rate(
        goal=goal, rated_by=cast.clinician, level=0, rated_on=today, source="review", today=today
    )
    home_practice_assign(
        child=cast.child,
        goal=goal,
        assigned_by=cast.clinician,
        title=HOME_PRACTICE,
        instructions="Hold the snack up and wait",
        until=today + datetime.timedelta(weeks=4),
        today=today,
    )
    shared = signed_session(cast, cast.child, 7, shared_summary=SUMMARY, private_note="Private QZX")
    AddendumFactory(
        session=shared, author=cast.clinician, text=CORRECTION, corrects_shared_summary=True
    )
    SafetyConcernFactory(
        child=cast.child,
        kind="other",
        clinical_record="Clinical QZX",
        family_statement=SAFETY,
        recorded_by=cast.clinician,
    )
    thread = messaging_services.thread_start(
        child=cast.child, guardian=cast.parent, subject="The weekend", body="It went well"
    )
    messaging_services.message_send(thread=thread, by=cast.clinician, body=REPLY)
    return SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        in_days=3,
    )


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("portal_home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("level, access, goals, summaries", TABLE)
def test_the_portal_home_shows_each_item_only_as_the_table_allows(
    client, cast, level, access, goals, summaries, set_access
):
    # Given Mia's week, seen by Pat at this level and access
    upcoming = mias_week(cast)
    set_access(level, access)
    # When Pat opens the portal home
    page = home(client, cast.parent)
    # Then what every guardian who may see Mia sees is there
    start = timezone.localtime(upcoming.scheduled_start, cast.practice.tz)
    assert start.strftime("%H:%M") in page
    assert SAFETY in page
    assert "1 new message from the care team" in page
    # And goals, home practice and the summary only where the table allows
    assert ("Reached the expected outcome" in page) is goals
    assert (HOME_PRACTICE in page) is goals
    assert (SUMMARY in page) is summaries and (CORRECTION in page) is summaries
    # And never a private note or clinical record
    assert "QZX" not in page


def test_a_barred_guardian_sees_nothing_of_the_child(client, cast):
    mias_week(cast)
    page = home(client, cast.barred)
    for text in [GOAL, HOME_PRACTICE, SUMMARY, SAFETY, "Mia", "new message"]:
        assert text not in page


def test_a_co_parent_is_not_counted_another_guardians_unread_messages(client, cast, co_parent):
    mias_week(cast)
    page = home(client, co_parent)
    assert "new message" not in page
    assert SUMMARY in page  # the co-parent does see Mia's shared items


def test_each_child_gets_its_own_items(client, cast):
    mias_week(cast)
    sibling = ChildFactory(
        first_name="Noah",
        last_name="Rowe",
        date_of_birth=datetime.date(2022, 5, 1),
        clinician=cast.clinician,
    )
    GuardianshipFactory(child=sibling, guardian=cast.parent)
    page = home(client, cast.parent)
    noah = page[page.index("Noah Rowe") :]
    mia = page[page.index("Mia Rowe") : page.index("Noah Rowe")]
    assert "none booked yet" in noah and SUMMARY not in noah and "new message" not in noah
    assert SUMMARY in mia and "new message" in mia
