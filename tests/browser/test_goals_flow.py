"""Goals set together (issue 5), in Chromium: a clinician sets a goal with all five GAS levels,
a parent suggests one from the portal, the clinician completes and agrees it, both rate, and
the chart and both T-scores move. Every page is screenshotted and audited with axe."""

import re

import pytest
from playwright.sync_api import expect

from goals.models import Goal, GoalRating
from goals.scores import gas_t_score
from tests.factories import GoalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEVELS = {
    "level_plus_2": "Says goodbye and walks in happily on most days",
    "level_plus_1": "Walks in with a wave on most days",
    "level_0": "Walks in with a short goodbye two days out of five",
    "level_minus_1": "Walks in after a long goodbye, with a staff member",
    "level_minus_2": "Cannot walk in without being carried",
}


def scores(ui) -> tuple[str, str]:
    """The two T-scores on the child page or in the portal: (clinician's, family's)."""
    board = ui.page.get_by_role("region", name="Goals")
    values = board.locator(".t-scores > div .fs-4")
    expect(values).to_have_count(2)
    return values.nth(0).inner_text().strip(), values.nth(1).inner_text().strip()


def t(*pairs: tuple[int, int]) -> str:
    """The T-score as the page prints it, from (level, weight) pairs."""
    return f"{gas_t_score(pairs):.0f}"


def rate(ui, level: str, note: str) -> None:
    card = ui.page.locator("main form").filter(has=ui.page.get_by_role("radio")).first
    card.get_by_role("radio", name=level).check()
    card.get_by_label("Note").fill(note)
    card.get_by_role("button", name="Save rating").click()
    expect(ui.page.locator(".messages")).to_contain_text("the rating was saved")


