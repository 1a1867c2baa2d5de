"""In the browser, each page audited with axe: a parent checks in on home practice with one tap
(htmx swaps the card) and then says how it went, shares an observation with a rating of the
goal, and fills in "About you"; the clinician sees the check-ins, the observation and the
profile on the child page and replies; the parent reads the reply."""

import datetime

import pytest
from playwright.sync_api import expect

from engagement.practice_at_home.models import CheckIn
from engagement.practice_at_home.services import home_practice_assign
from goals.services import goal_create

pytestmark = pytest.mark.browser

LEVELS = {f"level_{name}": "x" for name in ["minus_2", "minus_1", "0", "plus_1", "plus_2"]}
SEEN = "She used the calm corner by herself tonight."
REPLY = "Lovely: let's build on that on Thursday."
HOPES = "Calmer bedtimes for all of us."


def test_check_in_observation_profile_and_reply(ui, new_ui, cast):
    today = cast.practice.today()
    goal = goal_create(
        child=cast.child, clinician=cast.clinician, title="Calm down", domain="social", **LEVELS
    )
    home_practice = home_practice_assign(
        child=cast.child,
        goal=goal,
        assigned_by=cast.clinician,
        title="Feelings chart",
        instructions="Point to how the day felt.",
        until=today + datetime.timedelta(days=21),
        today=today,
    )

    # The parent taps "Done today": the card updates in place.
    parent = new_ui("parent")
    parent.login(cast.parent.email)
    parent.go(f"/portal/children/{cast.child.pk}/")
    parent.check("portal-home-practice", phone=True)
    parent.page.get_by_role("button", name="Done today Feelings chart").click()
    card = parent.page.locator(f"#check-in-{home_practice.pk}")
    expect(card).to_contain_text("Checked in. Thank you!")
    expect(card).to_contain_text("1-day streak")
    # ... then says how it went: the same check-in, replaced.
    card.get_by_text("Tell us how it went").click()
    card.get_by_label("How did it go?").select_option("4")
    card.get_by_label("How hard was it?").select_option("hard")
    card.get_by_role("button", name="Save check-in").click()
    expect(parent.page.locator(f"#check-in-{home_practice.pk}")).to_contain_text("It went: Well.")
    assert CheckIn.objects.count() == 1

    # The parent shares an observation, rating the goal.
    parent.page.get_by_label("What did you notice at home?").fill(SEEN)
    parent.page.get_by_label("About a goal (optional)").select_option(str(goal.pk))
    parent.page.get_by_label("How is it going with that goal? (optional)").select_option("1")
    parent.page.get_by_role("button", name="Share with the care team").click()
    expect(parent.page.get_by_text("the care team will see what you noticed")).to_be_visible()

    # And fills in "About you".
    parent.page.get_by_role("link", name="About you").click()
    parent.page.get_by_label("What you hope for from therapy").fill(HOPES)
    parent.check("about-you", phone=True)
    parent.page.get_by_role("button", name="Save").click()
    expect(parent.page.get_by_text("Saved.")).to_be_visible()

    # The clinician sees all of it on the child page and replies.
    ui.login(cast.clinician.email)
    ui.go(f"/children/{cast.child.pk}/")
    expect(ui.page.get_by_role("region", name="Home practice")).to_contain_text("1-day streak")
    observations = ui.page.get_by_role("region", name="Observations from home")
    expect(observations).to_contain_text(SEEN)
    expect(observations).to_contain_text("a parent's view: +1")
    ui.page.get_by_text("About this parent").click()
    expect(ui.page.get_by_text(HOPES)).to_be_visible()
    observations.get_by_text("Reply", exact=True).click()
    observations.get_by_label("Reply to Pat Rowe (only they see it)").fill(REPLY)
    ui.check("child-page-from-home")
    observations.get_by_role("button", name="Send reply").click()
    expect(ui.page.get_by_text("Reply sent.")).to_be_visible()
    ui.go(f"/goals/{goal.pk}/")
    expect(ui.page.get_by_role("region", name="Progress")).to_contain_text("+1")

    # The parent reads the reply under what they shared.
    parent.go(f"/portal/children/{cast.child.pk}/")
    expect(parent.page.get_by_text(REPLY)).to_be_visible()
    parent.check("portal-reply", phone=True)
