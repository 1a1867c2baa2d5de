"""Exports: the clinician's printable record of a child, and a family's own data for a parent
(a printable page and a JSON download) that shows exactly what DESIGN.md's table allows."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.barriers.services import barrier_record, barrier_update
from engagement.discharge import services as discharge_services
from engagement.discharge.models import DischargeSummary
from engagement.practice_at_home.services import home_practice_assign
from engagement.visits import services as visit_services
from engagement.visits.models import Addendum, SessionLog
from goals import services as goal_services
from practice.confidentiality import agreement_acknowledge
from practice.models import AuditEvent, Child, NotToBeTold, SafetyConcern
from tests.factories import AgreementFactory, ChildFactory, GuardianshipFactory, ParentFactory

from .querycount import count_queries

LEVELS = {
    "level_minus_2": "Never asks",
    "level_minus_1": "Asks once a day with a prompt",
    "level_0": "Asks most mornings with one prompt",
    "level_plus_1": "Asks most mornings unprompted",
    "level_plus_2": "Asks everywhere unprompted",
}
GOAL = "Ask for help with words"
PRIVATE_GOAL = "Private goal of the child QZX"
PRIVATE_NOTE = "Private clinical note QZX"
SUMMARY = "We played turn-taking games together"
NOT_SHARED = "Summary kept from the family QZX"
CORRECTION = "The game was Guess Who, not Snap"
CLINICAL_ADDENDUM = "Clinical addendum QZX"
STAGE_NOTE = "Mia is using her words at school now"
KEEP = "Keep the feelings chart on the fridge"
CLINICIAN_NOTE = "Clinician rating note QZX"
OWN_NOTE = "Own note from home by Pat"
CO_PARENT_NOTE = "Co-parent rating note QZX"
CO_PARENT_EMAIL = "chris.coparent@test.example"
HOME_PRACTICE = "Hold the snack up and wait five seconds"
SAFETY_STATEMENT = "Please call the practice today about Mia"
SAFETY_CLINICAL = "Clinical record of the disclosure QZX"
NOT_TOLD_STATEMENT = "A statement Pat is not to be told QZX"
BARRIER_NOTE = "Clinician barrier note QZX"

# Never in a parent's export, whatever the level and access.
ALWAYS_WITHHELD = [
    PRIVATE_GOAL,
    PRIVATE_NOTE,
    NOT_SHARED,
    CLINICAL_ADDENDUM,
    CLINICIAN_NOTE,
    CO_PARENT_NOTE,
    CO_PARENT_EMAIL,
    SAFETY_CLINICAL,
    NOT_TOLD_STATEMENT,
    BARRIER_NOTE,
    "nick@test.example",
    "Zed",
]


def _signed(cast, child, days_ago, **fields):
    session = SessionLog.objects.create(
        child=child,
        clinician=cast.clinician,
        scheduled_start=timezone.now() - datetime.timedelta(days=days_ago),
        status="attended",
        duration_minutes=50,
        **fields,
    )
    return visit_services.session_sign(session=session, clinician=cast.clinician)


def family_record(cast):
    """Mia's record with one item of every row of the table, and items no parent may see."""
    today = cast.practice.today()
    co_parent = ParentFactory(full_name="Chris Rowe", email=CO_PARENT_EMAIL)
    GuardianshipFactory(child=cast.child, guardian=co_parent, relationship="father")
    goal = goal_services.goal_create(
        child=cast.child, clinician=cast.clinician, title=GOAL, domain="communication", **LEVELS
    )
    for user, level, note in [
        (cast.clinician, 0, CLINICIAN_NOTE),
        (cast.parent, 1, OWN_NOTE),
        (co_parent, 1, CO_PARENT_NOTE),
    ]:
        goal_services.goal_rate(
            goal=goal,
            rated_by=user,
            level=level,
            rated_on=today,
            source="review",
            note=note,
            today=today,
        )
    goal_services.goal_create(
        child=cast.child,
        clinician=cast.clinician,
        title=PRIVATE_GOAL,
        domain="social",
        private_to_child=True,
        **LEVELS,
    )
    shared = _signed(cast, cast.child, 7, shared_summary=SUMMARY, private_note=PRIVATE_NOTE)
    Addendum.objects.create(
        session=shared, author=cast.clinician, text=CORRECTION, corrects_shared_summary=True
    )
    Addendum.objects.create(session=shared, author=cast.clinician, text=CLINICAL_ADDENDUM)
    _signed(cast, cast.child, 14, shared_summary=NOT_SHARED, summary_shared=False)
    upcoming = SessionLog.objects.create(
        child=cast.child,
        clinician=cast.clinician,
        scheduled_start=timezone.now() + datetime.timedelta(days=3),
    )
    discharge_services.stage_change(
        child=cast.child, to_stage="change", changed_by=cast.clinician, family_note=STAGE_NOTE
    )
    home_practice_assign(
        child=cast.child,
        goal=goal,
        assigned_by=cast.clinician,
        title="Ask at snack time",
        instructions=HOME_PRACTICE,
        until=today + datetime.timedelta(weeks=4),
        today=today,
    )
    told = SafetyConcern.objects.create(
        child=cast.child,
        kind="other",
        clinical_record=SAFETY_CLINICAL,
        family_statement=SAFETY_STATEMENT,
        recorded_by=cast.clinician,
    )
    hidden = SafetyConcern.objects.create(
        child=cast.child,
        kind="other",
        clinical_record="Another clinical record",
        family_statement=NOT_TOLD_STATEMENT,
        recorded_by=cast.clinician,
        recorded_at=told.recorded_at,
    )
    NotToBeTold.objects.create(concern=hidden, guardian=cast.parent, reason="Alleged source")
    barrier = barrier_record(child=cast.child, by=cast.parent, kind="cost")
    barrier_update(
        barrier=barrier,
        by=cast.clinician,
        kind="cost",
        reporter_role="family",
        status="in_progress",
        notes=BARRIER_NOTE,
        actions_taken="",
    )
    # The summary as discharge writes it; the booked session is kept so "upcoming" is tested.
    DischargeSummary.objects.create(
        child=cast.child,
        goals_achieved="Asking for help",
        keep_practising=KEEP,
        coming_back="Call us",
        written_by=cast.clinician,
    )
    Child.objects.filter(pk=cast.child.pk).update(discharged_on=today)
    cast.child.refresh_from_db()
    return upcoming