def test_goals_are_set_together_rated_from_both_sides_and_scored(ui, new_ui, cast, csp_errors):
    # 1. The clinician sets a goal with all five levels from the child page.
    ui.login(cast.clinician.email)
    ui.go(f"/children/{cast.child.pk}/")
    expect(ui.page.get_by_role("region", name="Goals")).to_contain_text("No goals yet")
    ui.audit("child-no-goals")
    ui.page.get_by_role("link", name="Set a goal").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("A goal for Mia Rowe")
    ui.check("goal-form", phone=True)

    form = ui.page.locator("main form")
    form.get_by_label(re.compile(r"^\s*Goal\b")).fill("Going into school calmly")
    form.get_by_label(re.compile(r"^\s*Area\b")).select_option("emotional_regulation")
    form.get_by_label("In the child's own words").fill("I want to say bye quick")
    form.get_by_label("Why it matters to the family").fill("Mornings are hard for everyone")
    form.get_by_label("How it is measured").fill("Diary kept by the class teacher")
    form.get_by_label("Where things are now (baseline)").fill("Carried in most mornings")
    form.get_by_label("Review by").fill("2099-01-31")
    for name, text in LEVELS.items():
        form.locator(f"#id_{name}").fill(text)
    expect(form.get_by_label("Agreed with the family: make it active now")).to_be_checked()
    form.get_by_role("button", name="Save goal").click()

    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Going into school calmly")
    expect(ui.page.locator(".messages")).to_contain_text("was saved")
    levels = ui.page.get_by_role("table", name="Goal attainment levels")
    for text in LEVELS.values():
        expect(levels).to_contain_text(text)
    expect(ui.page.locator("main")).to_contain_text("Agreed by Alice Carter")
    expect(ui.page.locator("main")).to_contain_text("No ratings yet.")
    ui.check("goal-set", phone=True)
    school = Goal.objects.get(title="Going into school calmly")
    assert school.status == Goal.Status.ACTIVE and school.has_all_levels

    # 2. A parent suggests a goal from the portal.
    parent = new_ui("parent")
    parent.login(cast.parent.email)
    parent.page.get_by_role("link", name="Mia Rowe").click()
    expect(parent.page.get_by_role("heading", level=1)).to_have_text("Mia Rowe")
    parent_board = parent.page.get_by_role("region", name="Goals")
    expect(parent_board.get_by_role("link", name="Going into school calmly")).to_be_visible()
    assert scores(parent) == ("—", "—")
    parent.check("portal-child-one-goal", phone=True)
    parent_board.get_by_role("link", name="Suggest a goal").click()
    expect(parent.page.get_by_role("heading", level=1)).to_have_text("Suggest a goal for Mia")
    parent.check("propose-form", phone=True)
    form = parent.page.locator("main form")
    form.get_by_label("What would you like your child to work on?").fill("Bedtime without tears")
    form.get_by_label("Which area is it about?").select_option("sleep")
    form.get_by_label("Why does it matter to your family?").fill("We are all exhausted")
    form.get_by_label("What would success look like").fill("In bed by eight, calm")
    form.get_by_role("button", name="Send suggestion").click()
    expect(parent.page.get_by_role("heading", level=1)).to_have_text("Bedtime without tears")
    expect(parent.page.locator(".messages")).to_contain_text("care team will talk it through")
    expect(parent.page.locator("main")).to_contain_text("Waiting for the care team to agree it")
    # Nobody rates a proposal, and a parent has nothing to agree.
    expect(parent.page.get_by_role("heading", name="How is it going at home?")).to_have_count(0)
    expect(parent.page.get_by_role("button", name="Agree this goal")).to_have_count(0)
    parent.check("proposal", phone=True)
    bedtime = Goal.objects.get(title="Bedtime without tears")
    assert bedtime.status == Goal.Status.PROPOSED and bedtime.proposer == cast.parent

    # 3. The clinician completes its levels (Edit), then agrees it.
    ui.go(f"/children/{cast.child.pk}/")
    board = ui.page.get_by_role("region", name="Goals")
    expect(board.locator("li", has_text="Bedtime without tears")).to_contain_text("Proposed")
    board.get_by_role("link", name="Bedtime without tears").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Bedtime without tears")
    ui.audit("proposal-clinician")
    ui.page.get_by_role("link", name="Edit").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Edit goal")
    form = ui.page.locator("main form")
    expect(form.locator("#id_level_0")).to_have_value("In bed by eight, calm")
    form.locator("#id_level_plus_2").fill("Settles alone within ten minutes, every night")
    form.locator("#id_level_plus_1").fill("Settles alone within ten minutes most nights")
    form.locator("#id_level_minus_1").fill("Settles with a parent in the room")
    form.locator("#id_level_minus_2").fill("Up again several times a night")
    form.get_by_label("How it is measured").fill("A sleep diary at home")
    ui.check("goal-edit", phone=True)
    form.get_by_role("button", name="Save goal").click()
    expect(ui.page.locator(".messages")).to_contain_text("kept in the goal's history")
    history = ui.page.get_by_role("region", name="History")
    expect(history).to_contain_text("Edited")
    expect(history).to_contain_text("Proposed by a parent")
    ui.page.get_by_role("button", name="Agree this goal").click()
    expect(ui.page.locator(".messages")).to_contain_text("Agreed: the goal is now active")
    expect(ui.page.locator("main")).to_contain_text("Agreed by Alice Carter")
    ui.check("agreed", phone=True)
    bedtime.refresh_from_db()
    assert bedtime.status == Goal.Status.ACTIVE and bedtime.agreed_by == cast.clinician

    # 4. Both rate. The clinician rates each goal at review; the chart appears.
    ui.go(f"/children/{cast.child.pk}/")
    assert scores(ui) == ("—", "—")
    ui.page.get_by_role("region", name="Goals").get_by_role(
        "link", name="Going into school calmly"
    ).click()
    expect(ui.page.get_by_role("heading", name="Rate at review")).to_be_visible()
    rate(ui, "−1 somewhat less than expected", "Walked in with the assistant twice")
    chart = ui.page.locator("figure.goal-chart svg")
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("polyline")).to_have_count(1)
    ui.go(f"/children/{cast.child.pk}/")
    clinician_one = t((-1, 1))
    assert scores(ui) == (clinician_one, "—")
    ui.page.get_by_role("region", name="Goals").get_by_role(
        "link", name="Bedtime without tears"
    ).click()
    rate(ui, "+2 much more than expected", "Settled alone all week")
    ui.go(f"/children/{cast.child.pk}/")
    clinician_two = t((-1, 1), (2, 1))
    assert clinician_two != clinician_one
    assert scores(ui) == (clinician_two, "—")
    ui.check("child-rated", phone=True)

    # The parent rates both from home; the portal's scores follow.
    parent.page.get_by_role("link", name="Mia Rowe").first.click()
    assert scores(parent) == (clinician_two, "—")
    parent.page.get_by_role("region", name="Goals").get_by_role(
        "link", name="Bedtime without tears"
    ).click()
    expect(parent.page.get_by_role("heading", name="How is it going at home?")).to_be_visible()
    expect(parent.page.get_by_label("Whose view is this?")).to_have_count(0)
    parent.check("rate-form-parent", phone=True)
    rate(parent, "0 the expected outcome", "Two calm nights this week")
    chart = parent.page.locator("figure.goal-chart svg")
    expect(chart.locator("polyline")).to_have_count(2)  # the clinician's line and the parent's
    expect(parent.page.locator("figure.goal-chart figcaption")).to_contain_text("Parent")
    parent.page.get_by_text("All ratings as a table").click()
    expect(parent.page.locator("details table")).to_contain_text("Home")
    parent.check("goal-detail-parent", phone=True)
    parent.go(f"/portal/children/{cast.child.pk}/")
    family_one = t((0, 1))
    assert scores(parent) == (clinician_two, family_one)
    parent.page.get_by_role("region", name="Goals").get_by_role(
        "link", name="Going into school calmly"
    ).click()
    rate(parent, "+1 somewhat more than expected", "Waved at the gate")
    parent.go(f"/portal/children/{cast.child.pk}/")
    family_two = t((0, 1), (1, 1))
    assert family_two != family_one
    assert scores(parent) == (clinician_two, family_two)
    # The clinician's rating at the expected outcome or above is a milestone for the family.
    expect(parent.page.get_by_role("region", name="Milestones")).to_contain_text(
        "Bedtime without tears"
    )
    parent.check("portal-child-rated", phone=True)
    parent.page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(parent.page.get_by_role("heading", level=1)).to_have_text("Hello, Pat")
    expect(parent.page.locator("main")).to_contain_text(
        "Reached the expected outcome: “Bedtime without tears”"
    )
    parent.check("portal-home-milestone", phone=True)

    # The clinician sees both views side by side, and the same scores.
    ui.go(f"/children/{cast.child.pk}/")
    assert scores(ui) == (clinician_two, family_two)
    ui.page.get_by_role("region", name="Goals").get_by_role(
        "link", name="Going into school calmly"
    ).click()
    expect(ui.page.locator("figure.goal-chart svg polyline")).to_have_count(2)
    side = ui.page.get_by_role("region", name="Progress").locator(".ratings-side")
    expect(side).to_contain_text("−1")
    expect(side).to_contain_text("+1")
    ui.page.get_by_text("All ratings as a table").click()
    ui.check("goal-detail-chart", phone=True)

    assert GoalRating.objects.filter(perspective="parent", source="home").count() == 2
    assert GoalRating.objects.filter(perspective="clinician", source="review").count() == 2
    assert csp_errors == []


