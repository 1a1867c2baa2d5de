"""Session logs: scheduling (one-off and weekly across DST), logging with goal ratings, the
autosaved draft, sign and lock, addenda, rescheduling, and what a guardian sees."""

import datetime
import zoneinfo

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from engagement.visits import services
from engagement.visits.models import Addendum, SessionLog, SignedLogError
from goals.models import GoalRating
from goals.services import goal_create
from tests.factories import (
    AddendumFactory,
    AgreementFactory,
    ChildFactory,
    GuardianshipFactory,
    ParentFactory,
    SessionLogFactory,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
LEVELS = {
    "level_minus_2": "a",
    "level_minus_1": "b",
    "level_0": "c",
    "level_plus_1": "d",
    "level_plus_2": "e",
}
PRIVATE = "Private clinical observation XYZ"
SUMMARY = "We played turn-taking games together"


def log_data(**extra):
    data = {
        "status": "attended",
        "duration_minutes": 50,
        "modality": "clinic",
        "child_attended": "on",
        "stage": "process",
        "activities": ["play"],
        "shared_summary": SUMMARY,
        "summary_shared": "on",
        "private_note": PRIVATE,
        "next_steps": "",
    }
    data.update(extra)
    return data


@pytest.fixture
def signed_session(past_session):
    def make(cast, **fields):
        session = past_session(
            shared_summary=SUMMARY,
            private_note=PRIVATE,
            status="attended",
            duration_minutes=50,
            **fields,
        )
        return services.session_sign(session=session, clinician=cast.clinician)

    return make


# --- Scheduling ---------------------------------------------------------------------------


def test_weekly_series_keeps_local_time_across_the_dst_change():
    # 2026-10-25 is the last Sunday of October: London goes from BST (UTC+1) to GMT.
    first = datetime.datetime(2026, 10, 20, 16, 0, tzinfo=LONDON)
    starts = services.weekly_starts(first, 3, LONDON)
    assert [s.astimezone(LONDON).hour for s in starts] == [16, 16, 16]
    assert [s.hour for s in starts] == [15, 16, 16]  # in UTC


def test_clinician_schedules_a_weekly_series_through_the_page(client, cast):
    client.force_login(cast.clinician)
    start = timezone.localtime(timezone.now(), LONDON) + datetime.timedelta(days=3)
    response = client.post(
        reverse("session_schedule", args=[cast.child.pk]),
        {
            "start_date": start.date().isoformat(),
            "start_time": "16:30",
            "planned_minutes": 50,
            "modality": "clinic",
            "location": "Room 2",
            "weeks": 6,
        },
    )
    assert response.status_code == 302
    sessions = SessionLog.objects.filter(child=cast.child).order_by("scheduled_start")
    assert sessions.count() == 6 and sessions[0].series is not None
    assert {timezone.localtime(s.scheduled_start, LONDON).strftime("%H:%M") for s in sessions} == {
        "16:30"
    }
    page = client.get(reverse("caseload")).content.decode()
    assert "16:30" in page  # the caseload shows each child's next session


def test_a_new_session_in_the_past_gets_a_clear_error_and_keeps_what_was_typed(client, cast):
    client.force_login(cast.clinician)
    response = client.post(
        reverse("session_schedule", args=[cast.child.pk]),
        {
            "start_date": "2020-01-06",
            "start_time": "10:00",
            "planned_minutes": 45,
            "modality": "home",
            "location": "Typed location kept",
            "weeks": 1,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A new session cannot be scheduled in the past." in page
    assert "Typed location kept" in page and "2020-01-06" in page
    assert not SessionLog.objects.exists()


def test_a_clinician_outside_the_care_team_cannot_schedule_or_open_logs(client, cast, past_session):
    session = past_session()
    client.force_login(cast.outsider)
    assert client.get(reverse("session_schedule", args=[cast.child.pk])).status_code == 404
    for name in ["session_detail", "session_log", "session_reschedule"]:
        assert client.get(reverse(name, args=[session.pk])).status_code == 404
    client.force_login(cast.parent)
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 404
    client.force_login(cast.admin)
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 404


# --- Logging ------------------------------------------------------------------------------


def test_logging_a_session_with_goal_ratings_and_signing(client, cast, past_session):
    goal = goal_create(
        child=cast.child, clinician=cast.clinician, title="Dress", domain="daily_living", **LEVELS
    )
    session = past_session()
    client.force_login(cast.clinician)
    page = client.get(reverse("session_log", args=[session.pk])).content.decode()
    assert "Dress" in page  # pre-filled with the child's active goals
    response = client.post(
        reverse("session_log", args=[session.pk]),
        log_data(**{"guardians_attended": [cast.parent.pk], f"goal_{goal.pk}": "1", "sign": "1"}),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_signed and session.status == "attended"
    assert list(session.guardians_attended.all()) == [cast.parent]
    rating = session.ratings.get()
    assert (rating.goal, rating.level, rating.source) == (goal, 1, GoalRating.Source.SESSION)


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"duration_minutes": 0}, "A session lasts between 1 minute and 8 hours."),
        ({"duration_minutes": 481}, "A session lasts between 1 minute and 8 hours."),
        ({"duration_minutes": ""}, "Enter how long the session lasted."),
    ],
)
def test_bad_durations_get_a_clear_error_and_keep_what_was_typed(
    client, cast, extra, message, past_session
):
    session = past_session()
    client.force_login(cast.clinician)
    response = client.post(reverse("session_log", args=[session.pk]), log_data(**extra))
    page = response.content.decode()
    assert message in page and PRIVATE in page and SUMMARY in page
    session.refresh_from_db()
    assert session.status == "scheduled" and session.private_note == ""


