"""Kept engagement signals (FamilySignals): a row read back, marked out of date by activity,
or rolled to a new day gives the score computed fresh; a current row costs no scoring."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement.engagement_signals.models import FamilySignals
from engagement.engagement_signals.selectors import family_engagement, score_of
from engagement.engagement_signals.stored import (
    SIGNAL_VALUES,
    current_signals,
    with_stored_signals,
)
from engagement.engagement_signals.tasks import engagement_signals_roll
from practice.models import Child, Practice
from tests.factories import CheckInFactory

from .test_engagement_signals import agreement, attended, falling_family, home_practice, visit


def fresh(child, now):
    """The score as family_engagement() computes it at `now`, with nothing kept."""
    family = score_of(family_engagement(Child.objects.filter(pk=child.pk), now, tz()), child.pk)
    return (family.score, family.previous.score, family.falling, family.reason)


def tz():
    return Practice.get().tz


def read(child, now, zone=None):
    """The kept signals as the caseload reads them at `now` (recomputing what is stale)."""
    zone = zone or tz()
    rows = with_stored_signals(Child.objects.filter(pk=child.pk)).values(
        "pk", "record_version", *SIGNAL_VALUES
    )
    signal = current_signals(rows, now, zone)[child.pk]
    return (signal.score, signal.previous_score, signal.falling, signal.reason)


def test_a_kept_row_reads_back_the_score_computed_fresh(cast):
    now = timezone.now()
    falling_family(cast, now)
    assert read(cast.child, now) == fresh(cast.child, now) == (50, 100, True, "drop")
    kept = FamilySignals.objects.get(child=cast.child)
    assert kept.open_barrier_kinds == ["work"]
    assert kept.activity["current"]["agreement_acknowledged"] is True
    # And read again, it is current: one query, no scoring
    zone = tz()
    with CaptureQueriesContext(connection) as captured:
        assert read(cast.child, now, zone) == (50, 100, True, "drop")
    assert len(captured.captured_queries) == 1


def test_a_check_in_marks_the_row_stale_and_the_read_recomputes_it(cast):
    now = timezone.now()
    agreement(cast.child, cast.clinician, cast.parent, 120, now)
    practice = home_practice(cast.child, cast.clinician, 40, now)
    before = read(cast.child, now)
    # When the family checks in (a write linked to the child bumps its record_version)
    today = timezone.localtime(now, tz()).date()
    CheckInFactory(home_practice=practice, guardian=cast.parent, done=True, for_date=today)
    later = now + datetime.timedelta(minutes=1)
    # Then the kept row is out of date and reads as the fresh score
    assert read(cast.child, later) == fresh(cast.child, later) != before


def test_a_portal_visit_marks_the_row_stale(cast):
    # A portal visit is an audit event: it bumps no record_version, the read still sees it
    now = timezone.now()
    agreement(cast.child, cast.clinician, cast.parent, 120, now)
    before = read(cast.child, now)
    later = now + datetime.timedelta(minutes=1)
    visit(cast.parent, cast.child, 0, later)
    assert read(cast.child, later) == fresh(cast.child, later) != before


def test_a_row_from_yesterday_rolls_to_today_s_window(cast):
    # Given a row kept yesterday, when a session was still inside the 8 weeks
    now = timezone.now()
    agreement(cast.child, cast.clinician, cast.parent, 200, now)
    attended(cast.child, cast.clinician, 56, now, participation=5, guardian=cast.parent)
    yesterday = now - datetime.timedelta(days=1)
    assert read(cast.child, yesterday) == fresh(cast.child, yesterday)
    # Then today it reads as today's window: the session is in the previous 8 weeks now
    assert read(cast.child, now) == fresh(cast.child, now) != fresh(cast.child, yesterday)


def test_the_daily_roll_rescores_yesterday_s_rows(cast):
    now = timezone.now()
    agreement(cast.child, cast.clinician, cast.parent, 200, now)
    attended(cast.child, cast.clinician, 56, now, participation=5, guardian=cast.parent)
    read(cast.child, now - datetime.timedelta(days=1))
    # When the beat's roll runs
    written = engagement_signals_roll.apply(kwargs={"now_iso": now.isoformat()}).get()
    # Then every child in therapy has today's row, with the score computed fresh
    assert written == Child.objects.filter(discharged_on__isnull=True).count()
    kept = FamilySignals.objects.get(child=cast.child)
    assert kept.computed_on == timezone.localtime(now, tz()).date()
    assert (kept.score, kept.previous_score, kept.falling, kept.reason) == fresh(cast.child, now)
    # And a second run finds nothing to do
    assert engagement_signals_roll.apply(kwargs={"now_iso": now.isoformat()}).get() == 0


def test_the_caseload_reads_the_kept_rows(client, cast):
    now = timezone.now()
    falling_family(cast, now)
    client.force_login(cast.clinician)
    client.get(reverse("caseload"))
    kept = FamilySignals.objects.get(child=cast.child)
    assert (kept.score, kept.previous_score, kept.falling) == (50, 100, True)
    # A row kept with another score shows as kept while it is current
    FamilySignals.objects.filter(child=cast.child).update(score=42)
    assert "42 (was 100)" in client.get(reverse("caseload")).content.decode()
