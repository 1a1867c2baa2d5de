"""Home practice: the care team assigns a strategy from the child page or a session; guardians
see current home practice in the portal as DESIGN.md's table allows (full and progress only)."""

import datetime

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement.practice_at_home import services
from engagement.practice_at_home.models import HomePractice
from engagement.practice_at_home.selectors import current_home_practice
from engagement.visits.models import SessionLog
from goals.services import goal_create
from practice.access import policy_for
from tests.factories import (
    AgreementFactory,
    ChildFactory,
    GuardianshipFactory,
    ParentFactory,
    SessionLogFactory,
)

STRATEGY = "Feelings chart at bedtime"
INSTRUCTIONS = "Point to how the day felt and name it together"
SHOWN = "I pointed to cross and Mia copied me"


@pytest.fixture
def form_data(today):
    def make(goal, **extra):
        data = {
            "goal": goal.pk,
            "title": STRATEGY,
            "instructions": INSTRUCTIONS,
            "frequency": "daily",
            "frequency_detail": "at bedtime",
            "until": (today + datetime.timedelta(days=21)).isoformat(),
            "demonstration": SHOWN,
        }
        data.update(extra)
        return data

    return make


@pytest.fixture
def assign(today):
    def make(cast, goal, **fields):
        values = {
            "title": STRATEGY,
            "instructions": INSTRUCTIONS,
            "until": today + datetime.timedelta(days=21),
            "demonstration": SHOWN,
        }
        values.update(fields)
        return services.home_practice_assign(
            child=goal.child, goal=goal, assigned_by=cast.clinician, today=today, **values
        )

    return make


# --- Assigning ------------------------------------------------------------------------------


def test_clinician_assigns_home_practice_from_the_child_page(client, cast, active_goal, form_data):
    # Given a child with an active goal
    goal = active_goal()
    client.force_login(cast.clinician)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assign_url = reverse("home_practice_assign", args=[cast.child.pk])
    assert "Home practice" in page and assign_url in page
    # When the clinician assigns a strategy
    response = client.post(assign_url, form_data(goal))
    # Then it is saved, tied to the goal, and listed on the child page
    assert response.status_code == 302
    assert response["Location"] == reverse("child_detail", args=[cast.child.pk])
    home_practice = HomePractice.objects.get()
    assert (home_practice.goal, home_practice.assigned_by) == (goal, cast.clinician)
    assert home_practice.is_active and home_practice.from_session is None
    assert home_practice.how_often == "Every day, at bedtime"
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert STRATEGY in page and INSTRUCTIONS in page


def test_clinician_assigns_home_practice_from_a_session(
    client, cast, past_session, active_goal, form_data
):
    # Given a logged session
    goal = active_goal()
    session = past_session(status="attended", duration_minutes=50)
    client.force_login(cast.clinician)
    assign_url = f"{reverse('home_practice_assign', args=[cast.child.pk])}?session={session.pk}"
    detail = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert assign_url in detail and "Assign home practice" in detail
    # When the clinician assigns a strategy from it
    response = client.post(assign_url, form_data(goal))
    # Then the strategy is linked to the session, and the session's page lists it
    assert response.status_code == 302
    assert response["Location"] == reverse("session_detail", args=[session.pk])
    assert HomePractice.objects.get().from_session == session
    detail = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert STRATEGY in detail


def test_the_log_form_saves_then_opens_home_practice_for_that_session(client, cast, past_session):
    session = past_session()
    client.force_login(cast.clinician)
    page = client.get(reverse("session_log", args=[session.pk])).content.decode()
    assert "Save, then assign home practice" in page
    response = client.post(
        reverse("session_log", args=[session.pk]),
        {
            "status": "attended",
            "duration_minutes": 50,
            "modality": "clinic",
            "child_attended": "on",
            "stage": "process",
            "assign_home_practice": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('home_practice_assign', args=[cast.child.pk])}?session={session.pk}"
    )
    session.refresh_from_db()
    assert session.status == "attended"


