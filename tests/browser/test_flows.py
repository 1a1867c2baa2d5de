"""The main flows as a person sees them, in Chromium, with an accessibility audit on every page.

Confidentiality matrices stay in Django's test client; these tests prove the flows end to end.
"""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from engagement.management.commands.seed_demo import DEMO_PASSWORD
from practice.models import Child, Guardianship, User
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_FOUND = "We could not find that page"


def add_child_and_invite(ui, cast, *, guardian_email="sam.lane@test.example") -> Child:
    """A clinician adds a child, then a guardian with the invitation ticked (intake steps 1-2)."""
    ui.login(cast.clinician.email)
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    ui.audit("caseload")
    ui.page.get_by_role("navigation", name="Main").get_by_role("link", name="Add a child").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Add a child")
    ui.check("child-form", phone=True)

    form = ui.page.locator("main form")
    form.get_by_label("First name").fill("Rosa")
    form.get_by_label("Last name").fill("Lane")
    form.get_by_label("Date of birth").fill("2018-06-02")
    form.get_by_label("Stage").select_option("commitment")
    form.get_by_label("Primary clinician").select_option(label=cast.clinician.full_name)
    form.get_by_role("button", name="Add child").click()

    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Rosa Lane")
    expect(ui.page.get_by_role("status")).to_contain_text("Rosa Lane was added")
    child = Child.objects.get(first_name="Rosa", last_name="Lane")
    assert child.memberships.get(is_primary=True).clinician == cast.clinician
    ui.check("child-added")

    ui.page.get_by_role("link", name="Add a guardian").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Add a guardian for Rosa Lane")
    ui.check("guardian-form", phone=True)
    form = ui.page.locator("main form")
    form.get_by_label("Full name").fill("Sam Lane")
    form.get_by_label("Email address").fill(guardian_email)
    form.get_by_label("Relationship").select_option("father")
    form.get_by_role("combobox", name=re.compile(r"^Access\b")).select_option("full")
    invite = form.get_by_label("Email an invitation to the parent portal now")
    invite.check()
    expect(invite).to_be_checked()
    form.get_by_role("button", name="Add guardian").click()

    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Rosa Lane")
    expect(ui.page.locator(".messages")).to_contain_text(f"Invitation sent to {guardian_email}")
    family = ui.page.get_by_role("region", name="Family", exact=True)
    expect(family).to_contain_text("Sam Lane")
    expect(family).to_contain_text("Invited")
    ui.check("guardian-added")
    return child


def test_clinician_opens_a_child_from_the_caseload(ui, cast):
    ui.login(cast.clinician.email, check=True)
    expect(ui.page).to_have_url(ui.url("/caseload/"))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    children = ui.page.get_by_role("region", name="Children")
    expect(children.get_by_role("link", name="Mia Rowe")).to_be_visible()
    # Another clinician's child is not on this caseload.
    expect(ui.page.get_by_text("Zed Other")).to_have_count(0)
    ui.check("caseload", phone=True)
    # The menus, opened: the user menu, and the collapsed navigation on a phone.
    nav = ui.page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Alice Carter").click()
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
    ui.check("user-menu")
    ui.page.keyboard.press("Escape")
    ui.page.set_viewport_size(PHONE)
    nav.get_by_role("button", name="Show menu").click()
    # Bootstrap adds `show` once the opening animation is over.
    expect(ui.page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))
    expect(nav.get_by_role("link", name="Add a child")).to_be_visible()
    ui.check("phone-menu")
    ui.page.set_viewport_size(DESKTOP)

    children.get_by_role("link", name="Mia Rowe").click()
    expect(ui.page).to_have_url(ui.url(f"/children/{cast.child.pk}/"))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Mia Rowe")
    family = ui.page.get_by_role("region", name="Family", exact=True)
    expect(family).to_contain_text("Pat Rowe")
    expect(family).to_contain_text("Nick Rowe")
    team = ui.page.get_by_role("region", name="Care team")
    expect(team).to_contain_text("Alice Carter")
    expect(team).to_contain_text("primary")
    ui.check("child", phone=True)


def test_clinician_adds_a_child_and_invites_a_guardian(ui, cast):
    child = add_child_and_invite(ui, cast)

    guardianship = Guardianship.objects.get(child=child)
    assert guardianship.guardian.email == "sam.lane@test.example"
    assert guardianship.access == Guardianship.Access.FULL
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["sam.lane@test.example"]
    assert "invitation" in email.subject.lower()
    assert "/accounts/invitation/" in email.body


