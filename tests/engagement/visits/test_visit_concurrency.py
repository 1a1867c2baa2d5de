"""No edit of a session log silently lost, no double booking (issue 12, items 4 and 5).

Two people saving the same log from forms opened at the same version: the second gets a
conflict that shows what the first changed, keeps their own text in the form and overwrites
nothing (optimistic locking: django-concurrency's version on SessionLog). A late autosave never
brings back older text after a save or a sign, and says when it was not kept. On PostgreSQL,
two threads at once: one save wins and the other conflicts; one booking of a slot wins and the
other is told of the clash (the booking locks the clinician's and the child's rows).
"""

import datetime
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from engagement.rescheduling.services import session_cancel_by_family
from engagement.visits import booking, services
from engagement.visits.models import SessionLog
from tests.conftest import need
from tests.factories import CareTeamMembershipFactory, ClinicianFactory, SessionLogFactory

FIRST = "The summary saved first"
SECOND = "The summary typed second, from the same version"
SECOND_NOTE = "The private note typed second"


def recent_session(cast, **fields) -> SessionLog:
    """Mia's session with Alice that began three hours ago."""
    return SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        scheduled_start=timezone.now() - datetime.timedelta(hours=3),
        **fields,
    )


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} in the page"
    return match.group(1).replace("&quot;", '"')


def opened(client, session) -> dict:
    """What a log page sends back besides what was typed: its version and fingerprint."""
    page = client.get(reverse("session_log", args=[session.pk])).content.decode()
    return {"version": hidden(page, "version"), "started_from": hidden(page, "started_from")}


def log_post(opened_at: dict, **extra) -> dict:
    data = {
        "status": "attended",
        "duration_minutes": 50,
        "modality": "clinic",
        "child_attended": "on",
        "stage": "process",
        "shared_summary": FIRST,
        "summary_shared": "on",
        "private_note": "",
        "next_steps": "",
        **opened_at,
    }
    data.update(extra)
    return data


@pytest.fixture
def colleague(cast):
    """Cara, also on Mia's care team, in a browser of her own."""
    cara = ClinicianFactory(full_name="Cara Lind")
    CareTeamMembershipFactory(child=cast.child, clinician=cara)
    browser = Client()
    browser.force_login(cara)
    return browser


# --- Two stale forms -----------------------------------------------------------------------------


def test_the_second_of_two_stale_forms_gets_a_conflict_showing_what_changed(
    client, cast, colleague
):
    # Given Alice and Cara with the same log open at the same version
    session = recent_session(cast)
    client.force_login(cast.clinician)
    alice, cara = opened(client, session), opened(colleague, session)
    url = reverse("session_log", args=[session.pk])
    # When Alice saves, then Cara saves what she typed
    assert client.post(url, log_post(alice, shared_summary=FIRST)).status_code == 302
    response = colleague.post(
        url, log_post(cara, shared_summary=SECOND, private_note=SECOND_NOTE, duration_minutes=50)
    )
    # Then Cara is told, sees what Alice changed, keeps her own text; Alice's log stands
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this log since you opened it." in page
    changed = [change.label for change in response.context["changes"]]
    assert changed == ["Status", "Duration (minutes)", "Stage", "Summary for the family"]
    assert FIRST in page and SECOND in page and SECOND_NOTE in page
    saved = SessionLog.objects.get(pk=session.pk)
    assert saved.shared_summary == FIRST and saved.private_note == ""


def test_after_the_conflict_a_second_save_is_deliberate_and_stands(client, cast, colleague):
    session = recent_session(cast)
    client.force_login(cast.clinician)
    alice, cara = opened(client, session), opened(colleague, session)
    url = reverse("session_log", args=[session.pk])
    client.post(url, log_post(alice))
    page = colleague.post(url, log_post(cara, shared_summary=SECOND)).content.decode()
    # The re-rendered form is at the saved version: saving it again is a choice, not a race
    again = {"version": hidden(page, "version"), "started_from": hidden(page, "started_from")}
    assert again["version"] != cara["version"]
    assert colleague.post(url, log_post(again, shared_summary=SECOND)).status_code == 302
    assert SessionLog.objects.get(pk=session.pk).shared_summary == SECOND