def test_goal_form_errors_are_accessible(ui, cast, csp_errors):
    ui.login(cast.clinician.email)
    ui.go(f"/children/{cast.child.pk}/goals/add/")
    form = ui.page.locator("main form")
    form.get_by_label(re.compile(r"^\s*Goal\b")).fill("Asking for help")
    form.get_by_label(re.compile(r"^\s*Area\b")).select_option("communication")
    form.get_by_role("button", name="Save goal").click()

    expect(ui.page.get_by_role("heading", level=1)).to_have_text("A goal for Mia Rowe")
    for name in LEVELS:
        expect(form.locator(f"#id_{name}")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(form.locator(".invalid-feedback").first).to_contain_text("Describe this level")
    # The title typed is kept, and focus lands on the first field with an error.
    expect(form.get_by_label(re.compile(r"^\s*Goal\b"))).to_have_value("Asking for help")
    expect(form.locator("#id_level_plus_2")).to_be_focused()
    ui.check("goal-form-errors", phone=True)
    assert not Goal.objects.exists()

    # A rating dated in the future is refused with a clear message on the goal page.
    goal = GoalFactory(
        child=cast.child,
        title="Asking for help",
        domain="communication",
        status="active",
        **{name: text for name, text in LEVELS.items()},
    )
    ui.go(f"/goals/{goal.pk}/")
    form = ui.page.locator("main form").filter(has=ui.page.get_by_role("radio")).first
    form.get_by_role("radio", name="0 the expected outcome").check()
    form.get_by_label("Date").fill("2099-01-01")
    form.get_by_role("button", name="Save rating").click()
    expect(form.locator(".invalid-feedback").first).to_be_visible()
    expect(ui.page.locator("main")).to_contain_text("The date cannot be in the future")
    ui.check("rating-errors", phone=True)
    assert not GoalRating.objects.exists()
    assert csp_errors == []
