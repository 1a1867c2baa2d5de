"""Reading a page writes no version: the key pages' cached fragments (practice/fragments.py)
stay valid from one view to the next, because opening a page changes nothing that any page
shows (the audit of the read is not such a change)."""

import pytest
from django.urls import reverse

from engagement.visits.models import SessionLog
from goals.models import Goal
from practice.models import Child, Practice
from tests.factories import GoalFactory, SessionLogFactory
from tests.querycount import build_world

pytestmark = pytest.mark.django_db


def _versions():
    return (
        dict(Child.objects.values_list("pk", "record_version")),
        Practice.objects.values_list("record_version", flat=True).get(),
    )


def test_opening_the_key_pages_twice_bumps_no_version(client):
    world = build_world(3)
    child = world.child
    goal = Goal.objects.filter(child=child).first() or GoalFactory(child=child)
    session = SessionLog.objects.filter(child=child).first() or SessionLogFactory(
        child=child, clinician=world.clinician, days_ago=2
    )
    pages = [
        (world.clinician, reverse("caseload")),
        (world.clinician, reverse("child_detail", args=[child.pk])),
        (world.clinician, reverse("session_detail", args=[session.pk])),
        (world.clinician, reverse("goal_detail", args=[goal.pk])),
        (world.parent, reverse("portal_home")),
        (world.parent, reverse("portal_child", args=[child.pk])),
        (world.parent, reverse("portal_messages")),
        (world.parent, reverse("about_you")),
    ]
    for user, url in pages:
        client.force_login(user)
        assert client.get(url).status_code == 200, url  # a first view may mark things read
        before = _versions()
        assert client.get(url).status_code == 200, url
        assert _versions() == before, f"opening {url} again bumped a version"
