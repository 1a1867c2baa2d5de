"""The staff child page keeps its record in the fragment cache (practice/fragments.py), per
viewer: what one viewer was shown never reaches another with other rights, and a write, or
the moment a session begins, shows on the very next view."""

import datetime

from django.urls import reverse
from django.utils import timezone

from engagement.barriers.services import barrier_record
from practice.break_glass.services import break_glass_open
from practice.models import CareTeamMembership
from tests.factories import SessionLogFactory
from tests.same_browser import page, sign_in, view

NOTES = "Clinician barrier note CACHE7"
RATED_PLUS_TWO = 'fs-5 fw-semibold">+2<'  # a latest rating, beside the goal
REASON = "Called by the school about an urgent safety concern; the primary is away today."


def _view(client, user, child):
    return view(client, user, reverse("child_detail", args=[child.pk]))


def _page(client, user, child) -> str:
    return page(client, user, reverse("child_detail", args=[child.pk]))


def test_a_clinicians_cached_record_is_never_served_to_anyone_with_other_rights(client, cast):
    barrier_record(child=cast.child, by=cast.clinician, kind="transport", notes=NOTES)
    break_glass_open(clinician=cast.outsider, child=cast.child, reason=REASON)
    # Given Alice's view of the record, cached: a second view is served from the cache
    first, queries_first = _view(client, cast.clinician, cast.child)
    again, queries_again = _view(client, cast.clinician, cast.child)
    assert NOTES in again.content.decode() and "Record a barrier" in again.content.decode()
    assert queries_again < queries_first
    # The office, in the same browser, reads no clinical text
    assert NOTES not in _page(client, cast.admin, cast.child)
    # An emergency reader (the same version of the record) reads it but is offered none of
    # the care team's writes
    emergency = _page(client, cast.outsider, cast.child)
    assert NOTES in emergency and "Emergency access until" in emergency
    assert "Record a barrier" not in emergency
    # A parent has no staff page, and the portal shows no clinician's note
    sign_in(client, cast.parent)
    assert client.get(reverse("child_detail", args=[cast.child.pk])).status_code != 200
    assert NOTES not in client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    # The same clinician, once on the care team, is offered them at once
    CareTeamMembership.objects.create(child=cast.child, clinician=cast.outsider)
    member = _page(client, cast.outsider, cast.child)
    assert "Record a barrier" in member and "Emergency access until" not in member


def test_a_write_shows_on_the_next_view(client, cast, active_goal):
    goal = active_goal(title="Name feelings CACHE")
    before = _page(client, cast.clinician, cast.child)
    assert "Name feelings CACHE" in before and RATED_PLUS_TWO not in before
    # When the goal is rated on its page
    response = client.post(
        reverse("goal_rate", args=[goal.pk]),
        {"level": "2", "rated_on": timezone.localdate().isoformat(), "perspective": "clinician"},
    )
    assert response.status_code == 302
    # Then the child page shows the rating at once
    assert RATED_PLUS_TWO in _page(client, cast.clinician, cast.child)
    # And a change about no one child (a guardian's name) shows at once too
    cast.parent.full_name = "Renamed Guardian CACHE"
    cast.parent.save()
    assert "Renamed Guardian CACHE" in _page(client, cast.clinician, cast.child)


def test_a_session_moves_from_coming_up_to_recent_when_it_begins(client, cast, monkeypatch):
    now = timezone.now()
    session = SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        scheduled_start=now + datetime.timedelta(minutes=10),
    )
    log_link = reverse("session_log", args=[session.pk])
    before = _page(client, cast.clinician, cast.child)
    assert "Coming up" in before and log_link not in before
    # When the session's start has passed, with no write in between
    later = now + datetime.timedelta(minutes=20)
    monkeypatch.setattr(timezone, "now", lambda: later)
    # Then it is a session to log
    after = _page(client, cast.clinician, cast.child)
    assert "Coming up" not in after and log_link in after