def test_guardians_of_another_family_cannot_be_attendees(client, cast, past_session):
    session = past_session()
    client.force_login(cast.clinician)
    response = client.post(
        reverse("session_log", args=[session.pk]),
        log_data(guardians_attended=[cast.other_parent.pk]),
    )
    assert response.status_code == 200 and "valid choice" in response.content.decode()
    with pytest.raises(Exception, match="own guardians"):
        services.session_log_save(
            session=session,
            clinician=cast.clinician,
            data={},
            attendees=[cast.other_parent],
            ratings={},
            today=timezone.localdate(),
        )
    assert not session.guardians_attended.exists()


def test_a_rating_for_a_goal_of_another_child_is_refused(cast, past_session):
    other_goal = goal_create(
        child=cast.other_child, clinician=cast.outsider, title="Other", domain="social", **LEVELS
    )
    session = past_session()
    with pytest.raises(Exception, match="not this child's"):
        services.session_log_save(
            session=session,
            clinician=cast.clinician,
            data={"status": "attended", "duration_minutes": 30},
            attendees=[],
            ratings={other_goal.pk: 1},
            today=timezone.localdate(),
        )
    assert not GoalRating.objects.filter(goal=other_goal).exists()
    session.refresh_from_db()
    assert session.status == "scheduled"  # nothing half-saved


def test_the_draft_autosaves_and_comes_back(client, cast, past_session):
    session = past_session()
    client.force_login(cast.clinician)
    response = client.post(
        reverse("session_autosave", args=[session.pk]),
        {"private_note": "Half-typed note", "duration_minutes": "40"},
    )
    assert response.status_code == 200 and "Draft saved" in response.content.decode()
    page = client.get(reverse("session_log", args=[session.pk])).content.decode()
    assert "Half-typed note" in page and "Draft restored" in page


# --- Sign and lock --------------------------------------------------------------------------


def test_a_signed_log_cannot_be_edited_or_deleted_by_any_path(client, cast, signed_session):
    session = signed_session(cast)
    session = SessionLog.objects.get(pk=session.pk)
    session.private_note = "changed"
    with pytest.raises(SignedLogError):
        session.save()
    with pytest.raises(SignedLogError):
        session.delete()
    with pytest.raises(SignedLogError):
        SessionLog.objects.filter(pk=session.pk).update(private_note="changed")
    with pytest.raises(SignedLogError):
        SessionLog.objects.filter(pk=session.pk).delete()
    with pytest.raises(SignedLogError), transaction.atomic():
        session.guardians_attended.add(cast.parent)
    with pytest.raises(SignedLogError):
        services.session_log_save(
            session=session,
            clinician=cast.clinician,
            data={},
            attendees=[],
            ratings={},
            today=timezone.localdate(),
        )
    # The log page sends a signed log to its read-only page.
    client.force_login(cast.clinician)
    assert client.get(reverse("session_log", args=[session.pk])).status_code == 302
    assert SessionLog.objects.get(pk=session.pk).private_note == PRIVATE


def test_the_admin_refuses_to_change_or_delete_a_signed_log(cast, signed_session):
    session = signed_session(cast)
    model_admin = admin.site._registry[SessionLog]
    request = RequestFactory().get("/")
    request.user = cast.clinician
    assert not model_admin.has_change_permission(request, session)
    assert not model_admin.has_delete_permission(request, session)
    form_fields = model_admin.get_fields(request, session)
    assert "private_note" not in form_fields and "shared_summary" not in form_fields


def test_addenda_are_added_in_order_and_a_correction_shows_beside_the_summary(
    client, cast, signed_session
):
    session = signed_session(cast)
    client.force_login(cast.clinician)
    client.post(reverse("session_detail", args=[session.pk]), {"text": "Internal addendum ABC"})
    client.post(
        reverse("session_detail", args=[session.pk]),
        {"text": "The game was Guess Who", "corrects_shared_summary": "on"},
    )
    assert [a.text for a in Addendum.objects.filter(session=session)] == [
        "Internal addendum ABC",
        "The game was Guess Who",
    ]
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert SUMMARY in page and "The game was Guess Who" in page
    assert "Internal addendum ABC" not in page and PRIVATE not in page


def test_an_addendum_needs_a_signed_log(cast, past_session):
    with pytest.raises(Exception, match="until it is signed"):
        services.addendum_add(session=past_session(), author=cast.clinician, text="x")


# --- Rescheduling and missed sessions ----------------------------------------------------------