def test_a_stale_form_cannot_sign_over_a_newer_save(client, cast, colleague):
    session = recent_session(cast)
    client.force_login(cast.clinician)
    alice, cara = opened(client, session), opened(colleague, session)
    url = reverse("session_log", args=[session.pk])
    client.post(url, log_post(alice))
    response = colleague.post(url, log_post(cara, shared_summary=SECOND, sign="1"))
    assert (
        response.status_code == 200 and "Someone else saved this log" in response.content.decode()
    )
    saved = SessionLog.objects.get(pk=session.pk)
    assert not saved.is_signed and saved.shared_summary == FIRST


def test_a_form_opened_before_the_log_was_signed_keeps_its_text(client, cast, colleague):
    session = recent_session(cast)
    client.force_login(cast.clinician)
    alice, cara = opened(client, session), opened(colleague, session)
    url = reverse("session_log", args=[session.pk])
    assert client.post(url, log_post(alice, sign="1")).status_code == 302
    response = colleague.post(url, log_post(cara, shared_summary=SECOND))
    page = response.content.decode()
    assert response.status_code == 200 and "signed since you opened it" in page
    assert SECOND in page
    assert SessionLog.objects.get(pk=session.pk).shared_summary == FIRST


def test_a_family_cancellation_is_not_overwritten_by_a_form_opened_before_it(client, cast):
    # Given the log of next week's session open on Alice's screen
    session = SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        in_days=7,
    )
    client.force_login(cast.clinician)
    alice = opened(client, session)
    # When the family cancels in the portal, then Alice saves her form
    session_cancel_by_family(
        session=session, guardian=cast.parent, kind="transport", now=timezone.now()
    )
    response = client.post(
        reverse("session_log", args=[session.pk]),
        log_post(alice, status="cancelled_clinician", duration_minutes=""),
    )
    # Then she is told, and the family's cancellation stands
    assert "Someone else saved this log" in response.content.decode()
    assert SessionLog.objects.get(pk=session.pk).status == "cancelled_family"


def test_the_service_refuses_a_stale_version(cast):
    session = recent_session(cast)
    opened_at = session.version
    services.session_log_save(
        session=session,
        clinician=cast.clinician,
        data={"status": "attended", "duration_minutes": 40, "shared_summary": FIRST},
        attendees=[],
        ratings={},
        today=cast.practice.today(),
        version=opened_at,
    )
    with pytest.raises(services.SessionLogConflict) as conflict:
        services.session_log_save(
            session=session,
            clinician=cast.clinician,
            data={"status": "attended", "duration_minutes": 50, "shared_summary": SECOND},
            attendees=[],
            ratings={},
            today=cast.practice.today(),
            version=opened_at,
        )
    assert conflict.value.current.shared_summary == FIRST
    assert SessionLog.objects.get(pk=session.pk).duration_minutes == 40


# --- A late autosave ----------------------------------------------------------------------------


def autosave(client, session, opened_at: dict, sequence: int | None = None, **fields):
    data = {"version": opened_at["version"], **fields}
    if sequence is not None:
        data["draft_sequence"] = str(sequence)
    return client.post(reverse("session_autosave", args=[session.pk]), data)


def test_a_late_autosave_after_a_save_is_discarded_and_says_so(client, cast):
    # Given a log page that autosaved, then saved the log
    session = recent_session(cast)
    client.force_login(cast.clinician)
    page = opened(client, session)
    assert autosave(client, session, page, 1, shared_summary="Half typ").status_code == 200
    client.post(reverse("session_log", args=[session.pk]), log_post(page, shared_summary=FIRST))
    # When an autosave sent before the save arrives after it
    late = autosave(client, session, page, 2, shared_summary="Half typ")
    # Then it is not kept, and the page is told so (not "Draft saved")
    assert late.status_code == 409
    assert "Draft not saved: this log was saved since you opened the page" in late.content.decode()
    saved = SessionLog.objects.get(pk=session.pk)
    assert saved.draft == {} and saved.shared_summary == FIRST
    reopened = client.get(reverse("session_log", args=[session.pk])).content.decode()
    assert "Draft restored" not in reopened and "Half typ" not in reopened


