"""The session log's autosave in Chromium (issue 12, item 5): once someone else has saved the
log, the page's next autosave is not kept and the status line says so, instead of "Draft
saved"; the saved text is never replaced by the older draft."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagement.visits import services
from engagement.visits.models import SessionLog
from tests.factories import SessionLogFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "The summary a colleague saved meanwhile"


def test_an_autosave_after_someone_else_saved_says_it_was_not_kept(ui, cast):
    # Given Alice's log page open, autosaving as she types
    session = SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        scheduled_start=timezone.now() - datetime.timedelta(hours=2),
    )
    ui.login(cast.clinician.email)
    ui.go(f"/sessions/{session.pk}/log/")
    log = ui.page.locator("main form")
    status = ui.page.locator("#draft-status")
    log.get_by_label("Private note").fill("First words")
    expect(status).to_contain_text("Draft saved", timeout=15_000)
    # The live server shares this test's database connection: nothing may be in flight
    ui.page.wait_for_load_state("networkidle")
    # When a colleague's save lands, and Alice keeps typing
    services.session_log_save(
        session=session,
        clinician=cast.clinician,
        data={"status": "attended", "duration_minutes": 50, "shared_summary": SAVED},
        attendees=[],
        ratings={},
        today=cast.practice.today(),
    )
    log.get_by_label("Private note").fill("First words and more")
    # Then the page says the draft was not kept, and the saved log stands
    expect(status).to_contain_text("Draft not saved", timeout=15_000)
    ui.page.wait_for_load_state("networkidle")
    ui.go("/")  # leave the page, so no autosave can arrive during a later test
    saved = SessionLog.objects.get(pk=session.pk)
    assert saved.draft == {} and saved.shared_summary == SAVED
    assert saved.draft_sequence >= 1  # the page numbered its autosaves