def set_access(cast, level, access):
    AgreementFactory(
        child=cast.child,
        sharing_level=level,
        version=100_000,
        effective_date=datetime.date(2025, 1, 1),
    )
    cast.guardianship.access = access
    cast.guardianship.access_reason = "" if access == "full" else "Court order"
    cast.guardianship.save()


def exports(client, user) -> dict[str, str]:
    client.force_login(user)
    html = client.get(reverse("family_export"))
    data = client.get(reverse("family_export_json"))
    assert html.status_code == data.status_code == 200
    return {"page": html.content.decode(), "json": data.content.decode()}


# --- The clinician's record -------------------------------------------------------------------


def test_the_clinicians_export_holds_the_whole_record_and_is_audited(client, cast):
    family_record(cast)
    client.force_login(cast.clinician)
    response = client.get(reverse("child_record", args=[cast.child.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        PRIVATE_NOTE,
        SUMMARY,
        NOT_SHARED,
        CORRECTION,
        CLINICAL_ADDENDUM,
        GOAL,
        PRIVATE_GOAL,
        CLINICIAN_NOTE,
        CO_PARENT_EMAIL,
        STAGE_NOTE,
        KEEP,
        HOME_PRACTICE,
        SAFETY_CLINICAL,
        NOT_TOLD_STATEMENT,
        BARRIER_NOTE,
        "nick@test.example",
        "Court order",
    ]:
        assert text in page, text
    assert "data-print" in page
    event = AuditEvent.objects.get(action="export.record")
    assert (event.actor, event.child) == (cast.clinician, cast.child)


@pytest.mark.parametrize("who", ["outsider", "admin", "parent", "other_parent", "barred"])
def test_only_the_care_team_exports_a_childs_record(client, cast, who):
    family_record(cast)
    client.force_login(getattr(cast, who))
    assert client.get(reverse("child_record", args=[cast.child.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="export.record").exists()


# --- The family's export ----------------------------------------------------------------------

TABLE = [
    # level, access, record, goals, shared summaries, discharge summary
    ("full", "full", True, True, True, True),
    ("progress", "full", True, True, False, True),
    ("safety_only", "full", True, False, False, False),
    ("full", "limited", True, False, False, False),
    ("progress", "limited", True, False, False, False),
    ("safety_only", "limited", True, False, False, False),
    ("full", "none", False, False, False, False),
    ("progress", "none", False, False, False, False),
    ("safety_only", "none", False, False, False, False),
]


@pytest.mark.parametrize("level, access, record, goals, summaries, discharge", TABLE)
def test_the_family_export_shows_exactly_what_the_table_allows(
    client, cast, level, access, record, goals, summaries, discharge
):
    # Given Mia's record with something of every row, seen by Pat at this level and access
    upcoming = family_record(cast)
    set_access(cast, level, access)
    next_time = timezone.localtime(upcoming.scheduled_start, cast.practice.tz)
    allowed = {
        "record": (record, ["Mia Rowe", STAGE_NOTE, "Seeing change", next_time.date().isoformat()]),
        "goals": (goals, [GOAL, OWN_NOTE, "Reached the expected outcome", HOME_PRACTICE]),
        "own items and safety": (record, [SAFETY_STATEMENT, "Being worked on"]),
        "summaries": (summaries, [SUMMARY, CORRECTION]),
        "discharge": (discharge, [KEEP]),
    }
    # When Pat exports the family's data, as a page and as JSON
    for kind, text in exports(client, cast.parent).items():
        # Then each row is there exactly when the table allows it, in both
        for row, (shown, texts) in allowed.items():
            for item in texts:
                assert (item in text) is shown, f"{kind}: {row}: {item}"
        for item in ALWAYS_WITHHELD:
            assert item not in text, f"{kind}: {item}"
        assert "attended" in text.lower() if record else True
    # And the export of Mia alone exists only for a guardian who sees her
    client.force_login(cast.parent)
    for name in ("family_child_export", "family_child_export_json"):
        response = client.get(reverse(name, args=[cast.child.pk]))
        assert response.status_code == (200 if record else 404)


def test_the_json_is_a_download_with_the_same_rows_as_the_page(client, cast):
    family_record(cast)
    client.force_login(cast.parent)
    response = client.get(reverse("family_export_json"))
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    (mia,) = data["children"]
    assert data["you"]["email"] == "pat@test.example"
    assert [goal["title"] for goal in mia["goals"]["goals"]] == [GOAL]
    assert mia["sessions"]["summaries"][0]["corrections"] == [CORRECTION]
    assert mia["stage_changes"][0]["note"] == STAGE_NOTE
    assert mia["discharge_summary"]["what_to_keep_practising"] == KEEP


def test_the_agreement_and_its_acknowledgement_are_in_the_export(client, cast):
    agreement = cast.child.confidentiality_agreements.get()
    agreement_acknowledge(agreement=agreement, guardian=cast.parent, today=cast.practice.today())
    client.force_login(cast.parent)
    (mia,) = json.loads(client.get(reverse("family_export_json")).content)["children"]
    assert mia["confidentiality_agreement"]["you_read_it_on"] == cast.practice.today().isoformat()


def test_a_parent_of_another_family_gets_404_and_never_sees_this_child(client, cast):
    family_record(cast)
    client.force_login(cast.other_parent)
    for name in ("family_child_export", "family_child_export_json"):
        assert client.get(reverse(name, args=[cast.child.pk])).status_code == 404
    for text in exports(client, cast.other_parent).values():
        assert "Mia" not in text and "Zed Other" in text


def test_a_guardian_with_access_none_exports_nothing_of_the_child(client, cast):
    family_record(cast)
    for text in exports(client, cast.barred).values():
        assert "Mia" not in text and SUMMARY not in text


def test_each_family_export_is_audited_per_child(client, cast):
    exports(client, cast.parent)
    events = AuditEvent.objects.filter(action="export.family", child=cast.child)
    assert sorted(event.details["format"] for event in events) == ["json", "print"]
    assert all(event.actor == cast.parent for event in events)


def test_the_portal_links_to_the_exports(client, cast):
    client.force_login(cast.parent)
    assert reverse("family_export") in client.get(reverse("portal_home")).content.decode()
    page = client.get(reverse("portal_child", args=[cast.child.pk])).content.decode()
    assert reverse("family_child_export", args=[cast.child.pk]) in page


# --- Bounded queries --------------------------------------------------------------------------


def fill(cast, child: Child, size: int) -> None:
    """`size` of everything the exports read: goals and ratings, signed sessions with
    attendees, ratings and addenda, stage moves, agreement versions read by the parent, home
    practice, safety concerns (with a guardian not to be told) and barriers the parent raised."""
    today = cast.practice.today()
    GuardianshipFactory(child=child, guardian=cast.parent)
    goals = []
    for index in range(size):
        goal = goal_services.goal_create(
            child=child, clinician=cast.clinician, title=f"Goal {index}", domain="social", **LEVELS
        )
        goal_services.goal_rate(
            goal=goal, rated_by=cast.parent, level=0, rated_on=today, source="home", today=today
        )
        goals.append(goal)
    for index in range(size):
        session = SessionLog.objects.create(
            child=child,
            clinician=cast.clinician,
            scheduled_start=timezone.now() - datetime.timedelta(days=index + 1),
        )
        visit_services.session_log_save(
            session=session,
            clinician=cast.clinician,
            data={"status": "attended", "duration_minutes": 50, "shared_summary": "Played"},
            attendees=[cast.parent],
            ratings={goal.pk: 0 for goal in goals},
            today=today,
        )
        session = visit_services.session_sign(session=session, clinician=cast.clinician)
        visit_services.addendum_add(
            session=session, author=cast.clinician, text="Later", corrects_shared_summary=True
        )
        SessionLog.objects.create(
            child=child,
            clinician=cast.clinician,
            scheduled_start=timezone.now() + datetime.timedelta(days=index + 1),
        )
        discharge_services.stage_change(
            child=child, to_stage=["change", "process"][index % 2], changed_by=cast.clinician
        )
        agreement = AgreementFactory(child=child, effective_date=today)
        agreement_acknowledge(agreement=agreement, guardian=cast.parent, today=today)
        home_practice_assign(
            child=child,
            goal=goals[index],
            assigned_by=cast.clinician,
            title=f"Strategy {index}",
            instructions="Practise",
            until=today + datetime.timedelta(weeks=2),
            today=today,
        )
        concern = SafetyConcern.objects.create(
            child=child,
            kind="other",
            clinical_record="Record",
            family_statement=f"Statement {index}",
            recorded_by=cast.clinician,
        )
        NotToBeTold.objects.create(
            concern=concern, guardian=ParentFactory(), reason="Alleged source"
        )
        barrier_record(child=child, by=cast.parent, kind="cost")


PAGES = [
    ("child_record", "clinician", 32),
    ("family_child_export", "parent", 30),
    ("family_child_export_json", "parent", 30),
]


@pytest.mark.parametrize("name, viewer, bound", PAGES)
def test_export_pages_run_the_same_queries_at_two_sizes(client, cast, name, viewer, bound):
    small, large = (ChildFactory(clinician=cast.clinician) for _ in range(2))
    fill(cast, small, 2)
    fill(cast, large, 8)
    user = getattr(cast, viewer)
    few, _ = count_queries(client, user, reverse(name, args=[small.pk]))
    many, _ = count_queries(client, user, reverse(name, args=[large.pk]))
    assert many == few and many <= bound, (few, many)


def test_the_whole_family_export_stays_bounded(client, cast, django_assert_max_num_queries):
    for size in (2, 8):
        fill(cast, ChildFactory(clinician=cast.clinician), size)
    client.force_login(cast.parent)
    client.get(reverse("family_export"))
    # Three children (Mia and two more): a fixed cost per child, none per row.
    with django_assert_max_num_queries(45):
        assert client.get(reverse("family_export")).status_code == 200


def test_the_record_says_shared_only_of_what_the_family_can_read(client, cast):
    # The "shared" tickbox alone does not make a summary the family's: an unsigned log is not
    # shown in the portal, so the record does not call it shared (SessionLog.shared_with_family).
    unsigned = SessionLog.objects.create(
        child=cast.child,
        clinician=cast.clinician,
        scheduled_start=timezone.now() - datetime.timedelta(days=2),
        status="attended",
        duration_minutes=50,
        shared_summary="Drafted for the family, not yet signed",
    )
    assert unsigned.summary_shared and unsigned.signed_at is None
    _signed(cast, cast.child, 9, shared_summary="Signed and shared")
    client.force_login(cast.clinician)
    page = client.get(reverse("child_record", args=[cast.child.pk])).content.decode()
    assert "Summary (not shared):</span> Drafted for the family" in page
    assert "Summary shared with the family:</span> Signed and shared" in page