def test_a_late_autosave_after_signing_is_discarded_and_says_so(client, cast):
    session = recent_session(cast)
    client.force_login(cast.clinician)
    page = opened(client, session)
    client.post(reverse("session_log", args=[session.pk]), log_post(page, sign="1"))
    late = autosave(client, session, page, 1, shared_summary="Older text")
    assert late.status_code == 409 and "Draft not saved" in late.content.decode()
    assert SessionLog.objects.get(pk=session.pk).draft == {}


def test_an_older_autosave_never_replaces_a_newer_draft(client, cast):
    session = recent_session(cast)
    client.force_login(cast.clinician)
    page = opened(client, session)
    assert autosave(client, session, page, 5, private_note="newer text").status_code == 200
    older = autosave(client, session, page, 4, private_note="older text")
    assert older.status_code == 409 and "a newer draft" in older.content.decode()
    assert SessionLog.objects.get(pk=session.pk).draft["private_note"] == "newer text"


def test_the_log_page_numbers_its_autosaves_and_reports_failures(client, cast):
    session = recent_session(cast)
    client.force_login(cast.clinician)
    page = opened(client, session)
    autosave(client, session, page, 7, private_note="typed")
    html = client.get(reverse("session_log", args=[session.pk])).content.decode()
    assert 'data-draft-sequence="7"' in html and "js/session-autosave.js" in html
    assert "data-hx-post=" in html and "data-not-saved=" in html


def test_a_tampered_version_in_an_autosave_is_a_clear_400(client, cast):
    session = recent_session(cast)
    client.force_login(cast.clinician)
    response = client.post(
        reverse("session_autosave", args=[session.pk]), {"version": "12:bad", "private_note": "x"}
    )
    assert response.status_code == 400 and "Draft not saved" in response.content.decode()


# --- Two at once (PostgreSQL: row locks) ----------------------------------------------------------


def run_together(*calls):
    """Run the calls in threads started at the same moment; what each returned or raised."""
    results: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index):
        try:
            start.wait()
            results[index] = calls[index]()
        except Exception as error:  # noqa: BLE001 (the test inspects what each raised)
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_log_at_once_one_wins_the_other_conflicts(cast):
    need(connection.vendor == "postgresql", "row locks need PostgreSQL")
    session = recent_session(cast)
    opened_at = session.version

    def save(summary):
        return lambda: services.session_log_save(
            session=session,
            clinician=cast.clinician,
            data={"status": "attended", "duration_minutes": 50, "shared_summary": summary},
            attendees=[],
            ratings={},
            today=cast.practice.today(),
            version=opened_at,
        )

    results = run_together(save(FIRST), save(SECOND))
    won = [r for r in results if isinstance(r, SessionLog)]
    lost = [r for r in results if isinstance(r, services.SessionLogConflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert SessionLog.objects.get(pk=session.pk).shared_summary == won[0].shared_summary


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_the_same_slot_at_once_one_wins_the_other_hears_of_the_clash(
    cast, monkeypatch
):
    need(connection.vendor == "postgresql", "row locks need PostgreSQL")
    # Each booking pauses after its clash check until the other has made its own check (or a
    # second has passed): without the lock both would check before either booked.
    both_checked = threading.Barrier(2, timeout=1)
    check = booking.clashes

    def slow_check(*args, **kwargs):
        found = check(*args, **kwargs)
        try:
            both_checked.wait()
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(booking, "clashes", slow_check)
    start = timezone.now() + datetime.timedelta(days=3)

    def book():
        return services.session_schedule(
            child=cast.child,
            clinician=cast.clinician,
            scheduled_by=cast.clinician,
            start=start,
            now=timezone.now(),
        )

    results = run_together(book, book)
    booked = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(booked) == 1 and len(refused) == 1, results
    assert "This overlaps Mia Rowe's session" in refused[0].message_dict["start_date"][0]
    assert SessionLog.objects.filter(child=cast.child).count() == 1
