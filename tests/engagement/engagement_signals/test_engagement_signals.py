"""Engagement signals: the documented score against hand-computed families, the falling rule,
bounded queries for a whole caseload, and the admins' report (counts only, no clinical text)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement.engagement_agreements.models import (
    EngagementAcknowledgement,
    EngagementAgreement,
)
from engagement.engagement_signals import scores as signals
from engagement.engagement_signals.selectors import family_engagement
from engagement.messaging import services as messaging
from goals.services import goal_create
from practice.models import Child, Practice
from tests.factories import (
    AuditEventFactory,
    BarrierFactory,
    CheckInFactory,
    ChildFactory,
    ClinicianFactory,
    EngagementAcknowledgementFactory,
    EngagementAgreementFactory,
    GuardianshipFactory,
    HomeObservationFactory,
    HomePracticeFactory,
    ParentFactory,
    SessionLogFactory,
)
from tests.querycount import Page, assert_queries_do_not_grow

PRIVATE = "Private note PPP4"
NOTES = "Barrier note NNN5"
LEVELS = {
    "level_minus_2": "a",
    "level_minus_1": "b",
    "level_0": "c",
    "level_plus_1": "d",
    "level_plus_2": "e",
}


# --- The pure score, against families computed by hand -----------------------------------------


def test_a_family_doing_most_things():
    # connect 0.5 + 0.5 * 4/8 = 0.75; attend (3/4) / 0.75 = 1; participate (4 - 1) / 4 = 0.75;
    # enact 7 / 14 = 0.5; score 100 * (0.75 + 1 + 0.75 + 0.5) / 4 = 75
    activity = signals.FamilyActivity(
        agreement_acknowledged=True,
        portal_visits=4,
        attended_sessions=4,
        attended_with_guardian=3,
        expected_guardian_share=0.75,
        mean_participation=4,
        check_ins_done=7,
        check_ins_expected=14,
    )
    result = signals.engagement_score(activity)
    assert result.parts == {"connect": 0.75, "attend": 1.0, "participate": 0.75, "enact": 0.5}
    assert result.score == 75


def test_a_family_with_nothing_yet_scores_zero_on_connect_alone():
    result = signals.engagement_score(signals.FamilyActivity())
    assert result.parts == {"connect": 0.0, "attend": None, "participate": None, "enact": None}
    assert result.score == 0


def test_a_family_without_home_practice_is_scored_on_what_counts():
    # connect 0.5 + 0.5 * 1 = 1; attend (1/2) / 1 = 0.5; participate (2 - 1) / 4 = 0.25;
    # score 100 * 1.75 / 3 = 58.3 -> 58
    activity = signals.FamilyActivity(
        agreement_acknowledged=True,
        portal_visits=10,
        attended_sessions=2,
        attended_with_guardian=1,
        expected_guardian_share=1.0,
        mean_participation=2,
    )
    assert signals.engagement_score(activity).score == 58


def test_expected_check_ins_follow_the_frequency():
    assert signals.expected_check_ins("daily", 14) == 14
    assert signals.expected_check_ins("three_a_week", 56) == 24
    assert signals.expected_check_ins("weekly", 21) == 3


@pytest.mark.parametrize(
    "current, previous, home_practice_days, quiet, falling",
    [
        (50, 70, None, None, True),  # dropped 20
        (51, 70, None, None, False),  # dropped 19
        (60, 60, 30, 21, True),  # home practice for 30 days, quiet for 3 weeks
        (60, 60, 30, None, True),  # home practice, never a check-in or visit
        (60, 60, 30, 20, False),  # a visit 20 days ago
        (60, 60, 10, None, False),  # home practice too new to judge
        (60, 60, None, None, False),  # no home practice: quiet is not a signal
    ],
)
def test_the_falling_rule(current, previous, home_practice_days, quiet, falling):
    result = signals.is_falling(
        current, previous, home_practice_days=home_practice_days, days_since_contact=quiet
    )
    assert result is falling


# --- Counting from the database ------------------------------------------------------------------


def visit(parent, child, days_ago, now):
    AuditEventFactory(
        actor=parent,
        action="portal.child_view",
        child=child,
        at=now - datetime.timedelta(days=days_ago),
    )


def attended(child, clinician, days_ago, now, *, participation=None, guardian=None):
    session = SessionLogFactory(
        child=child,
        clinician=clinician,
        scheduled_start=now - datetime.timedelta(days=days_ago),
        status="attended",
        duration_minutes=50,
        guardian_participation=participation,
        private_note=PRIVATE,
    )
    if guardian is not None:
        session.guardians_attended.add(guardian)
    return session


def agreement(child, clinician, parent, days_ago, now, parent_sessions="most"):
    item = EngagementAgreementFactory(
        child=child,
        version=1,
        parent_sessions=parent_sessions,
        parent_role="Join sessions",
        response_time_business_days=2,
        communication_guidance="-",
        recorded_by=clinician,
    )
    at = now - datetime.timedelta(days=days_ago)
    EngagementAgreement.objects.filter(pk=item.pk).update(created_at=at)
    ack = EngagementAcknowledgementFactory(agreement=item, guardian=parent)
    EngagementAcknowledgement.objects.filter(pk=ack.pk).update(acknowledged_at=at)


def home_practice(child, clinician, days_ago, now):
    goal = goal_create(
        child=child, clinician=clinician, title="Name feelings", domain="social", **LEVELS
    )
    return HomePracticeFactory(
        child=child,
        goal=goal,
        title="Feelings chart",
        instructions="-",
        frequency="daily",
        until=(now + datetime.timedelta(days=30)).date(),
        assigned_by=clinician,
        assigned_at=now - datetime.timedelta(days=days_ago),
    )


def scores(children, now):
    return family_engagement(children, now, Practice.get().tz)


def test_the_selector_counts_a_family_as_computed_by_hand(cast):
    now = timezone.now()
    agreement(cast.child, cast.clinician, cast.parent, 100, now, parent_sessions="every")
    for days in (1, 8, 15, 22):
        visit(cast.parent, cast.child, days, now)
    visit(cast.barred, cast.child, 2, now)  # not a guardian with access: not counted
    visit(cast.clinician, cast.child, 3, now)  # the care team's visits are not the family's
    attended(cast.child, cast.clinician, 7, now, participation=5, guardian=cast.parent)
    attended(cast.child, cast.clinician, 14, now, participation=3)
    # connect 0.5 + 0.5 * 4/8 = 0.75; attend (1/2) / 1 = 0.5; participate (4 - 1) / 4 = 0.75
    # score 100 * 2 / 3 = 66.7 -> 67; the previous 8 weeks: agreement only, 0.5 -> 50
    family = scores(Child.objects.filter(pk=cast.child.pk), timezone.now())[cast.child.pk]
    assert family.current.parts["connect"] == 0.75
    assert family.current.parts["attend"] == 0.5
    assert family.score == 67
    assert family.previous.score == 50 and family.change == 17
    assert not family.falling


def test_message_replies_count_towards_connect(cast):
    # Given the care team wrote twice in the last 8 weeks and the family answered once
    now = timezone.now()

    def minutes_ago(minutes):
        return now - datetime.timedelta(minutes=minutes)

    thread = messaging.thread_start(
        child=cast.child, guardian=cast.parent, subject="Sleep", body="Question", now=minutes_ago(4)
    )
    messaging.message_send(thread=thread, by=cast.clinician, body="Answer", now=minutes_ago(3))
    messaging.message_send(thread=thread, by=cast.parent, body="Thanks", now=minutes_ago(2))
    messaging.message_send(thread=thread, by=cast.clinician, body="More", now=minutes_ago(1))
    # When the family is scored
    family = scores(Child.objects.filter(pk=cast.child.pk), timezone.now())[cast.child.pk]
    # Then connect is the mean of agreement 0, visits 0 and replies 1/2 (the first family
    # message started the thread: it answers nothing)
    assert family.current.parts["connect"] == pytest.approx(1 / 6)
    assert signals.connect_part(True, 8, replies=1, care_team_messages=2) == pytest.approx(5 / 6)
    assert signals.connect_part(True, 4) == 0.75  # no care-team message: replies do not count


def falling_family(cast, now):
    """Engaged 9 to 16 weeks ago, nothing in the last 8 weeks but the agreement."""
    agreement(cast.child, cast.clinician, cast.parent, 120, now)
    for days in range(60, 110, 6):
        visit(cast.parent, cast.child, days, now)
    for days in (63, 70, 77):
        attended(cast.child, cast.clinician, days, now, participation=5, guardian=cast.parent)
    BarrierFactory(
        child=cast.child, kind="work", reported_by=cast.parent, notes=NOTES, status="open"
    )


def test_a_falling_family_is_flagged_on_the_caseload_with_open_barriers(client, cast):
    now = timezone.now()
    falling_family(cast, now)
    family = scores(Child.objects.filter(pk=cast.child.pk), now)[cast.child.pk]
    # previous: connect 1, attend 1 / 0.75 -> 1, participate 1: 100; now: connect 0.5 -> 50
    assert (family.previous.score, family.score, family.falling, family.reason) == (
        100,
        50,
        True,
        "drop",
    )
    assert [barrier.kind for barrier in family.open_barriers] == ["work"]
    client.force_login(cast.clinician)
    page = client.get(reverse("caseload")).content.decode()
    assert "Engagement falling" in page and "Mia Rowe" in page and "50 (was 100)" in page
    assert NOTES not in page


def test_a_family_quiet_for_three_weeks_with_home_practice_is_flagged(cast):
    now = timezone.now()
    agreement(cast.child, cast.clinician, cast.parent, 120, now)
    home_practice(cast.child, cast.clinician, 100, now)  # in both windows: no drop
    visit(cast.parent, cast.child, 22, now)
    family = scores(Child.objects.filter(pk=cast.child.pk), now)[cast.child.pk]
    assert family.falling and family.reason == "quiet"
    visit(cast.parent, cast.child, 2, now)
    family = scores(Child.objects.filter(pk=cast.child.pk), now)[cast.child.pk]
    assert not family.falling


def caseload_of(size, now):
    clinician = ClinicianFactory()
    for index in range(size):
        child = ChildFactory(clinician=clinician)
        parent = ParentFactory()
        GuardianshipFactory(child=child, guardian=parent)
        agreement(child, clinician, parent, 70, now)
        # The first family is quiet for 25 days with home practice: each size has one falling.
        visit(parent, child, 25 if index == 0 else 3 + index % 15, now)
        attended(child, clinician, 5, now, participation=1 + index % 5, guardian=parent)
        attended(child, clinician, 65, now, participation=4)
        if index % 3 == 0:
            home_practice(child, clinician, 25, now)
        BarrierFactory(child=child, kind="cost", reported_by=parent)
    return clinician


@pytest.mark.parametrize("size", [3, 60])
def test_a_caseload_is_scored_in_a_fixed_number_of_queries(
    cast, size, django_assert_max_num_queries
):
    now = timezone.now()
    clinician = caseload_of(size, now)
    children = Child.objects.filter(memberships__clinician=clinician)
    with django_assert_max_num_queries(9):  # one grouped query per kind of activity
        result = scores(children, now)
    assert len(result) == size


def test_caseload_page_queries_do_not_grow_with_the_families(client, db):
    now = timezone.now()
    counts = []
    for size in (3, 30):
        clinician = caseload_of(size, now)
        client.force_login(clinician)
        client.get(reverse("caseload"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("caseload")).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[1] <= counts[0]


# --- The admins' report --------------------------------------------------------------------------


def test_admin_report_shows_counts_and_no_clinical_text(client, cast):
    now = timezone.now()
    falling_family(cast, now)
    for admin in (cast.admin, ClinicianFactory(is_practice_admin=True)):
        client.force_login(admin)
        response = client.get(reverse("engagement_report"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "<svg" in page and "Alice Carter" in page and "Work" in page
        for clinical in (PRIVATE, NOTES, "Mia", "Rowe"):
            assert clinical not in page


def test_report_is_404_for_everyone_else(client, cast):
    for user in (cast.clinician, cast.parent, cast.barred):
        client.force_login(user)
        assert client.get(reverse("engagement_report")).status_code == 404


def test_report_queries_do_not_grow(client, db):
    page = Page("engagement report", lambda w: w.admin, lambda w: reverse("engagement_report"), 20)
    assert_queries_do_not_grow(client, page)


def test_the_care_team_reads_one_family_s_signals_and_no_one_else(client, cast):
    falling_family(cast, timezone.now())
    client.force_login(cast.clinician)
    page = client.get(reverse("child_engagement", args=[cast.child.pk])).content.decode()
    assert "50" in page and "falling" in page and "How the score is worked out" in page
    for user in (cast.outsider, cast.parent, cast.barred, cast.admin):
        client.force_login(user)
        assert client.get(reverse("child_engagement", args=[cast.child.pk])).status_code == 404


def test_practice_admins_find_the_report_in_the_menu(client, cast):
    client.force_login(cast.admin)
    assert reverse("engagement_report") in client.get(reverse("staff_list")).content.decode()
    client.force_login(cast.clinician)
    assert reverse("engagement_report") not in client.get(reverse("caseload")).content.decode()


def test_check_ins_count_against_what_was_assigned(cast):
    now = timezone.now()
    today = timezone.localtime(now, Practice.get().tz).date()
    practice = home_practice(cast.child, cast.clinician, 14, now)
    for days_ago in range(5):
        CheckInFactory(
            home_practice=practice,
            guardian=cast.parent,
            done=True,
            for_date=today - datetime.timedelta(days=days_ago),
        )
    CheckInFactory(
        home_practice=practice,
        guardian=cast.parent,
        done=False,
        for_date=today - datetime.timedelta(days=6),
    )
    family = scores(Child.objects.filter(pk=cast.child.pk), now)[cast.child.pk]
    # Daily for the 15 days since it was assigned (today included): 15 expected, 5 done.
    # connect 0 (no agreement, no visit); enact 5 / 15; score 100 * (1/3) / 2 = 16.7 -> 17
    assert family.current.parts["enact"] == pytest.approx(1 / 3)
    assert family.score == 17
    assert not family.falling  # a check-in today is contact


def test_an_observation_from_home_counts_towards_enact_and_as_contact(cast):
    now = timezone.now()
    home_practice(cast.child, cast.clinician, 100, now)  # expected in both windows
    HomeObservationFactory(
        child=cast.child,
        guardian=cast.parent,
        text="She named 'cross' at breakfast",
        created_at=now - datetime.timedelta(hours=1),
    )
    family = scores(Child.objects.filter(pk=cast.child.pk), now)[cast.child.pk]
    # Daily over all 56 days of the window: 56 expected; one observation: enact 1 / 56.
    assert family.current.parts["enact"] == pytest.approx(1 / 56)
    assert not family.falling  # shared today: not quiet
