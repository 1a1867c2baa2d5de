"""The goal's page keeps its record in the fragment cache (practice/fragments.py), per viewer:
the same URL serves the care team and the family, and a clinician's copy never reaches a
parent, another guardian or an emergency reader; a rating or a comment shows at once."""

from django.urls import reverse
from django.utils import timezone

from goals import services
from practice.break_glass.services import break_glass_open
from tests.factories import GuardianshipFactory, ParentFactory
from tests.same_browser import page, sign_in, view

CLINICIAN_NOTE = "Clinician rating note CACHE5"
PARENT_NOTE = "Co-parent rating note CACHE5"
REASON = "Called by the school about an urgent safety concern; the primary is away today."


def _view(client, user, goal):
    return view(client, user, reverse("goal_detail", args=[goal.pk]))


def _page(client, user, goal) -> str:
    return page(client, user, reverse("goal_detail", args=[goal.pk]))


def _rate(goal, user, level, note):
    today = timezone.localdate()
    return services.goal_rate(
        goal=goal,
        rated_by=user,
        level=level,
        rated_on=today,
        source="review",
        note=note,
        today=today,
    )


def test_a_clinicians_cached_goal_page_is_never_served_to_a_parent_or_other_rights(
    client, cast, make_goal
):
    co_parent = ParentFactory()
    GuardianshipFactory(child=cast.child, guardian=co_parent, relationship="father")
    limited = ParentFactory()
    GuardianshipFactory(child=cast.child, guardian=limited, access="limited")
    goal = make_goal()
    _rate(goal, cast.clinician, 0, CLINICIAN_NOTE)
    _rate(goal, co_parent, 1, PARENT_NOTE)
    for parent in (cast.parent, co_parent):  # a guardian's first visit is recorded once
        sign_in(client, parent)
        client.get(reverse("portal_home"))
    break_glass_open(clinician=cast.outsider, child=cast.child, reason=REASON)
    edit = reverse("goal_edit", args=[goal.pk])
    # Given Alice's page, cached: a second view is served from the cache
    _, queries_first = _view(client, cast.clinician, goal)
    again, queries_again = _view(client, cast.clinician, goal)
    assert queries_again < queries_first
    assert CLINICIAN_NOTE in again.content.decode() and edit in again.content.decode()
    # Then a parent, in the same browser, reads neither the clinician's nor another's note
    family = _page(client, cast.parent, goal)
    assert CLINICIAN_NOTE not in family and PARENT_NOTE not in family and edit not in family
    # The co-parent reads their own note only
    own = _page(client, co_parent, goal)
    assert PARENT_NOTE in own and CLINICIAN_NOTE not in own
    # A guardian with limited access has no goal page; an emergency reader may not edit
    sign_in(client, limited)
    assert client.get(reverse("goal_detail", args=[goal.pk])).status_code == 404
    emergency = _page(client, cast.outsider, goal)
    assert CLINICIAN_NOTE in emergency and edit not in emergency


def test_a_rating_and_a_comment_show_on_the_next_view(client, cast, make_goal):
    goal = make_goal()
    sign_in(client, cast.parent)
    client.get(reverse("portal_home"))
    assert "Comment CACHE5" not in _page(client, cast.parent, goal)
    assert "No ratings yet." in _page(client, cast.clinician, goal)
    # When the parent rates the goal from home
    sign_in(client, cast.parent)
    response = client.post(
        reverse("goal_rate", args=[goal.pk]),
        {"level": "1", "rated_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    # Then the care team sees it at once
    assert "No ratings yet." not in _page(client, cast.clinician, goal)
    # And a comment from the care team reaches the parent at once
    sign_in(client, cast.clinician)
    response = client.post(reverse("goal_comment", args=[goal.pk]), {"text": "Comment CACHE5"})
    assert response.status_code == 302
    assert "Comment CACHE5" in _page(client, cast.parent, goal)
