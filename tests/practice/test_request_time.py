"""practice.request_time: the practice, the communication policy and the signed-in user's
guardianships are read once per request, and never stand in for another user's."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practice.access import policy_for
from practice.models import Child, Guardianship
from practice.request_time import (
    current_practice,
    request_communication_policy,
    request_guardianships,
    serving,
)
from tests.factories import ChildFactory, GuardianshipFactory


def reads_of(queries, table: str) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].lstrip().startswith("SELECT") and f'FROM "{table}"' in query["sql"]
    )


def page_reads(client, path: str, table: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return reads_of(queries, table)


def a_request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


# --- On the pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("clinician", "child_detail"),
        ("parent", "portal_child"),
        ("clinician", "caseload"),
        ("parent", "portal_home"),
    ],
)
def test_a_page_reads_the_practice_once(client, cast, who, page):
    client.force_login(getattr(cast, who))
    args = [cast.child.pk] if page in ("child_detail", "portal_child") else []
    assert page_reads(client, reverse(page, args=args), "practice_practice") == 1


@pytest.mark.parametrize(
    ("who", "page"), [("clinician", "caseload"), ("parent", "portal_messages")]
)
def test_a_page_reads_the_communication_policy_once(client, cast, who, page):
    client.force_login(getattr(cast, who))
    assert page_reads(client, reverse(page), "practice_communicationpolicy") == 1


# --- The memos -------------------------------------------------------------------------------


def test_the_practice_is_the_requests_while_it_is_served(cast):
    request = a_request(cast.clinician)
    request.practice = cast.practice
    with CaptureQueriesContext(connection) as queries, serving(request):
        assert current_practice() is cast.practice
        policy_for(cast.clinician, Child.objects.get(pk=cast.child.pk))
    assert reads_of(queries, "practice_practice") == 0
    # Outside a request it is read as before.
    with CaptureQueriesContext(connection) as queries:
        assert current_practice().pk == cast.practice.pk
    assert reads_of(queries, "practice_practice") == 1


def test_the_communication_policy_is_read_once_a_request(cast):
    request = a_request(cast.clinician)
    with CaptureQueriesContext(connection) as queries:
        first = request_communication_policy(request)
        assert request_communication_policy(request) is first
    assert reads_of(queries, "practice_communicationpolicy") == 1


def test_the_users_guardianships_are_read_once_a_request(cast):
    sibling = ChildFactory(first_name="Leo", last_name="Rowe", clinician=cast.clinician)
    GuardianshipFactory(child=sibling, guardian=cast.parent)
    request = a_request(cast.parent)
    with CaptureQueriesContext(connection) as queries, serving(request):
        # Children read without their guardianships: each policy would ask for its own.
        for child in Child.objects.filter(pk__in=[cast.child.pk, sibling.pk]):
            assert policy_for(cast.parent, child).is_guardian
        assert policy_for(cast.parent, Child.objects.get(pk=cast.other_child.pk)) is None
    assert reads_of(queries, "practice_guardianship") == 1
    assert {g.child_id for g in request_guardianships(request)} == {cast.child.pk, sibling.pk}


def test_another_users_policy_never_comes_from_the_signed_in_users_guardianships(cast):
    request = a_request(cast.parent)
    with serving(request):
        request_guardianships(request)
        # The other family's parent sees their own child and not this one...
        assert policy_for(cast.other_parent, Child.objects.get(pk=cast.other_child.pk))
        assert policy_for(cast.other_parent, Child.objects.get(pk=cast.child.pk)) is None
        # ...and the barred father stays barred, though the signed-in parent has full access.
        assert policy_for(cast.barred, Child.objects.get(pk=cast.child.pk)) is None


def test_a_guardianship_written_during_the_request_is_seen_at_once(cast):
    request = a_request(cast.other_parent)
    child = Child.objects.get(pk=cast.child.pk)
    with serving(request):
        assert policy_for(cast.other_parent, child) is None
        guardianship = GuardianshipFactory(child=child, guardian=cast.other_parent)
        assert policy_for(cast.other_parent, child).is_guardian
        guardianship.access = Guardianship.Access.NONE
        guardianship.access_reason = "Court order"
        guardianship.save()
        assert policy_for(cast.other_parent, child) is None
        guardianship.delete()
        assert policy_for(cast.other_parent, child) is None
        assert child.pk not in {g.child_id for g in request_guardianships(request)}
