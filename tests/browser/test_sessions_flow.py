"""Session logs (issue 6), in Chromium: a clinician schedules a weekly series, logs a session
with an autosaved draft that survives a reload, signs and locks it, and corrects the family's
summary with an addendum; the parent sees the summary and its correction, never the private
note. Every page is screenshotted and audited with axe."""

import datetime
from urllib.parse import parse_qs

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from engagement.visits.models import Addendum, SessionLog
from goals.models import Goal, GoalRating
from practice.models import Practice
from tests.factories import AgreementFactory, GoalFactory, SessionLogFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRIVATE = "Mum mentioned the divorce hearing; watch for regression at drop-off"
SUMMARY = "Mia practised saying goodbye with the red picture cards and did it three times"
CORRECTION = "A correction: we used the blue picture cards, not the red ones"
NEXT_STEPS = "Keep the goodbye cards by the front door"


def posted(response) -> dict[str, list[str]]:
    """The form fields a request posted."""
    request = response.request
    return parse_qs(request.post_data or "") if request.method == "POST" else {}


@pytest.fixture
def goal(cast) -> Goal:
    return GoalFactory(
        child=cast.child,
        title="Saying goodbye at the school gate",
        domain="emotional_regulation",
        status=Goal.Status.ACTIVE,
        agreed_by=cast.clinician,
        agreed_at=timezone.now(),
        level_minus_2="Carried in",
        level_minus_1="Walks in with a staff member",
        level_0="Walks in after a short goodbye",
        level_plus_1="Walks in with a wave",
        level_plus_2="Walks in happily every day",
        review_date=Practice.get().today() - datetime.timedelta(days=1),
    )


@pytest.fixture
def last_week(cast) -> SessionLog:
    """A session that took place last week and is still to be logged."""
    practice = Practice.get()
    day = practice.today() - datetime.timedelta(days=6)
    start = datetime.datetime.combine(day, datetime.time(10, 0), practice.tz)
    return SessionLogFactory(
        child=cast.child, clinician=cast.clinician, scheduled_start=start, planned_minutes=50
    )


