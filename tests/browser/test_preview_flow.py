"""A clinician previews a guardian's progress email (issue 8), in Chromium: a rating just
recorded on the goal page is in the preview opened from the child page; a guardian with access
none gets nothing about the child. Screenshots at 1280 and 390 px, axe on every page, and no
Content-Security-Policy refusal (the email's body is rendered in the page, nothing inline)."""

import pytest
from playwright.sync_api import expect

from goals import services as goal_services
from tests.family_record import LEVELS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_previews_the_email_with_the_rating_just_recorded(ui, cast, csp_errors):
    # Given Mia's goal, agreed with the family
    goal = goal_services.goal_create(
        child=cast.child,
        clinician=cast.clinician,
        title="Ask for help with words",
        domain="communication",
        **LEVELS,
    )
    # When Alice rates it on the goal page
    ui.login(cast.clinician.email)
    ui.go(f"/goals/{goal.pk}/")
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Ask for help with words")
    card = ui.page.locator("main form").filter(has=ui.page.get_by_role("radio")).first
    card.get_by_role("radio", name="+1 somewhat more than expected").check()
    card.get_by_role("button", name="Save rating").click()
    expect(ui.page.locator(".messages")).to_contain_text("the rating was saved")

    # And opens Pat's progress email from Mia's page
    ui.go(f"/children/{cast.child.pk}/")
    family = ui.page.get_by_role("region", name="Family", exact=True)
    family.scroll_into_view_if_needed()
    ui.check("child-page", phone=True)
    family.get_by_role("link", name="Preview progress email Pat Rowe").first.click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(
        "The progress email Pat Rowe would get"
    )

    # Then the email shows the rating just recorded, in plain words
    email = ui.page.locator("#preview-html")
    expect(ui.page.locator("#preview-subject")).to_have_text(
        "Progress update from Our practice: Mia"
    )
    expect(email).to_contain_text("Ask for help with words")
    expect(email).to_contain_text("The care team: +1 somewhat more than expected")
    expect(email).to_contain_text(LEVELS["level_plus_1"])
    expect(ui.page.locator("#preview-state")).to_contain_text("this email would be sent")
    ui.check("preview", phone=True)
    ui.page.get_by_text("The plain-text part").click()
    expect(ui.page.locator("#preview-text")).to_contain_text("Ask for help with words")

    # And Nick, whose access is none, gets nothing about Mia
    ui.go(f"/children/{cast.child.pk}/")
    family = ui.page.get_by_role("region", name="Family", exact=True)
    family.get_by_role("link", name="Preview progress email Nick Rowe").first.click()
    expect(ui.page.locator("#preview-state")).to_contain_text(
        "Nick Rowe gets nothing about Mia Rowe"
    )
    expect(ui.page.locator("main")).not_to_contain_text("Ask for help with words")
    ui.check("preview-access-none", phone=True)
    assert csp_errors == []