def test_a_missed_session_is_rescheduled_in_one_step(client, cast, past_session):
    missed = past_session(status="no_show")
    client.force_login(cast.clinician)
    start = timezone.localtime(timezone.now(), LONDON) + datetime.timedelta(days=2)
    response = client.post(
        reverse("session_reschedule", args=[missed.pk]),
        {"start_date": start.date().isoformat(), "start_time": "11:00"},
    )
    assert response.status_code == 302
    new = SessionLog.objects.get(rescheduled_from=missed)
    assert new.status == "scheduled" and new.scheduled_start > timezone.now()
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "Missed or cancelled by the family this year: 1 of the 6" in page


# --- What a guardian sees -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "level, access, sees_summary",
    [
        ("full", "full", True),
        ("progress", "full", False),
        ("safety_only", "full", False),
        ("full", "limited", False),
    ],
)
def test_shared_summaries_follow_the_table(
    client, cast, level, access, sees_summary, signed_session
):
    AgreementFactory(
        child=cast.child, sharing_level=level, version=7, effective_date=datetime.date(2025, 1, 1)
    )
    cast.guardianship.access = access
    cast.guardianship.save()
    signed_session(cast)
    upcoming = SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        in_days=3,
    )
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert (SUMMARY in page) is sees_summary
    assert PRIVATE not in page
    # Upcoming sessions and attendance: every level and access that sees the child.
    assert timezone.localtime(upcoming.scheduled_start, LONDON).strftime("%H:%M") in page
    assert "Attended" in page


def test_a_summary_marked_not_shared_never_reaches_the_family(client, cast, past_session):
    session = past_session(
        shared_summary="Not for the family",
        summary_shared=False,
        status="attended",
        duration_minutes=50,
    )
    services.session_sign(session=session, clinician=cast.clinician)
    client.force_login(cast.parent)
    assert (
        "Not for the family"
        not in client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    )


def test_a_guardian_with_access_none_sees_no_sessions(client, cast, signed_session):
    signed_session(cast)
    client.force_login(cast.barred)
    assert client.get(reverse("portal_child", args=[cast.child.pk])).status_code == 404
    assert SUMMARY not in client.get(reverse("portal_home")).content.decode()


@pytest.mark.parametrize("count", [2, 12])
def test_session_pages_run_bounded_queries(
    client, cast, count, django_assert_max_num_queries, past_session
):
    goal_create(child=cast.child, clinician=cast.clinician, title="G", domain="social", **LEVELS)
    for day in range(count):
        signed = past_session(
            days_ago=day + 1,
            status="attended",
            duration_minutes=30,
            shared_summary=f"summary {day}",
        )
        services.session_sign(session=signed, clinician=cast.clinician)
        AddendumFactory(
            session=signed, author=cast.clinician, text="a", corrects_shared_summary=True
        )
        SessionLogFactory(
            child=cast.child,
            clinician=cast.clinician,
            in_days=day + 1,
        )
    for _ in range(count):  # more children on the caseload
        child = ChildFactory(clinician=cast.clinician)
        GuardianshipFactory(child=child, guardian=ParentFactory())
    client.force_login(cast.clinician)
    session = SessionLog.objects.filter(child=cast.child, signed_at__isnull=False).first()
    for url in [
        reverse("caseload"),
        reverse("child_detail", args=[cast.child.pk]),
        reverse("session_detail", args=[session.pk]),
    ]:
        # + the engagement agreement and requests to reschedule (2); + observations from home.
        # + the child's message threads (1).
        with django_assert_max_num_queries(34):
            assert client.get(url).status_code == 200
    client.force_login(cast.parent)
    # + the engagement agreement, requests to reschedule and reported barriers (3).
    with django_assert_max_num_queries(33):
        assert client.get(reverse("portal_child", args=[cast.child.pk])).status_code == 200


def test_an_unticked_share_box_survives_the_draft(client, cast, past_session):
    # Given a clinician who unticked "share the summary" and the page autosaved
    session = past_session()
    client.force_login(cast.clinician)
    client.post(reverse("session_autosave", args=[session.pk]), {"shared_summary": "Draft"})
    # When the log page is opened again
    form = client.get(reverse("session_log", args=[session.pk])).context["form"]
    # Then the box is still unticked: the summary is not shared by accident
    assert form["summary_shared"].value() is False
    assert form["child_attended"].value() is False


def test_an_out_of_range_duration_gets_one_clear_message(client, cast, past_session):
    session = past_session()
    client.force_login(cast.clinician)
    response = client.post(
        reverse("session_log", args=[session.pk]), log_data(duration_minutes=600)
    )
    errors = response.context["form"].errors["duration_minutes"]
    assert errors == ["A session lasts between 1 minute and 8 hours."]


def test_a_guardian_with_access_none_is_not_offered_as_an_attendee(client, cast, past_session):
    session = past_session()
    client.force_login(cast.clinician)
    form = client.get(reverse("session_log", args=[session.pk])).context["form"]
    offered = set(form.fields["guardians_attended"].queryset)
    assert cast.parent in offered and cast.barred not in offered