def test_a_session_is_scheduled_logged_signed_and_corrected(
    ui, new_ui, cast, goal, last_week, csp_errors
):
    practice = Practice.get()
    ui.login(cast.clinician.email)
    children = ui.page.get_by_role("region", name="Children")
    expect(children.get_by_role("row", name="Mia Rowe")).to_contain_text("none booked")

    # 1. A weekly series from the child page.
    children.get_by_role("link", name="Mia Rowe").click()
    sessions = ui.page.get_by_role("region", name="Sessions")
    sessions.get_by_role("link", name="Schedule").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Schedule sessions for Mia Rowe")
    expect(ui.page.locator("main")).to_contain_text(practice.timezone)
    ui.check("schedule-form", phone=True)
    first_day = practice.today() + datetime.timedelta(days=3)
    form = ui.page.locator("main form")
    form.get_by_label("Date").fill(first_day.isoformat())
    form.get_by_label("Time").fill("16:00")
    form.get_by_label("Length (minutes)").fill("45")
    form.get_by_label("Where").select_option("clinic")
    form.get_by_label("Room, address or video link").fill("Room 2")
    form.get_by_label("Repeat weekly for how many weeks?").fill("6")
    form.get_by_role("button", name="Schedule").click()

    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Mia Rowe")
    expect(ui.page.locator(".messages")).to_contain_text("6 session(s) scheduled for Mia Rowe")
    series = list(
        SessionLog.objects.filter(child=cast.child, series__isnull=False).order_by(
            "scheduled_start"
        )
    )
    assert len(series) == 6
    starts = [timezone.localtime(s.scheduled_start, practice.tz) for s in series]
    assert [s.date() for s in starts] == [
        first_day + datetime.timedelta(weeks=week) for week in range(6)
    ]
    assert {s.time() for s in starts} == {datetime.time(16, 0)}  # the same local time
    coming_up = sessions.get_by_role("list").first
    expect(coming_up.get_by_role("listitem")).to_have_count(5)
    expect(coming_up).to_contain_text(date_format(starts[0], "D j M, H:i"))
    ui.check("child-scheduled", phone=True)

    # 2. The caseload shows the next session, and last week's session still to log.
    ui.page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    row = ui.page.get_by_role("region", name="Children").get_by_role("row", name="Mia Rowe")
    expect(row.get_by_role("link", name=date_format(starts[0], "D j M, H:i"))).to_be_visible()
    expect(ui.page.get_by_role("region", name="Goals due for review")).to_contain_text(
        "Saying goodbye at the school gate"
    )
    to_log = ui.page.get_by_role("region", name="Sessions to log")
    expect(to_log).to_contain_text(date_format(last_week.scheduled_start, "D j M"))
    ui.check("caseload", phone=True)

    # 3. The log, from the caseload: the draft autosaves (htmx) and survives a reload.
    to_log.get_by_role("link", name="Log Mia Rowe").click()
    expect(ui.page.get_by_role("heading", level=1)).to_contain_text("Mia Rowe: session of")
    log = ui.page.locator("main form")
    expect(log).to_have_attribute("data-hx-post", f"/sessions/{last_week.pk}/autosave/")
    status = ui.page.locator("#draft-status")
    expect(status).to_have_text("Your typing is saved as a draft as you go.")
    expect(log.get_by_label("Status")).to_have_value("attended")
    expect(log.get_by_label("Duration (minutes)")).to_have_value("50")
    ui.check("log-form", phone=True)

    expect(log).to_have_attribute("data-hx-target", "#draft-status")
    log.get_by_label("Duration (minutes)").fill("45")
    log.get_by_role("checkbox", name="Pat Rowe").check()
    log.get_by_role("checkbox", name="Role-play").check()
    log.get_by_label("Saying goodbye at the school gate").select_option("0")
    log.get_by_label("Summary for the family").fill(SUMMARY)
    log.get_by_label("Private note").fill(PRIVATE)
    with ui.page.expect_response(
        lambda response: response.url.endswith(f"/sessions/{last_week.pk}/autosave/")
        and posted(response).get("next_steps") == [NEXT_STEPS],
        timeout=15_000,
    ) as autosave:
        log.get_by_label("Next steps").fill(NEXT_STEPS)
    assert autosave.value.ok
    assert autosave.value.request.headers.get("hx-request") == "true"
    expect(status).to_contain_text("Draft saved", timeout=15_000)
    last_week.refresh_from_db()
    assert last_week.draft["private_note"] == PRIVATE
    assert last_week.signed_at is None and last_week.private_note == ""
    ui.audit("log-draft-saved")

    ui.page.reload()
    expect(status).to_contain_text("Draft restored")
    expect(log.get_by_label("Duration (minutes)")).to_have_value("45")
    expect(log.get_by_role("checkbox", name="Pat Rowe")).to_be_checked()
    expect(log.get_by_role("checkbox", name="Role-play")).to_be_checked()
    expect(log.get_by_label("Saying goodbye at the school gate")).to_have_value("0")
    expect(log.get_by_label("Summary for the family")).to_have_value(SUMMARY)
    expect(log.get_by_label("Private note")).to_have_value(PRIVATE)
    expect(log.get_by_label("Next steps")).to_have_value(NEXT_STEPS)
    expect(log.get_by_label("Share the summary with the family")).to_be_checked()
    ui.check("log-restored", phone=True)

    # 4. Sign and lock: the read-only page.
    log.get_by_role("button", name="Save, sign and lock").click()
    expect(ui.page).to_have_url(ui.url(f"/sessions/{last_week.pk}/"))
    expect(ui.page.locator(".messages")).to_contain_text("Signed and locked")
    main = ui.page.locator("main")
    expect(main).to_contain_text("Signed and locked")
    expect(main).to_contain_text("45 minutes")
    expect(ui.page.get_by_role("region", name="Summary for the family")).to_contain_text(SUMMARY)
    expect(ui.page.get_by_role("region", name="Private note")).to_contain_text(PRIVATE)
    expect(ui.page.get_by_role("region", name="Goal ratings")).to_contain_text(
        "Saying goodbye at the school gate: 0"
    )
    expect(ui.page.get_by_role("region", name="Who took part")).to_contain_text("Pat Rowe")
    expect(main.get_by_role("link", name="Log this session")).to_have_count(0)
    expect(main.get_by_role("textbox", name="Private note")).to_have_count(0)
    ui.check("session-signed", phone=True)
    last_week.refresh_from_db()
    assert last_week.is_signed and last_week.private_note == PRIVATE
    assert last_week.draft == {}
    (rating,) = GoalRating.objects.filter(goal=goal)
    assert (rating.source, rating.level, rating.perspective) == ("session", 0, "clinician")
    # The signed log opens read-only even by its URL.
    ui.go(f"/sessions/{last_week.pk}/log/")
    expect(ui.page).to_have_url(ui.url(f"/sessions/{last_week.pk}/"))

    # 5. An addendum corrects the family's summary.
    addenda = ui.page.get_by_role("region", name="Addenda")
    addenda.get_by_label("Addendum").fill(CORRECTION)
    addenda.get_by_label("Corrects the summary the family sees").check()
    addenda.get_by_role("button", name="Add addendum").click()
    expect(ui.page.locator(".messages")).to_contain_text("The addendum was added")
    addenda = ui.page.get_by_role("region", name="Addenda")
    expect(addenda).to_contain_text(CORRECTION)
    expect(addenda).to_contain_text("corrects the family's summary")
    ui.check("session-addendum", phone=True)
    assert Addendum.objects.get(session=last_week).corrects_shared_summary

    ui.page.get_by_role("navigation", name="Main").get_by_role("link", name="Caseload").click()
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    expect(ui.page.get_by_role("region", name="Sessions to log")).to_have_count(0)
    ui.audit("caseload-logged")

    # 6. The parent (sharing level full) sees the summary and its correction, not the note.
    parent = new_ui("parent")
    parent.login(cast.parent.email)
    parent.page.get_by_role("link", name="Mia Rowe").click()
    family = parent.page.get_by_role("region", name="Sessions")
    expect(family).to_contain_text(date_format(starts[0], "l j F, H:i"))
    expect(family).to_contain_text(SUMMARY)
    expect(family).to_contain_text(CORRECTION)
    expect(family.locator("article")).to_contain_text("Correction:")
    expect(parent.page.locator("body")).not_to_contain_text(PRIVATE)
    expect(parent.page.locator("body")).not_to_contain_text(NEXT_STEPS)
    parent.check("portal-child-summary", phone=True)
    # The care team's session pages are not the family's.
    response = parent.go(f"/sessions/{last_week.pk}/")
    assert response.status == 404
    expect(parent.page.locator("body")).not_to_contain_text(PRIVATE)

    # Under level progress the shared summaries go; attendance stays.
    AgreementFactory(
        child=cast.child, sharing_level="progress", effective_date=practice.today(), version=2
    )
    parent.go(f"/portal/children/{cast.child.pk}/")
    family = parent.page.get_by_role("region", name="Sessions")
    expect(family).to_contain_text("Attended")
    expect(parent.page.locator("body")).not_to_contain_text(SUMMARY)
    expect(parent.page.locator("body")).not_to_contain_text(CORRECTION)
    expect(parent.page.locator("body")).not_to_contain_text(PRIVATE)
    parent.check("portal-child-progress-level")
    assert csp_errors == []