def test_a_goal_of_another_child_gets_a_clear_error_and_keeps_what_was_typed(
    client, cast, active_goal, today, form_data
):
    active_goal()
    other_goal = active_goal(cast.other_child, cast.outsider, title="Other family's goal")
    client.force_login(cast.clinician)
    response = client.post(
        reverse("home_practice_assign", args=[cast.child.pk]), form_data(other_goal)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose one of this child&#x27;s active goals." in page
    assert STRATEGY in page and INSTRUCTIONS in page and SHOWN in page
    assert "Other family&#x27;s goal" not in page  # never offered either
    assert not HomePractice.objects.exists()
    # The service refuses it too, whatever the form did.
    with pytest.raises(ValidationError, match="active goals"):
        services.home_practice_assign(
            child=cast.child,
            goal=other_goal,
            assigned_by=cast.clinician,
            title=STRATEGY,
            instructions=INSTRUCTIONS,
            until=today,
            today=today,
        )


def test_an_end_date_in_the_past_gets_a_clear_error_and_keeps_what_was_typed(
    client, cast, active_goal, today, form_data, assign
):
    goal = active_goal()
    client.force_login(cast.clinician)
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("home_practice_assign", args=[cast.child.pk]), form_data(goal, until=yesterday)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The end date cannot be in the past." in page
    assert STRATEGY in page and INSTRUCTIONS in page and yesterday in page
    assert not HomePractice.objects.exists()
    with pytest.raises(ValidationError, match="in the past"):
        assign(cast, goal, until=today - datetime.timedelta(days=1))


def test_a_goal_that_is_not_active_is_refused(cast, assign):
    proposal = goal_create(
        child=cast.child, clinician=cast.clinician, title="Draft", domain="social", agree=False
    )
    with pytest.raises(ValidationError, match="active goals"):
        assign(cast, proposal)


def test_only_the_care_team_assigns_or_ends_home_practice(
    client, cast, past_session, active_goal, form_data, assign
):
    goal = active_goal()
    home_practice = assign(cast, goal)
    session = past_session()
    for user in [cast.outsider, cast.parent, cast.admin]:
        client.force_login(user)
        url = reverse("home_practice_assign", args=[cast.child.pk])
        assert client.post(url, form_data(goal)).status_code == 404
        assert client.get(f"{url}?session={session.pk}").status_code == 404
        end = reverse("home_practice_end", args=[home_practice.pk])
        assert client.post(end).status_code == 404
    assert HomePractice.objects.count() == 1 and HomePractice.objects.get().is_active


def test_a_session_of_another_child_cannot_be_linked(client, cast):
    other_session = SessionLogFactory(
        child=cast.other_child, clinician=cast.clinician, scheduled_start=timezone.now()
    )
    client.force_login(cast.clinician)
    url = reverse("home_practice_assign", args=[cast.child.pk])
    assert client.get(f"{url}?session={other_session.pk}").status_code == 404


def test_the_clinician_ends_home_practice(client, cast, active_goal, assign):
    goal = active_goal()
    home_practice = assign(cast, goal)
    client.force_login(cast.clinician)
    response = client.post(reverse("home_practice_end", args=[home_practice.pk]))
    assert response.status_code == 302
    home_practice.refresh_from_db()
    assert not home_practice.is_active and home_practice.ended_by == cast.clinician
    assert "ended. It stays in the record." in client.get(response["Location"]).content.decode()
    assert (
        STRATEGY not in client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    )
    client.force_login(cast.parent)
    assert (
        STRATEGY not in client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    )


# --- What a guardian sees -------------------------------------------------------------------


@pytest.mark.parametrize(
    "level, access, sees",
    [
        ("full", "full", True),
        ("progress", "full", True),
        ("safety_only", "full", False),
        ("full", "limited", False),
        ("progress", "limited", False),
    ],
)
def test_home_practice_follows_the_table_in_the_portal(
    client, cast, level, access, sees, active_goal, assign
):
    # Given a sharing level and the guardian's access
    AgreementFactory(
        child=cast.child, sharing_level=level, version=9, effective_date=datetime.date(2025, 1, 1)
    )
    cast.guardianship.access = access
    cast.guardianship.save()
    assign(cast, active_goal())
    # When the guardian opens the child's portal page
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    # Then home practice is there only at full and progress with full access
    assert (STRATEGY in page) is sees
    assert (INSTRUCTIONS in page) is sees
    assert (SHOWN in page) is sees
    assert ("Practising at home" in page) is sees


def test_a_guardian_with_access_none_sees_no_home_practice(
    client, cast, active_goal, today, assign
):
    assign(cast, active_goal())
    client.force_login(cast.barred)
    assert client.get(reverse("portal_child", args=[cast.child.pk])).status_code == 404
    assert STRATEGY not in client.get(reverse("portal_home")).content.decode()
    assert current_home_practice(policy_for(cast.barred, cast.child), cast.child, today) == []
    client.force_login(cast.other_parent)
    assert client.get(reverse("portal_child", args=[cast.child.pk])).status_code == 404


def test_home_practice_for_a_goal_private_to_the_child_never_reaches_guardians(
    client, cast, active_goal, assign
):
    private = active_goal(title="My own goal", private_to_child=True)
    assign(cast, private, title="Private strategy")
    assign(cast, active_goal())
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert STRATEGY in page and "Private strategy" not in page
    client.force_login(cast.clinician)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "Private strategy" in page  # the care team sees it


def test_home_practice_past_its_end_date_is_no_longer_current(cast, active_goal, assign):
    home_practice = assign(cast, active_goal())
    later = home_practice.until + datetime.timedelta(days=1)
    child_policy = policy_for(cast.parent, cast.child)
    assert current_home_practice(child_policy, cast.child, home_practice.until) == [home_practice]
    assert current_home_practice(child_policy, cast.child, later) == []


def test_the_office_sees_no_home_practice_on_the_child_page(client, cast, active_goal, assign):
    assign(cast, active_goal())
    client.force_login(cast.admin)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert STRATEGY not in page and INSTRUCTIONS not in page


def test_the_admin_shows_no_home_practice_text(cast, active_goal, assign):
    home_practice = assign(cast, active_goal())
    model_admin = admin.site._registry[HomePractice]
    request = RequestFactory().get("/")
    request.user = cast.admin
    shown = set(model_admin.get_fields(request, home_practice)) | set(model_admin.list_display)
    assert not shown & {"title", "instructions", "demonstration", "frequency_detail"}


# --- Query bounds ---------------------------------------------------------------------------


@pytest.fixture
def _fill(past_session, active_goal, assign):
    def make(cast, count):
        goal = active_goal()
        for number in range(count):
            session = past_session(days_ago=number + 1, status="attended", duration_minutes=30)
            assign(cast, goal, title=f"Strategy {number}", from_session=session)
        for _ in range(count):
            child = ChildFactory(clinician=cast.clinician)
            GuardianshipFactory(child=child, guardian=ParentFactory())

    return make


def _queries(client, url):
    client.get(url)
    cache.clear()  # the page's whole work, not a cached fragment
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("count", [2, 12])
def test_home_practice_pages_run_bounded_queries(
    client, cast, count, django_assert_max_num_queries, _fill
):
    _fill(cast, count)
    client.force_login(cast.clinician)
    for url in [
        reverse("child_detail", args=[cast.child.pk]),
        reverse("caseload"),
        reverse("session_detail", args=[SessionLog.objects.first().pk]),
    ]:
        client.get(url)
        # + the check-ins and the observations from home on the child page.
        # + the child's message threads (1).
        with django_assert_max_num_queries(35):
            assert client.get(url).status_code == 200
    client.force_login(cast.parent)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert f"Strategy {count - 1}" in page


def test_home_practice_costs_the_same_queries_at_two_sizes(client, db, cast, _fill):
    _fill(cast, 2)
    client.force_login(cast.clinician)
    child_page = reverse("child_detail", args=[cast.child.pk])
    small = (_queries(client, child_page), _queries(client, reverse("caseload")))
    client.force_login(cast.parent)
    small_portal = _queries(client, reverse("portal_child", args=[cast.child.pk]))
    _fill(cast, 10)
    client.force_login(cast.clinician)
    assert (_queries(client, child_page), _queries(client, reverse("caseload"))) == small
    client.force_login(cast.parent)
    assert _queries(client, reverse("portal_child", args=[cast.child.pk])) == small_portal


def test_overlong_instructions_get_a_clear_error_and_are_kept(client, cast, active_goal, form_data):
    goal = active_goal()
    client.force_login(cast.clinician)
    pasted = "Point to the feeling. " * 300  # 6,600 characters: a pasted document
    url = reverse("home_practice_assign", args=[cast.child.pk])
    response = client.post(url, form_data(goal, instructions=pasted, demonstration=pasted))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please shorten this" in page and "Up to 5,000 characters." in page
    assert pasted.strip() in page
    assert not HomePractice.objects.exists()
    with pytest.raises(ValidationError):
        HomePractice(instructions=pasted).full_clean()
