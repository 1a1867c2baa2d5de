"""Exports: the clinician's printable record of a child, and a family's own data for a parent
(a printable page and a JSON download) that shows exactly what DESIGN.md's table allows."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.barriers.services import barrier_record
from engagement.discharge import services as discharge_services
from engagement.practice_at_home.services import home_practice_assign
from engagement.visits import services as visit_services
from goals import services as goal_services
from practice.confidentiality import agreement_acknowledge
from practice.models import AuditEvent, Child
from tests.factories import (
    AgreementFactory,
    ChildFactory,
    GuardianshipFactory,
    NotToBeToldFactory,
    ParentFactory,
    SafetyConcernFactory,
    SessionLogFactory,
)
from tests.family_record import (
    ALWAYS_WITHHELD,
    BARRIER_NOTE,
    CLINICAL_ADDENDUM,
    CLINICIAN_NOTE,
    CO_PARENT_EMAIL,
    CORRECTION,
    GOAL,
    HOME_PRACTICE,
    KEEP,
    LEVELS,
    NOT_SHARED,
    NOT_TOLD_STATEMENT,
    OWN_NOTE,
    PRIVATE_GOAL,
    PRIVATE_NOTE,
    SAFETY_CLINICAL,
    SAFETY_STATEMENT,
    STAGE_NOTE,
    SUMMARY,
    TABLE,
    family_record,
    signed_session,
)
from tests.querycount import count_queries


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


@pytest.mark.parametrize("level, access, record, goals, summaries, discharge", TABLE)
def test_the_family_export_shows_exactly_what_the_table_allows(
    client, cast, level, access, record, goals, summaries, discharge, set_access
):
    # Given Mia's record with something of every row, seen by Pat at this level and access
    upcoming = family_record(cast)
    set_access(level, access)
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
        session = SessionLogFactory(
            child=child,
            clinician=cast.clinician,
            days_ago=index + 1,
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
        SessionLogFactory(
            child=child,
            clinician=cast.clinician,
            in_days=index + 1,
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
        concern = SafetyConcernFactory(
            child=child,
            kind="other",
            clinical_record="Record",
            family_statement=f"Statement {index}",
            recorded_by=cast.clinician,
        )
        NotToBeToldFactory(concern=concern, guardian=ParentFactory(), reason="Alleged source")
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
    unsigned = SessionLogFactory(
        child=cast.child,
        clinician=cast.clinician,
        days_ago=2,
        status="attended",
        duration_minutes=50,
        shared_summary="Drafted for the family, not yet signed",
    )
    assert unsigned.summary_shared and unsigned.signed_at is None
    signed_session(cast, cast.child, 9, shared_summary="Signed and shared")
    client.force_login(cast.clinician)
    page = client.get(reverse("child_record", args=[cast.child.pk])).content.decode()
    assert "Summary (not shared):</span> Drafted for the family" in page
    assert "Summary shared with the family:</span> Signed and shared" in page
