"""In the browser, each page audited with axe: a practice admin opens the communication
boundaries from the settings page, changes the quiet hours and the portal guidance and sees the
change; quiet hours that start and end at the same time get an error on the field with what was
typed kept; a parent then reads the new guidance on their messages page."""

import datetime

import pytest
from playwright.sync_api import expect

from practice.models import AuditEvent, CommunicationPolicy

pytestmark = pytest.mark.browser

GUIDANCE = "Use the portal for questions about therapy and home practice, not for emergencies."
BAD_GUIDANCE = "A draft that must survive the error."


def test_admin_changes_the_policy_and_a_parent_sees_it(ui, new_ui, cast):
    CommunicationPolicy.objects.get_or_create(practice=cast.practice)

    # The admin finds the page from the practice settings.
    ui.login(cast.admin.email)
    ui.page.get_by_role("link", name="Communication boundaries").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Communication boundaries")
    expect(ui.page.locator("main")).to_contain_text(cast.practice.timezone)
    ui.check("policy", phone=True)

    # Changes quiet hours and the guidance, saves, and sees the change.
    ui.page.get_by_label("Quiet hours start").fill("21:30")
    ui.page.get_by_label("Quiet hours end").fill("07:30")
    ui.page.get_by_label("What the portal is and is not for").fill(GUIDANCE)
    ui.page.get_by_role("button", name="Save communication boundaries").click()
    expect(ui.page.locator(".messages")).to_contain_text("The communication boundaries were saved")
    expect(ui.page.get_by_label("Quiet hours start")).to_have_value("21:30")
    expect(ui.page.get_by_label("What the portal is and is not for")).to_have_value(GUIDANCE)
    changes = ui.page.get_by_role("region", name="Recent changes")
    expect(changes).to_contain_text("Quiet hours start")
    expect(changes).to_contain_text("21:30")
    expect(ui.page.get_by_role("region", name="When emails go out")).to_contain_text(
        "from 07:30 to 21:30"
    )
    ui.check("policy-saved", phone=True)
    communication = CommunicationPolicy.objects.get()
    assert communication.quiet_hours_start == datetime.time(21, 30)
    assert AuditEvent.objects.filter(action="communication_policy.update").count() == 1

    # Quiet hours that start and end at the same time: the error on the field, typing kept.
    ui.page.get_by_label("Quiet hours end").fill("21:30")
    ui.page.get_by_label("What the portal is and is not for").fill(BAD_GUIDANCE)
    ui.page.get_by_role("button", name="Save communication boundaries").click()
    end = ui.page.get_by_label("Quiet hours end")
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(end).to_be_focused()
    expect(ui.page.locator("main")).to_contain_text("start and end at the same time")
    expect(end).to_have_value("21:30")
    expect(ui.page.get_by_label("What the portal is and is not for")).to_have_value(BAD_GUIDANCE)
    ui.check("policy-error", phone=True)
    communication.refresh_from_db()
    assert (communication.quiet_hours_end, communication.portal_guidance) == (
        datetime.time(7, 30),
        GUIDANCE,
    )

    # The parent reads the new guidance above their messages.
    parent = new_ui("parent")
    parent.login(cast.parent.email)
    parent.page.get_by_role("navigation", name="Main").get_by_role("link", name="Messages").click()
    expect(parent.page.get_by_text(GUIDANCE)).to_be_visible()
    parent.check("portal-messages")
