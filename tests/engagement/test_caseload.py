"""The staff caseload (engagement/caseload.py): what a row shows, a long caseload in pages,
and the cached table following every write to a child's record."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from engagement import caseload
from engagement.engagement_signals.models import FamilySignals
from practice.models import CareTeamMembership, Child, Practice, Stage
from tests.factories import (
    ChildFactory,
    ClinicianFactory,
    GoalFactory,
    GuardianshipFactory,
    ParentFactory,
    RescheduleRequestFactory,
    SessionLogFactory,
)


def table_rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


def caseload_page(client, clinician, **params) -> str:
    client.force_login(clinician)
    response = client.get(reverse("caseload"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_row_shows_the_child_family_sharing_next_session_and_primary_clinician(client, cast):
    # Given Mia with a guardian of full access, one with none, and a session booked
    start = timezone.now() + datetime.timedelta(days=3)
    session = SessionLogFactory(child=cast.child, clinician=cast.clinician, scheduled_start=start)
    ChildFactory(first_name="Noa", last_name="Lee", clinician=cast.clinician)
    # When the clinician opens the caseload
    rows = table_rows(caseload_page(client, cast.clinician))
    mia, noa = (next(row for row in rows if name in row) for name in ("Mia Rowe", "Noa Lee"))
    # Then Mia's row shows what it always did
    assert f'href="{reverse("child_detail", args=[cast.child.pk])}"' in mia
    assert "stage-process" in mia and ">Process<" in mia
    assert "Nick Rowe (no access), Pat Rowe" in mia
    assert f'href="{reverse("session_detail", args=[session.pk])}"' in mia
    assert "Alice Carter" in mia
    assert re.search(r"\d+\syears?.* old", mia)
    # And a child with no guardian nor session says so
    assert "no guardians yet" in noa and "none booked" in noa


def test_a_caseload_of_sixty_is_one_table(client, db):
    clinician = ClinicianFactory()
    for _ in range(60):
        ChildFactory(clinician=clinician)
    html = caseload_page(client, clinician)
    assert len(table_rows(html)) == 60
    assert "pagination" not in html
    assert "60 children in your care" in html


def many_children(clinician, count: int) -> None:
    children = Child.objects.bulk_create(
        Child(first_name=f"Kid{n:03}", last_name="Long", date_of_birth=datetime.date(2016, 1, 1))
        for n in range(count)
    )
    CareTeamMembership.objects.bulk_create(
        CareTeamMembership(child=child, clinician=clinician, is_primary=True) for child in children
    )


def test_a_caseload_longer_than_a_hundred_is_paged(client, db):
    assert caseload.CASELOAD_PAGE_SIZE == 100
    clinician = ClinicianFactory()
    many_children(clinician, 130)
    first = caseload_page(client, clinician)
    assert len(table_rows(first)) == 100
    assert "130 children in your care" in first
    assert "Children 1 to 100 of 130" in first and 'href="?page=2"' in first
    assert "Kid000" in first and "Kid099" in first and "Kid100" not in first
    second = caseload_page(client, clinician, page=2)
    assert len(table_rows(second)) == 30
    assert "Kid100" in second and "Kid129" in second and "Kid099" not in second
    assert "Children 101 to 130 of 130" in second


def test_a_write_to_a_child_shows_on_the_next_view(client, cast):
    # Given the caseload was viewed (and its table cached)
    assert "Olga" not in caseload_page(client, cast.clinician)
    # When a guardian is added and the stage moves
    GuardianshipFactory(child=cast.child, guardian=ParentFactory(full_name="Olga Rowe"))
    Child.objects.get(pk=cast.child.pk).save()
    cast.child.stage = Stage.COMMITMENT
    cast.child.save()
    # Then the next view shows both
    mia = table_rows(caseload_page(client, cast.clinician))[0]
    assert "Olga Rowe" in mia and ">Commitment<" in mia


def test_a_goal_coming_due_and_a_request_to_reschedule_show_on_the_next_view(client, cast):
    # Given the caseload was viewed (its goals due and requests cached)
    html = caseload_page(client, cast.clinician)
    assert "Goals due for review" not in html and "Requests to reschedule" not in html
    # When a goal's review date comes and the family asks to move a session
    GoalFactory(child=cast.child, title="Sleep routine", status="active", review_date=today())
    start = timezone.now() + datetime.timedelta(days=2)
    session = SessionLogFactory(child=cast.child, clinician=cast.clinician, scheduled_start=start)
    RescheduleRequestFactory(session=session, guardian=cast.parent)
    # Then the next view lists both
    html = caseload_page(client, cast.clinician)
    assert "Sleep routine" in html and "Requests to reschedule" in html


def today():
    return timezone.localtime(timezone.now(), Practice.get().tz).date()


def test_a_colleague_sees_only_their_own_caseload(client, cast):
    caseload_page(client, cast.clinician)
    html = caseload_page(client, cast.outsider)
    assert "Zed Other" in html and "Mia Rowe" not in html


@pytest.mark.parametrize("size", [3, 30])
def test_the_caseload_costs_the_same_queries_at_any_size_cached_or_not(
    client, db, size, django_assert_max_num_queries
):
    # Given a caseload with nothing cached and no signals kept (after the session's first view)
    clinician = ClinicianFactory()
    for _ in range(size):
        child = ChildFactory(clinician=clinician)
        GuardianshipFactory(child=child, guardian=ParentFactory())
    client.force_login(clinician)
    client.get(reverse("caseload"))
    cache.clear()
    FamilySignals.objects.all().delete()
    # Then that view stays within today's bound, and the next one costs far less
    with django_assert_max_num_queries(26):
        assert client.get(reverse("caseload")).status_code == 200
    with django_assert_max_num_queries(11):  # 9 and the session save's savepoint
        assert client.get(reverse("caseload")).status_code == 200