def test_parent_accepts_the_invitation_and_sees_the_portal(ui, new_ui, cast):
    add_child_and_invite(ui, cast)
    (email,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", email.body).group(0)
    assert link.startswith(ui.base_url)

    parent = new_ui("parent")
    parent.go(link)
    expect(parent.page.get_by_role("heading", level=1)).to_have_text("Welcome")
    expect(parent.page.locator("main")).to_contain_text("sam.lane@test.example")
    parent.check("accept", phone=True)

    parent.page.locator("#id_new_password1").fill("a-long-garden-path-42")
    parent.page.locator("#id_new_password2").fill("a-long-garden-path-42")
    parent.page.get_by_role("button", name="Set my password").click()

    expect(parent.page).to_have_url(parent.url("/portal/"))
    expect(parent.page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")
    expect(parent.page.get_by_role("status")).to_contain_text("Your password is set")
    expect(parent.page.get_by_role("link", name="Rosa Lane")).to_be_visible()
    expect(parent.page.get_by_text("Mia Rowe")).to_have_count(0)
    parent.check("portal-home", phone=True)
    assert User.objects.get(email="sam.lane@test.example").has_usable_password()

    parent.page.get_by_role("link", name="Rosa Lane").click()
    expect(parent.page.get_by_role("heading", level=1)).to_have_text("Rosa Lane")
    expect(parent.page.get_by_role("region", name="Care team")).to_contain_text("Alice Carter")
    parent.check("portal-child", phone=True)

    # The link works once.
    response = parent.go(link)
    assert response.status == 400
    expect(parent.page.get_by_role("heading", level=1)).to_have_text(
        "This invitation was already used"
    )
    parent.check("link-used")


def test_parent_typing_another_familys_child_url_gets_the_404_page(ui, cast):
    ui.login(cast.parent.email)
    expect(ui.page).to_have_url(ui.url("/portal/"))
    ui.check("portal-home")

    for step, path in [
        ("other-portal-child", f"/portal/children/{cast.other_child.pk}/"),
        ("other-child", f"/children/{cast.other_child.pk}/"),
        ("own-child-staff-page", f"/children/{cast.child.pk}/"),
    ]:
        response = ui.go(path)
        assert response.status == 404, path
        expect(ui.page.get_by_role("heading", level=1)).to_have_text(NOT_FOUND)
        expect(ui.page.locator("main")).not_to_contain_text("Zed")
        ui.check(step, phone=step == "other-portal-child")

    # A guardian whose access is none gets the same page for their own child.
    ui.logout()
    ui.login(cast.barred.email)
    expect(ui.page.get_by_role("link", name="Mia Rowe")).to_have_count(0)
    response = ui.go(f"/portal/children/{cast.child.pk}/")
    assert response.status == 404
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(NOT_FOUND)
    ui.check("barred")


def test_practice_admin_opens_staff_and_settings(ui, cast):
    ui.login(cast.admin.email)
    expect(ui.page).to_have_url(ui.url("/practice/settings/"))
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Practice settings")
    ui.check("settings", phone=True)

    nav = ui.page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Staff").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Staff")
    table = ui.page.get_by_role("table")
    for name in ["Alice Carter", "Bob Stone", "Adam Office"]:
        expect(table).to_contain_text(name)
    ui.check("staff", phone=True)

    ui.page.get_by_role("link", name="Invite a staff member").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Invite a staff member")
    ui.check("staff-invite")


def test_error_states_are_accessible(ui, cast):
    ui.login(cast.clinician.email, "not-the-password")
    expect(ui.page).to_have_url(ui.url("/accounts/login/"))
    expect(ui.page.locator("main")).to_contain_text(
        "That email address and password do not match an active account"
    )
    ui.check("login-error", phone=True)

    ui.login(cast.clinician.email)
    ui.audit("caseload")
    ui.go("/children/add/")
    ui.page.locator("main form").get_by_role("button", name="Add child").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Add a child")
    expect(ui.page.locator(".invalid-feedback").first).to_be_visible()
    assert ui.page.locator(".is-invalid").count() >= 3
    # Focus lands on the first field with an error.
    expect(ui.page.get_by_label("First name")).to_be_focused()
    ui.check("child-form-errors", phone=True)

    ui.go(f"/children/{cast.child.pk}/guardians/add/")
    ui.page.locator("main form").get_by_role("button", name="Add guardian").click()
    expect(ui.page.locator(".invalid-feedback").first).to_be_visible()
    ui.check("guardian-form-errors")


def test_the_demo_practice_reads_well(ui, new_ui):
    """`make run`'s demo practice: fuller pages (court orders, limited access, two children)."""
    call_command("seed_demo", stdout=io.StringIO())
    ui.login("amara@demo.example", DEMO_PASSWORD)
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    ui.check("caseload", phone=True)
    ui.page.get_by_role("region", name="Children").get_by_role("link", name="Mia Thompson").click()
    family = ui.page.get_by_role("region", name="Family", exact=True)
    expect(family).to_contain_text("FD26P00412")
    ui.check("child-court-order", phone=True)
    ui.go("/practice/staff/")
    ui.check("staff", phone=True)

    parent = new_ui("grace")
    parent.login("grace@demo.example", DEMO_PASSWORD)
    expect(parent.page.get_by_role("link", name="Mia Thompson")).to_be_visible()
    expect(parent.page.get_by_role("link", name="Noah Thompson")).to_be_visible()
    parent.check("portal-home", phone=True)

    barred = new_ui("mark")
    barred.login("mark@demo.example", DEMO_PASSWORD)
    expect(barred.page.locator("main")).to_contain_text("There is nothing to show here yet")
    barred.check("portal-home-empty")
