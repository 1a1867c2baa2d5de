"""Home observations: what a parent saw at home, between that parent and the care team. A GAS
level given with one becomes a GoalRating (source home), shown wherever goals are as a parent's
view; the text never reaches another guardian."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from engagement.observations.models import HomeObservation, ObservationReply
from engagement.observations.services import observation_reply, observation_share
from goals.models import GoalRating
from tests.factories import AgreementFactory, GuardianshipFactory, ParentFactory

SEEN = "She named her feelings at bedtime without the chart"
REPLY = "Wonderful: try asking what helped"


def co_parent_of(child, access="full"):
    co_parent = ParentFactory(full_name="Chris Rowe")
    GuardianshipFactory(child=child, guardian=co_parent, relationship="father", access=access)
    return co_parent


def share_url(cast):
    return reverse("observation_share", args=[cast.child.pk])


def test_parent_shares_an_observation_with_a_rating_that_becomes_a_parents_view(
    client, cast, active_goal
):
    # Given an active goal the parent sees
    goal = active_goal()
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "What you noticed at home" in page and share_url(cast) in page
    # When they share what they saw, rating the goal +1
    response = client.post(share_url(cast), {"text": SEEN, "goal": goal.pk, "level": "1"})
    # Then the observation is saved and the rating is a GoalRating from home, a parent's view
    assert response.status_code == 302
    observation = HomeObservation.objects.get()
    rating = GoalRating.objects.get()
    assert observation.rating == rating and observation.goal == goal
    assert (rating.source, rating.perspective, rating.level) == ("home", "parent", 1)
    assert rating.note == ""  # the text stays with the observation
    # And the goal page shows the parent's view, without the observation's text
    client.force_login(cast.clinician)
    goal_page = client.get(reverse("goal_detail", args=[goal.pk])).content.decode()
    assert "Parent" in goal_page and "+1" in goal_page and "Home" in goal_page
    assert SEEN not in goal_page
    # And the care team reads the text on the child page
    child_page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert SEEN in child_page and "a parent's view: +1" in child_page


def test_a_co_parent_never_sees_the_other_parents_observation(client, cast, active_goal, today):
    # Given a co-parent with full access, and an observation with a rating by the parent
    goal = active_goal()
    co_parent = co_parent_of(cast.child)
    observation = observation_share(
        child=cast.child, guardian=cast.parent, text=SEEN, today=today, goal=goal, level=0
    )
    observation_reply(observation=observation, author=cast.clinician, text=REPLY)
    # When the co-parent walks the portal pages of the child
    client.force_login(co_parent)
    pages = [
        reverse("portal_home"),
        reverse("portal_child", args=[cast.child.pk]),
        share_url(cast),
        reverse("goal_detail", args=[goal.pk]),
        reverse("family_child_export", args=[cast.child.pk]),
    ]
    for url in pages:
        # Then neither the text nor the reply is anywhere
        content = client.get(url).content.decode()
        assert SEEN not in content and REPLY not in content, url
    # And the reply form of the care team is not theirs either
    assert client.post(reverse("observation_reply", args=[observation.pk])).status_code in (
        302,
        403,
        404,
    )
    assert ObservationReply.objects.count() == 1


def test_care_team_reply_is_shown_to_that_parent_only(client, cast, today):
    observation = observation_share(child=cast.child, guardian=cast.parent, text=SEEN, today=today)
    co_parent = co_parent_of(cast.child)
    # When the clinician replies from the child page
    client.force_login(cast.clinician)
    response = client.post(reverse("observation_reply", args=[observation.pk]), {"text": REPLY})
    assert response.status_code == 302
    assert ObservationReply.objects.get().author == cast.clinician
    # Then the parent reads it under their observation, and the co-parent does not
    client.force_login(cast.parent)
    assert REPLY in client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    client.force_login(co_parent)
    assert REPLY not in client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()


def test_a_clinician_outside_the_care_team_cannot_reply(client, cast, today):
    observation = observation_share(child=cast.child, guardian=cast.parent, text=SEEN, today=today)
    client.force_login(cast.outsider)
    response = client.post(reverse("observation_reply", args=[observation.pk]), {"text": REPLY})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        observation_reply(observation=observation, author=cast.outsider, text=REPLY)
    assert not ObservationReply.objects.exists()


def test_limited_access_shares_text_but_no_goal_rating(client, cast, active_goal, today):
    # Given a guardian at limited access (their own items, no goals)
    goal = active_goal()
    limited = co_parent_of(cast.child, access="limited")
    client.force_login(limited)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert share_url(cast) in page and 'name="level"' not in page
    # When they share an observation (a rating posted anyway is ignored by the form)
    client.post(share_url(cast), {"text": SEEN, "goal": goal.pk, "level": "2"})
    observation = HomeObservation.objects.get()
    assert observation.rating is None and observation.goal is None
    assert not GoalRating.objects.exists()
    # And the service itself refuses a rating from them
    with pytest.raises(PermissionDenied):
        observation_share(
            child=cast.child, guardian=limited, text=SEEN, today=today, goal=goal, level=1
        )


def test_at_safety_only_the_parent_shares_text_without_goals(client, cast):
    AgreementFactory(child=cast.child, sharing_level="safety_only", version=100_000)
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert share_url(cast) in page and 'name="goal"' not in page


def test_a_barred_parent_or_another_family_gets_404(client, cast):
    for user in (cast.barred, cast.other_parent):
        client.force_login(user)
        assert client.post(share_url(cast), {"text": SEEN}).status_code == 404
    assert not HomeObservation.objects.exists()


def test_a_rating_needs_a_goal_the_parent_may_see(client, cast, active_goal):
    private = active_goal(title="My own goal")
    private.private_to_child = True
    private.save()
    client.force_login(cast.parent)
    response = client.post(share_url(cast), {"text": SEEN, "goal": private.pk, "level": "1"})
    assert response.status_code == 200  # the form again, with its error
    assert "Select a valid choice" in response.content.decode()
    response = client.post(share_url(cast), {"text": SEEN, "level": "1"})
    assert "Choose the goal this rating is about" in response.content.decode()
    assert not HomeObservation.objects.exists()


# --- Free text: a stated limit, a clear error, nothing lost ---------------------------------

PASTE = "What I saw, pasted from my notes. " * 31_000  # about 1 MB


def test_a_huge_observation_gets_a_clear_error_and_the_text_is_kept(client, cast):
    client.force_login(cast.parent)
    assert "Up to 5,000 characters." in client.get(share_url(cast)).content.decode()
    response = client.post(share_url(cast), {"text": PASTE})
    assert response.status_code == 200
    assert "Please shorten this to 5000 characters or fewer" in response.content.decode()
    assert response.context["form"]["text"].value() == PASTE
    response = client.post(share_url(cast), {"text": "Bad\x00byte"})
    assert "Null characters are not allowed." in response.content.decode()
    assert not HomeObservation.objects.exists()


def test_a_reply_that_cannot_be_sent_is_shown_again_with_its_text_and_the_reason(
    client, cast, today
):
    observation = observation_share(child=cast.child, guardian=cast.parent, text=SEEN, today=today)
    client.force_login(cast.clinician)
    response = client.post(reverse("observation_reply", args=[observation.pk]), {"text": PASTE})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please shorten this to 5000 characters or fewer" in page
    assert response.context["form"]["text"].value() == PASTE and SEEN in page
    assert not ObservationReply.objects.exists()
