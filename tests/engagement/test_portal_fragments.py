"""The portal child page's sections come from the fragment cache: never another viewer's
(a guardian with other rights, a co-parent, a clinician), and a write shows at once."""

import datetime

import pytest
from django.urls import reverse

from engagement.practice_at_home.services import home_practice_assign
from goals import services as goal_services
from tests.factories import GuardianshipFactory, HomeObservationFactory, ParentFactory

GOAL = "Ask for help with words"
HOME_PRACTICE = "Ask at snack time"
NOTICED = "Pat noticed her asking at the park"


@pytest.fixture
def mias_record(cast, active_goal):
    today = cast.practice.today()
    goal = active_goal(title=GOAL)
    home_practice = home_practice_assign(
        child=cast.child,
        goal=goal,
        assigned_by=cast.clinician,
        title=HOME_PRACTICE,
        instructions="Hold the snack up and wait",
        until=today + datetime.timedelta(weeks=4),
        today=today,
    )
    HomeObservationFactory(child=cast.child, guardian=cast.parent, text=NOTICED)
    return goal, home_practice


def portal_page(client, user, child) -> str:
    client.force_login(user)
    response = client.get(reverse("portal_child", args=[child.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_guardian_with_limited_access_is_never_served_the_full_guardians_sections(
    client, cast, mias_record
):
    # Given Pat (full access) opened Mia's page, so its sections are cached
    page = portal_page(client, cast.parent, cast.child)
    assert GOAL in page and HOME_PRACTICE in page and NOTICED in page
    # When a grandparent with limited access opens the same page
    grandparent = ParentFactory(full_name="Gran Rowe")
    GuardianshipFactory(child=cast.child, guardian=grandparent, access="limited")
    page = portal_page(client, grandparent, cast.child)
    # Then they see only what limited access allows
    assert GOAL not in page and HOME_PRACTICE not in page and NOTICED not in page
    assert "You can see appointments, attendance and safety information" in page


def test_a_co_parent_is_never_served_the_other_guardians_own_items(
    client, cast, co_parent, mias_record
):
    page = portal_page(client, cast.parent, cast.child)
    assert NOTICED in page
    page = portal_page(client, co_parent, cast.child)
    # The same goals and home practice, but not what Pat noticed at home
    assert GOAL in page and HOME_PRACTICE in page
    assert NOTICED not in page


def test_a_clinicians_view_of_the_record_is_never_served_to_a_parent(client, cast, mias_record):
    goal, _home_practice = mias_record
    private = goal_services.goal_create(
        child=cast.child,
        clinician=cast.clinician,
        title="Private QZX goal",
        domain="communication",
        private_to_child=True,
        **{f"level_{n}": "x" for n in ["minus_2", "minus_1", "0", "plus_1", "plus_2"]},
    )
    client.force_login(cast.clinician)
    for url in [
        reverse("child_detail", args=[cast.child.pk]),
        reverse("goal_detail", args=[goal.pk]),
    ]:
        assert client.get(url).status_code == 200
    page = portal_page(client, cast.parent, cast.child)
    assert GOAL in page
    assert "QZX" not in page and private.title not in page


def test_a_rating_a_new_goal_and_a_check_in_show_at_once_on_the_next_view(
    client, cast, mias_record, active_goal
):
    goal, home_practice = mias_record
    today = cast.practice.today()
    page = portal_page(client, cast.parent, cast.child)
    assert "Reached the expected outcome" not in page and "Tidy up" not in page
    # When the clinician rates the goal and sets another
    goal_services.goal_rate(
        goal=goal, rated_by=cast.clinician, level=0, rated_on=today, source="review", today=today
    )
    active_goal(title="Tidy up after play")
    page = portal_page(client, cast.parent, cast.child)
    # Then Pat's next view shows both
    assert "Reached the expected outcome" in page and "Tidy up after play" in page
    # And a check-in Pat posts shows on the next view too
    check_in = reverse("check_in", args=[cast.child.pk, home_practice.pk])
    assert check_in in page
    client.post(check_in, {"done": "yes"})
    after = portal_page(client, cast.parent, cast.child)
    assert "Today: done." not in page and "Today: done." in after


def home_page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("portal_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_portal_home_never_serves_a_full_guardians_home_practice_to_a_limited_one(
    client, cast, mias_record
):
    assert HOME_PRACTICE in home_page(client, cast.parent)
    grandparent = ParentFactory(full_name="Gran Rowe")
    GuardianshipFactory(child=cast.child, guardian=grandparent, access="limited")
    page = home_page(client, grandparent)
    assert "Mia" in page and HOME_PRACTICE not in page


def test_a_new_milestone_and_home_practice_show_at_once_on_the_portal_home(
    client, cast, mias_record
):
    goal, _home_practice = mias_record
    today = cast.practice.today()
    page = home_page(client, cast.parent)
    assert "Reached the expected outcome" not in page and "Bedtime story" not in page
    goal_services.goal_rate(
        goal=goal, rated_by=cast.clinician, level=0, rated_on=today, source="review", today=today
    )
    home_practice_assign(
        child=cast.child,
        goal=goal,
        assigned_by=cast.clinician,
        title="Bedtime story",
        instructions="Read together",
        until=today + datetime.timedelta(weeks=4),
        today=today,
    )
    page = home_page(client, cast.parent)
    assert "Reached the expected outcome" in page and "Bedtime story" in page


def test_a_session_that_begins_leaves_coming_up_on_the_next_view(client, cast, monkeypatch):
    from django.utils import timezone

    from tests.factories import SessionLogFactory

    now = timezone.now()
    SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        scheduled_start=now + datetime.timedelta(minutes=10),
    )
    assert "Next session:" in portal_page(client, cast.parent, cast.child)
    # Twenty minutes on, with no write in between: the cached sessions are not served.
    monkeypatch.setattr(timezone, "now", lambda: now + datetime.timedelta(minutes=20))
    assert "Next session:" not in portal_page(client, cast.parent, cast.child)


def test_the_home_page_next_session_moves_on_when_one_begins(client, cast, monkeypatch):
    from django.utils import timezone

    from tests.factories import SessionLogFactory

    now = timezone.now()
    soon, later = now + datetime.timedelta(minutes=10), now + datetime.timedelta(days=2)
    for start in (soon, later):
        SessionLogFactory(child=cast.child, clinician=cast.clinician, scheduled_start=start)
    client.force_login(cast.parent)

    def next_session() -> str:
        page = client.get(reverse("portal_home")).content.decode()
        return page.split('class="mb-2 next-session">', 1)[1].split("</p>", 1)[0]

    tz = cast.practice.tz
    assert timezone.localtime(soon, tz).strftime("%H:%M") in next_session()
    # Twenty minutes on, with no write in between: the cached card is not served.
    monkeypatch.setattr(timezone, "now", lambda: now + datetime.timedelta(minutes=20))
    assert timezone.localtime(later, tz).strftime("%A %-d %B") in next_session()
