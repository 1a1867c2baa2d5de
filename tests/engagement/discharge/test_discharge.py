"""Stages and discharge: each move recorded and told to the family in plain words; discharge
writes the family's summary, closes the episode and leaves the record read-only."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from engagement.barriers import services as barrier_services
from engagement.barriers.models import Barrier
from engagement.discharge import services
from engagement.discharge.models import DischargeSummary, StageChange
from engagement.visits import services as visit_services
from engagement.visits.models import Addendum, SessionLog
from goals import services as goal_services
from goals.models import Goal
from practice import services as practice_services
from practice.models import (
    AuditEvent,
    Child,
    ConfidentialityAcknowledgement,
    ConfidentialityAgreement,
    Guardianship,
    Invitation,
    User,
)
from tests.factories import (
    ChildFactory,
    GuardianshipFactory,
    SessionLogFactory,
)
from tests.querycount import count_queries

LEVELS = {
    "level_minus_2": "a",
    "level_minus_1": "b",
    "level_0": "c",
    "level_plus_1": "d",
    "level_plus_2": "e",
}
ACHIEVED = "Say hello to a new friend"
PRIVATE_GOAL = "Tell a friend when I feel low"
KEEP = "Keep the feelings chart on the fridge"
SUMMARY_FIELDS = {
    "goals_achieved": f"- {ACHIEVED}",
    "keep_practising": KEEP,
    "coming_back": "Call us on 020 7946 0000 any time.",
}


def goal(cast, title="Ask for help", **extra):
    return goal_services.goal_create(
        child=cast.child, clinician=cast.clinician, title=title, domain="social", **LEVELS, **extra
    )


def discharge(cast, **fields):
    return services.child_discharge(
        child=cast.child,
        discharged_by=cast.clinician,
        today=cast.practice.today(),
        now=timezone.now(),
        **{**SUMMARY_FIELDS, **fields},
    )


def future_session(cast, days=3):
    return SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        in_days=days,
    )


# --- Stages -----------------------------------------------------------------------------------


def test_the_clinician_moves_the_stage_and_the_family_is_told_in_plain_words(client, cast):
    # Given Mia at the Process stage
    client.force_login(cast.clinician)
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert reverse("stage_change", args=[cast.child.pk]) in page
    # When Alice moves her to Change with a note for the family
    response = client.post(
        reverse("stage_change", args=[cast.child.pk]),
        {"to_stage": "change", "family_note": "Mia is using her words at school now."},
    )
    # Then the move is recorded, audited and the child's stage changed
    assert response.status_code == 302
    change = StageChange.objects.get(child=cast.child)
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        "process",
        "change",
        cast.clinician,
    )
    cast.child.refresh_from_db()
    assert cast.child.stage == "change"
    assert AuditEvent.objects.filter(action="child.stage_change", child=cast.child).exists()
    # And Pat reads it in the portal in plain words, with the note, on Mia's page and at home
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "Mia has moved to: Seeing change" in page
    assert "Mia is using her words at school now." in page
    assert "Mia has moved to: Seeing change" in client.get(reverse("portal_home")).content.decode()


@pytest.mark.parametrize(
    "level, access",
    [("full", "full"), ("progress", "full"), ("safety_only", "full"), ("full", "limited")],
)
def test_every_guardian_who_sees_the_child_sees_the_stage_move(
    client, cast, level, access, set_access
):
    set_access(level, access, version=9, reason="Agreed with the family")
    services.stage_change(
        child=cast.child, to_stage="change", changed_by=cast.clinician, family_note="Well done"
    )
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert "Mia has moved to: Seeing change" in page and "Well done" in page


def test_a_stage_move_with_bad_input_keeps_what_was_typed(client, cast):
    client.force_login(cast.clinician)
    response = client.post(
        reverse("stage_change", args=[cast.child.pk]),
        {"to_stage": "process", "family_note": "Kept note"},  # already at Process
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kept note" in page
    assert "Select a valid choice" in page
    assert not StageChange.objects.exists()


def test_the_service_refuses_a_move_to_the_current_stage(cast):
    with pytest.raises(ValidationError):
        services.stage_change(child=cast.child, to_stage="process", changed_by=cast.clinician)


@pytest.mark.parametrize("who", ["outsider", "parent", "admin"])
def test_only_the_care_team_moves_the_stage_or_discharges(client, cast, who):
    client.force_login(getattr(cast, who))
    for name in ("stage_change", "discharge"):
        assert client.get(reverse(name, args=[cast.child.pk])).status_code == 404
    response = client.post(reverse("stage_change", args=[cast.child.pk]), {"to_stage": "change"})
    assert response.status_code == 404
    cast.child.refresh_from_db()
    assert cast.child.stage == "process" and not StageChange.objects.exists()


# --- Discharge --------------------------------------------------------------------------------


def test_discharge_through_the_page_writes_the_summary_and_closes_the_episode(client, cast):
    # Given an achieved goal, a child-private achieved goal and a session still booked
    achieved = goal(cast, title=ACHIEVED)
    goal_services.goal_set_status(goal=achieved, clinician=cast.clinician, status="achieved")
    private = goal(cast, title=PRIVATE_GOAL, private_to_child=True)
    goal_services.goal_set_status(goal=private, clinician=cast.clinician, status="achieved")
    booked = future_session(cast)
    client.force_login(cast.clinician)
    # When Alice opens the discharge form, the goals achieved are there to start from
    form = client.get(reverse("discharge", args=[cast.child.pk])).content.decode()
    assert ACHIEVED in form
    assert PRIVATE_GOAL not in form  # the summary is for the family
    # And she writes the summary and confirms
    response = client.post(
        reverse("discharge", args=[cast.child.pk]), {**SUMMARY_FIELDS, "confirm": "on"}
    )
    # Then the child is discharged today, at Termination, the booking cancelled, all audited
    assert response.status_code == 302
    cast.child.refresh_from_db()
    assert cast.child.discharged_on == cast.practice.today()
    assert cast.child.is_discharged and cast.child.stage == "termination"
    assert DischargeSummary.objects.get(child=cast.child).keep_practising == KEEP
    assert StageChange.objects.get(child=cast.child).to_stage == "termination"
    booked.refresh_from_db()
    assert booked.status == "cancelled_clinician"
    assert AuditEvent.objects.filter(action="child.discharge", child=cast.child).exists()
    # And the child page says the record is read-only and shows the summary
    page = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert "The record is read-only" in page and KEEP in page
    assert reverse("stage_change", args=[cast.child.pk]) not in page
    assert reverse("goal_add", args=[cast.child.pk]) not in page


@pytest.mark.parametrize(
    "missing, message",
    [
        ("keep_practising", "Tell the family what to keep practising."),
        ("confirm", "Tick this to confirm the discharge."),
    ],
)
def test_discharge_with_bad_input_keeps_what_was_typed(client, cast, missing, message):
    client.force_login(cast.clinician)
    data = {**SUMMARY_FIELDS, "goals_achieved": "Typed by Alice", "confirm": "on", missing: ""}
    response = client.post(reverse("discharge", args=[cast.child.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "Typed by Alice" in page
    cast.child.refresh_from_db()
    assert not cast.child.is_discharged


def test_discharge_waits_for_past_sessions_to_be_logged_and_signed(client, cast):
    SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        days_ago=2,
    )
    client.force_login(cast.clinician)
    response = client.post(
        reverse("discharge", args=[cast.child.pk]), {**SUMMARY_FIELDS, "confirm": "on"}
    )
    assert response.status_code == 200
    assert "Log and sign the 1 past session still open" in response.content.decode()
    assert KEEP in response.content.decode()
    cast.child.refresh_from_db()
    assert not cast.child.is_discharged


def test_a_discharged_child_cannot_be_discharged_again(cast):
    discharge(cast)
    with pytest.raises(ValidationError):
        discharge(cast)


# --- Read-only after discharge ----------------------------------------------------------------


def _attempts(cast, active, signed, past):
    today = cast.practice.today()
    now = timezone.now()
    return {
        "new goal": lambda: goal(cast, title="Another"),
        "proposed goal": lambda: goal_services.goal_propose(
            child=cast.child, parent=cast.parent, title="From home", domain="sleep"
        ),
        "clinician rating": lambda: goal_services.goal_rate(
            goal=active,
            rated_by=cast.clinician,
            level=0,
            rated_on=today,
            source="review",
            today=today,
        ),
        "parent rating": lambda: goal_services.goal_rate(
            goal=active, rated_by=cast.parent, level=1, rated_on=today, source="home", today=today
        ),
        "comment": lambda: goal_services.goal_comment(goal=active, author=cast.parent, text="Hi"),
        "goal edit": lambda: goal_services.goal_update(
            goal=active, clinician=cast.clinician, title="New title"
        ),
        "session": lambda: visit_services.session_schedule(
            child=cast.child,
            clinician=cast.clinician,
            scheduled_by=cast.clinician,
            start=now + datetime.timedelta(days=2),
            now=now,
        ),
        "log": lambda: visit_services.session_log_save(
            session=past,
            clinician=cast.clinician,
            data={"status": "attended", "duration_minutes": 50},
            attendees=[],
            ratings={},
            today=today,
        ),
        "draft": lambda: visit_services.session_draft_save(
            session=past, clinician=cast.clinician, draft={"private_note": "x"}
        ),
        "addendum": lambda: visit_services.addendum_add(
            session=signed, author=cast.clinician, text="Later"
        ),
        "reschedule": lambda: visit_services.session_reschedule(
            session=past, by=cast.clinician, start=now + datetime.timedelta(days=2), now=now
        ),
        "stage": lambda: services.stage_change(
            child=cast.child, to_stage="change", changed_by=cast.clinician
        ),
        # Issue 12: barriers, the child's details and the confidentiality agreement too.
        "barrier": lambda: barrier_services.barrier_record(
            child=cast.child, by=cast.clinician, kind="transport"
        ),
        "family's barrier": lambda: barrier_services.barrier_record(
            child=cast.child, by=cast.parent, kind="cost"
        ),
        "barrier update": lambda: barrier_services.barrier_update(
            barrier=Barrier.objects.get(child=cast.child),
            by=cast.clinician,
            kind="transport",
            reporter_role="clinician",
            status="resolved",
            notes="After discharge",
            actions_taken="",
        ),
        "child details": lambda: practice_services.child_update(
            child=cast.child,
            updated_by=cast.clinician,
            care_team=[],
            primary_clinician=cast.clinician,
            first_name="Renamed",
        ),
        "confidentiality agreement": lambda: practice_services.agreement_record(
            child=cast.child,
            recorded_by=cast.clinician,
            sharing_level="progress",
            effective_date=today,
        ),
    }


ATTEMPTS = [
    "new goal",
    "proposed goal",
    "clinician rating",
    "parent rating",
    "comment",
    "goal edit",
    "session",
    "log",
    "draft",
    "addendum",
    "reschedule",
    "stage",
    "barrier",
    "family's barrier",
    "barrier update",
    "child details",
    "confidentiality agreement",
]


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_after_discharge_the_services_refuse_to_add_to_the_record(cast, attempt):
    # Given an active goal, a signed session and a cancelled one, then the discharge
    active = goal(cast)
    start = timezone.now() - datetime.timedelta(days=3)
    signed = SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        scheduled_start=start,
        status="attended",
        duration_minutes=50,
    )
    visit_services.session_sign(session=signed, clinician=cast.clinician)
    past = SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        scheduled_start=start,
        status="cancelled_clinician",
    )
    barrier = barrier_services.barrier_record(child=cast.child, by=cast.clinician, kind="cost")
    discharge(cast)
    counts = (Goal.objects.count(), SessionLog.objects.count(), Addendum.objects.count())
    rows = (Barrier.objects.count(), ConfidentialityAgreement.objects.count())
    barrier_before = Barrier.objects.values().get(pk=barrier.pk)
    child_before = Child.objects.values().get(pk=cast.child.pk)
    # When anyone tries to add to the record, the service refuses with a clear error
    with pytest.raises(ValidationError, match="discharged"):
        _attempts(cast, active, signed, past)[attempt]()
    assert (Goal.objects.count(), SessionLog.objects.count(), Addendum.objects.count()) == counts
    assert (Barrier.objects.count(), ConfidentialityAgreement.objects.count()) == rows
    assert Barrier.objects.values().get(pk=barrier.pk) == barrier_before
    assert Child.objects.values().get(pk=cast.child.pk) == child_before


def test_after_discharge_pages_refuse_clearly_instead_of_failing(client, cast):
    active = goal(cast)
    discharge(cast)
    client.force_login(cast.parent)
    response = client.post(reverse("goal_comment", args=[active.pk]), {"text": "Typed at home"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "discharged: the record is read-only" in page and "Typed at home" in page
    client.force_login(cast.clinician)
    response = client.get(reverse("stage_change", args=[cast.child.pk]))
    assert response.status_code == 302


# --- The summary in the portal ----------------------------------------------------------------


@pytest.mark.parametrize(
    "level, access, sees_summary",
    [
        ("full", "full", True),
        ("progress", "full", True),
        ("safety_only", "full", False),
        ("full", "limited", False),
        ("progress", "limited", False),
    ],
)
def test_the_discharge_summary_follows_the_table(
    client, cast, level, access, sees_summary, set_access
):
    set_access(level, access, version=9, reason="Agreed with the family")
    discharge(cast)
    client.force_login(cast.parent)
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert (KEEP in page) is sees_summary
    assert "Therapy has finished" in client.get(reverse("portal_home")).content.decode()


def test_a_guardian_with_access_none_sees_no_summary(client, cast):
    discharge(cast)
    client.force_login(cast.barred)
    assert client.get(reverse("portal_child", args=[cast.child.pk])).status_code == 404
    assert KEEP not in client.get(reverse("portal_home")).content.decode()


def test_a_second_guardian_with_full_access_sees_the_summary_too(client, cast, co_parent):
    discharge(cast)
    client.force_login(co_parent)
    assert KEEP in client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()


# --- Bounded queries --------------------------------------------------------------------------


def _history(cast, child, size):
    GuardianshipFactory(child=child, guardian=cast.parent)
    for index in range(size):
        services.stage_change(
            child=child,
            to_stage=["change", "process"][index % 2],
            changed_by=cast.clinician,
            family_note=f"Note {index}",
        )
        achieved = goal_services.goal_create(
            child=child, clinician=cast.clinician, title=f"Goal {index}", domain="social", **LEVELS
        )
        goal_services.goal_set_status(goal=achieved, clinician=cast.clinician, status="achieved")


@pytest.mark.parametrize(
    "name, viewer, discharged, bound",
    [
        ("stage_change", "clinician", False, 16),
        ("discharge", "clinician", False, 16),
        ("child_detail", "clinician", True, 33),  # + message threads
        ("portal_child", "parent", True, 29),  # + own observations from home
    ],
)
def test_stage_and_discharge_pages_run_the_same_queries_at_two_sizes(
    client, cast, name, viewer, discharged, bound
):
    counts = []
    for size in (2, 10):
        child = ChildFactory(clinician=cast.clinician)
        _history(cast, child, size)
        if discharged:
            services.child_discharge(
                child=child,
                discharged_by=cast.clinician,
                today=cast.practice.today(),
                now=timezone.now(),
                **SUMMARY_FIELDS,
            )
        user = getattr(cast, viewer)
        counts.append(count_queries(client, user, reverse(name, args=[child.pk]))[0])
    assert counts[0] == counts[1] and counts[1] <= bound, counts


# --- The demo ---------------------------------------------------------------------------------


def test_the_demo_discharges_ethan_with_a_summary_his_mother_reads(client, db):
    call_command("seed_demo", stdout=io.StringIO())
    ethan = Child.objects.get(first_name="Ethan", is_demo=True)
    assert ethan.is_discharged and ethan.stage == "termination"
    assert "picture checklist" in ethan.discharge_summary.keep_practising
    assert not SessionLog.objects.filter(child=ethan, status="scheduled").exists()
    assert StageChange.objects.filter(child__is_demo=True).count() == 2
    assert ConfidentialityAcknowledgement.objects.filter(
        guardian__email="priya@demo.example"
    ).exists()
    client.force_login(User.objects.get(email="helen@demo.example"))
    page = client.get(reverse("portal_child", args=[ethan.pk])).content.decode()
    assert "picture checklist" in page and "Ethan has moved to: Finishing up" in page


def test_after_discharge_the_barrier_pages_refuse_clearly(client, cast):
    barrier = barrier_services.barrier_record(child=cast.child, by=cast.clinician, kind="cost")
    discharge(cast)
    client.force_login(cast.clinician)
    data = {"kind": "transport", "reporter_role": "clinician", "status": "open", "notes": "Typed"}
    for url in (
        reverse("barrier_add", args=[cast.child.pk]),
        reverse("barrier_edit", args=[barrier.pk]),
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        page = response.content.decode()
        assert "discharged: the record is read-only" in page and "Typed" in page
    assert Barrier.objects.count() == 1 and Barrier.objects.get().kind == "cost"


def test_after_discharge_who_may_see_the_record_can_still_change(client, cast):
    # Decision (issue 12): a court order or a new carer can come after discharge. The record
    # stays read-only; who may read it (guardians, their access, invitations) can still change.
    discharge(cast)
    barred = Guardianship.objects.get(guardian=cast.barred)
    practice_services.guardianship_update(
        guardianship=barred, updated_by=cast.clinician, access="limited", access_reason="Order"
    )
    added = practice_services.guardian_add(
        child=cast.child,
        added_by=cast.admin,
        email="carer@test.example",
        full_name="Fay Carer",
        relationship="foster_carer",
    )
    practice_services.invitation_send(user=added.guardian, invited_by=cast.admin, child=cast.child)
    assert Guardianship.objects.get(pk=barred.pk).access == "limited"
    assert Invitation.objects.filter(user=added.guardian).exists()


# --- Termination only through discharge (issue 12) --------------------------------------------


def test_the_stage_service_refuses_termination(cast):
    with pytest.raises(ValidationError, match="only through discharge"):
        services.stage_change(child=cast.child, to_stage="termination", changed_by=cast.clinician)
    cast.child.refresh_from_db()
    assert cast.child.stage != "termination" and not StageChange.objects.exists()


def test_the_stage_form_neither_offers_nor_takes_termination(client, cast):
    client.force_login(cast.clinician)
    url = reverse("stage_change", args=[cast.child.pk])
    assert 'value="termination"' not in client.get(url).content.decode()
    detail = client.get(reverse("child_detail", args=[cast.child.pk])).content.decode()
    assert 'value="termination"' not in detail
    response = client.post(url, {"to_stage": "termination", "family_note": "Kept note"})
    page = response.content.decode()
    assert response.status_code == 200 and "only through discharge" in page and "Kept note" in page
    assert not StageChange.objects.exists()


def test_a_child_cannot_be_added_at_termination(client, cast):
    client.force_login(cast.clinician)
    data = {
        "first_name": "Tess",
        "last_name": "Late",
        "date_of_birth": "2016-05-01",
        "stage": "termination",
        "primary_clinician": cast.clinician.pk,
    }
    response = client.post(reverse("child_add"), data)
    page = response.content.decode()
    assert response.status_code == 200 and "only through discharge" in page and "Tess" in page
    assert not Child.objects.filter(first_name="Tess").exists()
    with pytest.raises(ValidationError) as raised:
        practice_services.child_create(
            created_by=cast.clinician,
            care_team=[],
            primary_clinician=cast.clinician,
            first_name="Tess",
            last_name="Late",
            date_of_birth=datetime.date(2016, 5, 1),
            stage="termination",
        )
    assert "stage" in raised.value.message_dict


def test_the_child_service_moves_no_stage(cast):
    for stage in ("termination", "change"):
        with pytest.raises(ValidationError) as raised:
            practice_services.child_update(
                child=cast.child,
                updated_by=cast.clinician,
                care_team=[],
                primary_clinician=cast.clinician,
                stage=stage,
            )
        assert "stage" in raised.value.message_dict
    assert Child.objects.get(pk=cast.child.pk).stage == cast.child.stage


def test_the_model_refuses_termination_without_a_discharge_date(cast):
    cast.child.stage = "termination"
    with pytest.raises(ValidationError) as raised:
        cast.child.full_clean()
    assert "stage" in raised.value.message_dict
    cast.child.discharged_on = cast.practice.today()
    cast.child.full_clean()
