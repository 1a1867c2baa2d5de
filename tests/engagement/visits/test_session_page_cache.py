"""The session's page keeps its record in the fragment cache (practice/fragments.py), per
viewer: the care team's copy never reaches an emergency reader, and a write, or the session's
start, shows on the very next view."""

import datetime

from django.urls import reverse
from django.utils import timezone

from engagement.visits import services
from practice.break_glass.services import break_glass_open
from tests.factories import SessionLogFactory
from tests.same_browser import page, sign_in, view

NOTE = "Private note CACHE9"
REASON = "Called by the school about an urgent safety concern; the primary is away today."


def _view(client, user, session):
    return view(client, user, reverse("session_detail", args=[session.pk]))


def _page(client, user, session) -> str:
    return page(client, user, reverse("session_detail", args=[session.pk]))


def _signed(cast, past_session):
    session = past_session(status="attended", duration_minutes=30, private_note=NOTE)
    return services.session_sign(session=session, clinician=cast.clinician)


def test_the_care_teams_cached_page_is_never_served_to_an_emergency_reader(
    client, cast, past_session
):
    session = _signed(cast, past_session)
    break_glass_open(clinician=cast.outsider, child=cast.child, reason=REASON)
    # Given Alice's page, cached: a second view is served from the cache
    _, queries_first = _view(client, cast.clinician, session)
    again, queries_again = _view(client, cast.clinician, session)
    assert queries_again < queries_first
    assert NOTE in again.content.decode() and "Add addendum" in again.content.decode()
    # Then an emergency reader of the same record reads it, with no form to change it
    emergency = _page(client, cast.outsider, session)
    assert NOTE in emergency and "Add addendum" not in emergency
    assert "Emergency access: you can read this session" in emergency
    # And neither a parent nor the office has the page at all
    for user in (cast.parent, cast.admin):
        sign_in(client, user)
        response = client.get(reverse("session_detail", args=[session.pk]))
        assert response.status_code != 200 and NOTE not in response.content.decode()


def test_an_addendum_shows_on_the_next_view(client, cast, past_session):
    session = _signed(cast, past_session)
    assert "None." in _page(client, cast.clinician, session)
    response = client.post(
        reverse("session_detail", args=[session.pk]), {"text": "Addendum text CACHE9"}
    )
    assert response.status_code == 302
    assert "Addendum text CACHE9" in _page(client, cast.clinician, session)


def test_the_page_changes_when_the_session_begins(client, cast, monkeypatch):
    now = timezone.now()
    session = SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        scheduled_start=now + datetime.timedelta(minutes=10),
    )
    assert "Not held yet" in _page(client, cast.clinician, session)
    later = now + datetime.timedelta(minutes=20)
    monkeypatch.setattr(timezone, "now", lambda: later)
    page = _page(client, cast.clinician, session)
    assert "Not held yet" not in page and "Who took part" in page
