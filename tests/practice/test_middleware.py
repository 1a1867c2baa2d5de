"""The request-wide middleware: the staff idle timeout writes the session at most once a minute,
and its rule (signed out after STAFF_IDLE_TIMEOUT without a request) holds to within that
minute."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practice import middleware
from practice.middleware import ACTIVITY_WRITE_EVERY, SESSION_KEY

START = 1_800_000_000


@pytest.fixture
def clock(monkeypatch):
    """The middleware's clock, moved by hand (seconds since the epoch)."""
    now = [START]
    monkeypatch.setattr(middleware.time, "time", lambda: now[0])
    return now


def session_writes(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return sum(
        1
        for query in queries.captured_queries
        if "django_session" in query["sql"] and not query["sql"].lstrip().startswith("SELECT")
    )


def test_a_staff_session_is_written_at_most_once_a_minute(client, cast, clock, settings):
    settings.STAFF_IDLE_TIMEOUT = 30 * 60
    client.force_login(cast.clinician)
    page = reverse("caseload")
    # The first request stores the time of activity.
    assert session_writes(client, page) == 1
    assert client.session[SESSION_KEY] == START
    # Requests within the minute do not write the session again.
    for seconds in (1, 20, ACTIVITY_WRITE_EVERY - 1):
        clock[0] = START + seconds
        assert session_writes(client, page) == 0
    assert client.session[SESSION_KEY] == START
    # A minute on, the time is written again.
    clock[0] = START + ACTIVITY_WRITE_EVERY
    assert session_writes(client, page) == 1
    assert client.session[SESSION_KEY] == START + ACTIVITY_WRITE_EVERY


def test_someone_active_every_fifty_seconds_is_never_signed_out(client, cast, clock, settings):
    # With a timeout of one minute the writes come every thirty seconds (half the timeout).
    settings.STAFF_IDLE_TIMEOUT = 60
    client.force_login(cast.clinician)
    page = reverse("caseload")
    for step in range(20):
        clock[0] = START + 50 * step
        assert client.get(page).status_code == 200, step


def test_the_idle_rule_holds_to_within_the_minute(client, cast, clock, settings):
    settings.STAFF_IDLE_TIMEOUT = 30 * 60
    client.force_login(cast.clinician)
    page = reverse("caseload")
    client.get(page)
    # The last request comes 59 s after the last write, so it is not written...
    clock[0] = START + ACTIVITY_WRITE_EVERY - 1
    client.get(page)
    # ...and the clinician is signed out at most that minute early: still in just before
    # the timeout counted from the stored time, out just after it.
    clock[0] = START + 30 * 60
    assert client.get(page).status_code == 200
    last = client.session[SESSION_KEY]
    clock[0] = last + 30 * 60 + 1
    response = client.get(page)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_parent_session_is_not_written_for_the_timeout(client, cast, clock):
    client.force_login(cast.parent)
    assert session_writes(client, reverse("portal_home")) == 0
    assert SESSION_KEY not in client.session
