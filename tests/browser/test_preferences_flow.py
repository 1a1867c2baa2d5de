"""In the browser, each page audited with axe: a parent opens Email updates from the menu,
changes how often and when, and sees the change and the next email's date in the practice's
timezone; the unsubscribe link from an email, opened with no login, stops the emails after one
click, and the parent starts them again in the portal."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagement.updates.models import UpdatePreference
from engagement.updates.unsubscribe import unsubscribe_url

pytestmark = pytest.mark.browser


def _due_text(pref, tz) -> str:
    local = timezone.localtime(pref.next_update_at, tz)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"


def test_parent_changes_cadence_and_unsubscribes_and_comes_back(ui, new_ui, cast):
    tz = cast.practice.tz
    ui.login(cast.parent.email)  # the first login schedules the first update
    ui.page.get_by_role("link", name="Email updates").click()
    expect(ui.page.get_by_role("heading", name="Email updates")).to_be_visible()
    pref = UpdatePreference.objects.get(parent=cast.parent)
    expect(ui.page.locator("#next-update")).to_contain_text(_due_text(pref, tz))
    expect(ui.page.get_by_text("Europe/London").first).to_be_visible()
    ui.check("preferences", phone=True)

    # Weekly on Tuesdays at 09:00, not on Sundays.
    ui.page.get_by_label("Weekly").check()
    ui.page.get_by_role("combobox", name="Day").select_option(label="Tuesday")
    ui.page.get_by_role("combobox", name="Time").select_option(label="09:00")
    ui.page.get_by_role("checkbox", name="Sunday").check()
    ui.page.get_by_role("button", name="Save").click()
    expect(ui.page.locator(".messages")).to_contain_text("Saved")
    pref.refresh_from_db()
    assert (pref.cadence, pref.weekday, pref.hour, pref.no_contact_days) == ("weekly", 1, 9, [6])
    local = timezone.localtime(pref.next_update_at, tz)
    assert (local.weekday(), local.hour) == (1, 9)
    expect(ui.page.locator("#next-update")).to_contain_text(_due_text(pref, tz))
    expect(ui.page.get_by_label("Weekly")).to_be_checked()
    ui.check("preferences-saved", phone=True)

    # A mistake keeps what was typed.
    ui.page.get_by_label("Do not email me from").fill("09:00")
    ui.page.get_by_label("until", exact=True).fill("09:00")
    ui.page.get_by_role("button", name="Save").click()
    expect(ui.page.get_by_text("The end must differ from the start.")).to_be_visible()
    expect(ui.page.get_by_label("Do not email me from")).to_have_value("09:00")
    ui.check("preferences-error")

    # The link in an email, with no login: one click stops the emails.
    stranger = new_ui("unsubscribe")
    stranger.go(unsubscribe_url(cast.parent))
    expect(stranger.page.get_by_role("heading", name="Stop progress emails?")).to_be_visible()
    stranger.check("unsubscribe-confirm", phone=True)
    pref.refresh_from_db()
    assert pref.unsubscribed_at is None  # opening the link changed nothing
    stranger.page.get_by_role("button", name="Stop progress emails").click()
    expect(stranger.page.get_by_text("You will not get progress emails")).to_be_visible()
    stranger.check("unsubscribe-done", phone=True)
    pref.refresh_from_db()
    assert pref.unsubscribed_at is not None and pref.next_update_at is None

    # Back in the portal: it says so, and choosing a cadence starts the emails again.
    ui.go("/portal/updates/")
    expect(ui.page.locator("#next-update")).to_contain_text("You unsubscribed")
    ui.check("preferences-unsubscribed")
    ui.page.get_by_label("Every two weeks").check()
    ui.page.get_by_role("button", name="Save").click()
    expect(ui.page.locator(".messages")).to_contain_text("Saved")
    pref.refresh_from_db()
    assert pref.unsubscribed_at is None and pref.cadence == "fortnightly"
    expect(ui.page.locator("#next-update")).to_contain_text(_due_text(pref, tz))
    ui.check("preferences-resubscribed")
