"""In the browser, each page audited with axe: a safety concern recorded and read in the
portal, break-the-glass, the audit log, and two-step sign-in."""

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from practice.models import OutgoingEmail, SafetyConcern

pytestmark = pytest.mark.browser

STATEMENT = "Mia told us something that worries us. Please call the practice today."
CLINICAL = "Disclosure in session; referral to social care made."


def test_a_safety_concern_reaches_the_family_and_only_the_family_statement(ui, new_ui, cast):
    ui.login(cast.clinician.email)
    ui.go(f"/children/{cast.child.pk}/")
    safety = ui.page.get_by_role("region", name="Safety")
    safety.get_by_role("link", name="Record a safety concern").click()
    ui.check("form")
    ui.page.get_by_role("button", name="Record and tell the family").click()
    expect(ui.page.get_by_text("This field is required.").first).to_be_visible()
    ui.check("form-errors")
    ui.page.get_by_label("Kind of risk").select_option("abuse_disclosed")
    ui.page.get_by_label("Clinical record").fill(CLINICAL)
    ui.page.get_by_label("Statement for the family").fill(STATEMENT)
    ui.page.get_by_role("button", name="Record and tell the family").click()
    expect(ui.page.locator(".messages")).to_contain_text("1 guardian can now read")
    expect(ui.page.get_by_role("region", name="Safety")).to_contain_text(CLINICAL)
    ui.check("child-page")

    parent = new_ui("parent")
    parent.login(cast.parent.email)
    expect(parent.page.get_by_text(STATEMENT)).to_be_visible()
    parent.check("portal-home")
    parent.go(f"/portal/children/{cast.child.pk}/")
    expect(parent.page.get_by_text(STATEMENT)).to_be_visible()
    expect(parent.page.get_by_text(CLINICAL)).to_have_count(0)
    parent.check("portal-child", phone=True)


def test_a_double_clicked_safety_concern_is_recorded_once_and_nothing_moves_under_the_pointer(
    ui, cast
):
    # "Sending…" is shorter than the button's own words: if the button shrank, the second click
    # of a double click landed on "Cancel" beside it, and the concern was never sent.
    ui.login(cast.clinician.email)
    ui.go(f"/children/{cast.child.pk}/safety/add/")
    ui.page.get_by_label("Kind of risk").select_option("abuse_disclosed")
    ui.page.get_by_label("Clinical record").fill(CLINICAL)
    ui.page.get_by_label("Statement for the family").fill(STATEMENT)
    ui.page.get_by_role("button", name="Record and tell the family").dblclick()
    expect(ui.page.locator(".messages")).to_contain_text("1 guardian can now read")
    assert SafetyConcern.objects.filter(child=cast.child).count() == 1
    assert OutgoingEmail.objects.filter(kind="safety_notice").count() == 1


def test_break_the_glass_then_the_admin_sees_it_in_the_audit_log(ui, new_ui, cast):
    ui.login(cast.outsider.email)
    ui.page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Emergency access"
    ).click()
    ui.page.get_by_label("Child's name").fill("Mia")
    ui.page.get_by_role("button", name="Search").click()
    ui.check("search")
    ui.page.get_by_role("link", name=re.compile("Request emergency access")).click()
    ui.page.get_by_label("Why do you need this record now?").fill("urgent")
    ui.page.get_by_role("button", name="Open the record").click()
    expect(ui.page.get_by_text("Give the reason in at least a sentence")).to_be_visible()
    ui.check("reason-error")
    ui.page.get_by_label("Why do you need this record now?").fill(
        "The child was brought in by the police tonight and needs the family's numbers."
    )
    ui.page.get_by_role("button", name="Open the record").click()
    expect(
        ui.page.get_by_text(re.compile(r"Emergency access until \d\d:\d\d")).first
    ).to_be_visible()
    ui.check("child-page-emergency")

    admin = new_ui("admin")
    admin.login(cast.admin.email)
    admin.go("/practice/emergency-access/")
    expect(admin.page.get_by_role("table")).to_contain_text("Bob Stone")
    admin.check("grants")
    admin.go("/practice/audit/")
    admin.page.get_by_label("What happened").select_option("break_glass")
    admin.page.get_by_role("button", name="Filter").click()
    expect(admin.page.get_by_role("table")).to_contain_text("police")
    admin.check("audit-log", phone=True)


def test_staff_member_turns_on_two_step_sign_in_and_uses_it(ui, cast):
    ui.login(cast.clinician.email)
    ui.go("/accounts/security/")
    ui.check("setup")
    secret = ui.page.locator("code").inner_text().replace(" ", "")
    totp = TOTP(base64.b32decode(secret))
    ui.page.get_by_label("The 6-digit code the app shows now").fill(f"{totp.token():06d}")
    ui.page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    ui.check("recovery-codes")
    codes = ui.page.locator("main li").all_inner_texts()
    ui.logout()
    ui.login(cast.clinician.email)
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    ui.check("second-step")
    ui.page.get_by_label("Code").fill(codes[0])
    ui.page.get_by_role("button", name="Continue").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    ui.go("/accounts/security/")
    ui.check("status")
