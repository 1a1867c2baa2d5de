"""In the browser, each page audited with axe: a guardian reads the confidentiality agreement,
the clinician moves the stage and discharges the child, the family reads the summary and
exports their data, and the clinician prints the record."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NOTE = "Mia is using her words at school now."
KEEP = "Keep the feelings chart on the fridge."


def test_agreement_stage_discharge_and_exports(ui, new_ui, cast):
    # A parent reads the agreement in force and says so.
    parent = new_ui("parent")
    parent.login(cast.parent.email)
    parent.check("portal-home-agreement")
    parent.page.get_by_role("button", name="I have read this").click()
    expect(parent.page.locator(".messages")).to_contain_text("you have read it")
    expect(parent.page.get_by_role("button", name="I have read this")).to_have_count(0)

    # The clinician moves Mia to Change with a note for the family.
    ui.login(cast.clinician.email)
    ui.go(f"/children/{cast.child.pk}/")
    stage = ui.page.get_by_role("region", name="Stage")
    stage.get_by_label("Move to").select_option("change")
    stage.get_by_label("A note for the family (optional)").fill(NOTE)
    stage.get_by_role("button", name="Change stage").click()
    expect(ui.page.locator(".messages")).to_contain_text("has moved to Change")
    expect(ui.page.get_by_role("region", name="Confidentiality")).to_contain_text(
        "Read by Pat Rowe"
    )
    ui.check("child-page-stage")

    # Discharge: a missing field keeps what was typed, then the summary goes to the family.
    ui.page.get_by_role("link", name="Discharge…").click()
    ui.check("discharge-form")
    ui.page.get_by_label("What your child achieved").fill("Asks for help with words.")
    ui.page.get_by_role("button", name="Discharge and share the summary").click()
    expect(ui.page.get_by_text("Tell the family what to keep practising.")).to_be_visible()
    expect(ui.page.get_by_label("What your child achieved")).to_have_value(
        "Asks for help with words."
    )
    ui.check("discharge-errors")
    ui.page.get_by_label("What to keep practising").fill(KEEP)
    ui.page.get_by_label("We have talked this through with the family.", exact=False).check()
    ui.page.get_by_role("button", name="Discharge and share the summary").click()
    expect(ui.page.get_by_text("The record is read-only").first).to_be_visible()
    ui.check("child-page-discharged")

    # The record, on screen and as it prints.
    ui.page.get_by_role("link", name="Print or save the record").click()
    expect(
        ui.page.get_by_role("heading", name="Discharge summary (for the family)")
    ).to_be_visible()
    ui.check("record")
    ui.page.emulate_media(media="print")
    ui.shot("record-print")
    ui.page.emulate_media(media="screen")

    # The family reads the move and the summary, and exports their data.
    parent.go(f"/portal/children/{cast.child.pk}/")
    expect(parent.page.get_by_text("Mia has moved to: Finishing up")).to_be_visible()
    expect(parent.page.get_by_text(NOTE)).to_be_visible()
    expect(parent.page.get_by_text(KEEP)).to_be_visible()
    parent.check("portal-child-discharged", phone=True)
    parent.page.get_by_role("link", name="Print or save").click()
    expect(parent.page.get_by_text(KEEP)).to_be_visible()
    parent.check("family-export")
