"""In the browser, each page audited with axe: the clinician records the engagement agreement;
a parent agrees to it, cancels a session (saying what got in the way) and asks to move another;
the clinician answers from the caseload; the parent reads the answer and the barrier's status;
an admin reads the engagement report."""

import pytest
from playwright.sync_api import expect

from tests.factories import SessionLogFactory

pytestmark = pytest.mark.browser

ROLE = "Join the last ten minutes and try the home practice."
ANSWER = "Wednesday at 4pm works: see you then."


def test_agreement_cancel_reschedule_and_report(ui, new_ui, cast):
    for days in (3, 10):
        SessionLogFactory(
            child=cast.child,
            clinician=cast.clinician,
            in_days=days,
        )
    # The clinician records the engagement agreement from the child page.
    ui.login(cast.clinician.email)
    ui.go(f"/children/{cast.child.pk}/")
    ui.page.get_by_role("link", name="Record the engagement agreement").click()
    ui.page.get_by_label("The parents' role").fill(ROLE)
    ui.check("engagement-agreement-form")
    ui.page.get_by_role("button", name="Record").click()
    expect(ui.page.get_by_role("region", name="Engagement agreement")).to_contain_text(
        "Not yet agreed (version 1): Pat Rowe"
    )

    # The parent agrees, cancels one session and asks to move the other.
    parent = new_ui("parent")
    parent.login(cast.parent.email)
    parent.go(f"/portal/children/{cast.child.pk}/")
    expect(parent.page.get_by_text(ROLE)).to_be_visible()
    parent.check("portal-agreement", phone=True)
    parent.page.get_by_role("button", name="I agree").click()
    expect(parent.page.get_by_text("You agreed to this (version 1).")).to_be_visible()
    parent.page.get_by_role("link", name="Cancel").first.click()
    parent.check("portal-cancel")
    parent.page.get_by_label("What got in the way?").select_option("transport")
    parent.page.get_by_role("button", name="Cancel the session").click()
    expect(parent.page.locator(".messages")).to_contain_text("Thank you for letting us know")
    parent.page.get_by_role("link", name="Ask to reschedule").first.click()
    parent.page.get_by_label("Times that would suit you").fill("Wednesday after school")
    parent.check("portal-reschedule")
    parent.page.get_by_role("button", name="Send").click()
    expect(parent.page.get_by_text("Waiting for the care team")).to_be_visible()

    # The clinician sees the request on the caseload and answers it.
    ui.go("/caseload/")
    ui.check("caseload-requests")
    ui.page.get_by_role("link", name="Answer").first.click()
    ui.page.get_by_label("It cannot be moved").check()
    ui.page.get_by_label("Note to the family (they see this)").fill(ANSWER)
    ui.check("reschedule-answer")
    ui.page.get_by_role("button", name="Send the answer").click()
    expect(ui.page.get_by_role("region", name="Barriers")).to_contain_text("Transport")
    expect(ui.page.get_by_role("region", name="Engagement agreement")).to_contain_text(
        "agreed by Pat Rowe"
    )
    ui.check("child-page-engagement")
    ui.page.get_by_role("link", name="Engagement signals (8 weeks)").click()
    ui.check("child-engagement-signals")

    # The parent reads the answer and where their barrier stands.
    parent.go(f"/portal/children/{cast.child.pk}/")
    expect(parent.page.get_by_text(ANSWER)).to_be_visible()
    expect(parent.page.get_by_text("What you told us got in the way")).to_be_visible()
    parent.check("portal-answered", phone=True)

    # The office admin reads the engagement report.
    admin = new_ui("admin")
    admin.login(cast.admin.email)
    admin.page.get_by_role("link", name="Engagement").click()
    expect(admin.page.get_by_role("heading", name="By clinician")).to_be_visible()
    admin.check("engagement-report")
