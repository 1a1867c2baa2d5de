"""DESIGN.md's confidentiality table for a family's own items: messages and home observations.

Mia's record (tests/family_record.py) gains a message thread and an observation from Pat and
from a co-parent with full access. For each sharing level and each access Pat may have, Pat's
portal pages never show the co-parent's items, and show Pat's own exactly when Pat has the
own-items right (full or limited access); with access none, the child's pages are 404.
"""

import pytest
from django.urls import reverse

from engagement.messaging import services as messaging_services
from engagement.messaging.models import MessageThread
from engagement.observations.services import observation_share
from goals.models import Goal
from practice.models import Child, User
from tests.family_record import (
    CO_PARENT_EMAIL,
    GOAL,
    TABLE,
    family_record,
)

OWN_MESSAGE = "Pat asks about the bus fare QMS1"
OWN_SUBJECT = "Subject from Pat QMS2"
OWN_OBSERVATION = "Pat saw Mia ask for juice QOB1"
CO_MESSAGE = "Chris writes about the custody week QMS3"
CO_SUBJECT = "Subject from Chris QMS4"
CO_OBSERVATION = "Chris saw Mia read a sign QOB2"


def family_items(cast) -> tuple[MessageThread, MessageThread]:
    """Pat's and the co-parent's own thread and observation, each about Mia's goal."""
    # family_record discharges Mia; the items are written while therapy was still going on.
    discharged_on = cast.child.discharged_on
    Child.objects.filter(pk=cast.child.pk).update(discharged_on=None)
    cast.child.refresh_from_db()
    co_parent = User.objects.get(email=CO_PARENT_EMAIL)
    goal = Goal.objects.get(child=cast.child, title=GOAL)
    today = cast.practice.today()
    threads = []
    for guardian, subject, body, seen in [
        (cast.parent, OWN_SUBJECT, OWN_MESSAGE, OWN_OBSERVATION),
        (co_parent, CO_SUBJECT, CO_MESSAGE, CO_OBSERVATION),
    ]:
        threads.append(
            messaging_services.thread_start(
                child=cast.child, guardian=guardian, subject=subject, body=body
            )
        )
        observation_share(child=cast.child, guardian=guardian, text=seen, today=today, goal=goal)
    Child.objects.filter(pk=cast.child.pk).update(discharged_on=discharged_on)
    cast.child.refresh_from_db()
    return threads[0], threads[1]


def portal_pages(client, cast, threads) -> dict[str, tuple[int, str]]:
    """Every page of Pat's portal that could show a message or an observation about Mia."""
    client.force_login(cast.parent)
    urls = {
        "portal home": reverse("portal_home"),
        "portal child": reverse("portal_child", args=[cast.child.pk]),
        "portal messages": reverse("portal_messages"),
    }
    for thread in threads:
        urls[f"thread {thread.pk}"] = reverse("message_thread", args=[thread.pk])
    for goal in Goal.objects.filter(child=cast.child):
        urls[f"goal {goal.pk}"] = reverse("goal_detail", args=[goal.pk])
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        pages[name] = (response.status_code, response.content.decode())
    return pages


@pytest.mark.parametrize("level, access, record, goals, summaries, discharge", TABLE)
def test_a_guardian_sees_only_their_own_messages_and_observations(
    client, cast, level, access, record, goals, summaries, discharge, set_access
):
    # Given Mia's record, Pat's and the co-parent's threads and observations, at this level
    family_record(cast)
    own_thread, co_thread = family_items(cast)
    set_access(level, access)
    # When Pat opens every portal page (the co-parent's thread URL included)
    pages = portal_pages(client, cast, [own_thread, co_thread])
    shown = "".join(text for status, text in pages.values() if status == 200)
    # Then the co-parent's items are nowhere, and its thread is a 404
    for text in [CO_MESSAGE, CO_SUBJECT, CO_OBSERVATION]:
        assert text not in shown, text
    assert pages[f"thread {co_thread.pk}"][0] == 404
    # And Pat's own items show exactly when Pat has the own-items right
    for text in [OWN_MESSAGE, OWN_SUBJECT, OWN_OBSERVATION]:
        assert (text in shown) is record, text
    assert pages[f"thread {own_thread.pk}"][0] == (200 if record else 404)
    # And with access none, the child's own pages are 404 too
    if access == "none":
        assert pages["portal child"][0] == 404
        for name, (status, _text) in pages.items():
            if name.startswith("goal "):
                assert status == 404, name