def test_session_log_errors_keep_what_was_typed(ui, cast, goal, last_week, csp_errors):
    ui.login(cast.clinician.email)
    ui.go(f"/sessions/{last_week.pk}/log/")
    log = ui.page.locator("main form")
    log.get_by_label("Duration (minutes)").fill("600")
    log.get_by_label("Private note").fill(PRIVATE)
    # Let the autosave land first: the test is about the form's errors, not a race with it.
    expect(ui.page.locator("#draft-status")).to_contain_text("Draft saved", timeout=15_000)
    with ui.page.expect_navigation():
        log.get_by_role("button", name="Save, sign and lock").click()
    expect(log.locator(".invalid-feedback").first).to_contain_text(
        "A session lasts between 1 minute and 8 hours"
    )
    expect(log.get_by_label("Duration (minutes)")).to_be_focused()
    expect(log.get_by_label("Private note")).to_have_value(PRIVATE)
    ui.check("log-errors", phone=True)
    last_week.refresh_from_db()
    assert not last_week.is_signed

    ui.go(f"/children/{cast.child.pk}/sessions/schedule/")
    form = ui.page.locator("main form")
    form.get_by_label("Date").fill("2020-01-06")
    form.get_by_label("Time").fill("09:00")
    form.get_by_role("button", name="Schedule").click()
    expect(ui.page.locator("main")).to_contain_text("cannot be scheduled in the past")
    expect(form.get_by_label("Date")).to_have_value("2020-01-06")
    ui.check("schedule-errors", phone=True)
    assert csp_errors == []
