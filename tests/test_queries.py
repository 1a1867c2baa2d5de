"""Bounded query counts: every hub page costs the same number of queries at two data sizes.

To measure another page, add one line to PAGES (its viewer, its URL in the World of
tests/querycount.py, and a bound with a little room).
"""

import pytest
from django.urls import reverse

from engagement.visits.services import session_sign
from goals.models import GoalComment
from practice.outbox.services import email_queue_rendered
from tests.factories import AddendumFactory, GoalFactory, GoalRatingFactory, SessionLogFactory
from tests.querycount import (
    Page,
    World,
    admin,
    assert_queries_do_not_grow,
    build_world,
    clinician,
    parent,
)


def child_page(world: World) -> str:
    return reverse("child_detail", args=[world.child.pk])


def portal_child(world: World) -> str:
    return reverse("portal_child", args=[world.child.pk])


def message_thread(world: World) -> str:
    return reverse("message_thread", args=[world.child.message_threads.first().pk])


def progress_preview(world: World) -> str:
    guardianship = world.child.guardianships.get(guardian=world.parent)
    return reverse("progress_preview", args=[world.child.pk, guardianship.pk])


def email_delivery(world: World) -> str:
    # Besides the world's invitations, as many failed and skipped rows as the world is large.
    for n in range(world.size):
        for state in ("failed", "skipped"):
            email_queue_rendered(
                to=f"q{n}@test.example",
                kind="message_notice",
                subject="s",
                text="t",
                html="",
                state=state,
            )
    return reverse("outbox_list")


def session_page(world: World) -> str:
    """A signed session with as many addenda and goal ratings as the world is large."""
    session = SessionLogFactory(
        child=world.child,
        clinician=world.clinician,
        days_ago=1,
        status="attended",
        duration_minutes=30,
    )
    for _ in range(world.size):
        goal = GoalFactory(child=world.child, status="active")
        session.ratings.add(GoalRatingFactory(goal=goal, rated_by=world.clinician))
    session_sign(session=session, clinician=world.clinician)
    for n in range(world.size):
        AddendumFactory(session=session, author=world.clinician, text=f"a{n}")
    return reverse("session_detail", args=[session.pk])


def goal_page(world: World) -> str:
    """A goal rated and commented on as many times as the world is large, from both sides."""
    goal = GoalFactory(child=world.child, status="active")
    for n in range(world.size):
        GoalRatingFactory(goal=goal, rated_by=world.clinician, perspective="clinician")
        GoalRatingFactory(goal=goal, rated_by=world.parent, perspective="parent")
        GoalComment.objects.create(goal=goal, author=world.parent, text=f"c{n}")
    return reverse("goal_detail", args=[goal.pk])


PAGES = [
    # The children with their kept engagement signals in one query, the table and attention
    # list from the fragment cache (3 more queries to build them), the requests to
    # reschedule, the goals due, the sessions to log, the messages waiting.
    Page("caseload", clinician, lambda world: reverse("caseload"), max_queries=17),
    # Child page: home practice, barriers and the repeated-misses question are 3 queries.
    # + the stage history and who has read the agreement: 2 queries.
    # + the engagement agreement card and requests to reschedule: 2.
    # + the child's message threads: 1.
    Page("child page", clinician, child_page, max_queries=32),
    Page("child page (office)", admin, child_page, max_queries=26),
    # The session, goal and child pages' counts with nothing cached; served from the fragment
    # cache, each costs its access check, the audit write and (child page) one query more.
    Page("session page", clinician, session_page, max_queries=21),
    Page("goal page", clinician, goal_page, max_queries=18),
    Page("goal page (parent)", parent, goal_page, max_queries=13),
    # + next sessions, home practice, the latest summaries with corrections, unread messages.
    Page("portal home", parent, lambda world: reverse("portal_home"), 20, sizes=(1, 5)),
    # + home practice; + the agreement still to read and the stage moves.
    # + the engagement agreement, own requests to reschedule and reported barriers: 3.
    Page("portal child", parent, portal_child, max_queries=28, sizes=(1, 5)),
    Page("staff list", admin, lambda world: reverse("staff_list"), max_queries=12),
    # The counts per state, the page's count and its rows.
    Page("email delivery", admin, email_delivery, max_queries=10),
    Page("communication policy", admin, lambda w: reverse("communication_policy"), 10),
    Page("portal messages", parent, lambda world: reverse("portal_messages"), 12, sizes=(1, 5)),
    Page("message thread", parent, message_thread, max_queries=16),
    Page("email updates", parent, lambda world: reverse("update_preferences"), 10, sizes=(1, 5)),
    Page("message thread (care team)", clinician, message_thread, max_queries=20),
    Page("progress email preview", clinician, progress_preview, max_queries=34),
]


@pytest.mark.parametrize("hub", PAGES, ids=str)
def test_query_count_does_not_grow_with_the_data(client, db, hub):
    assert_queries_do_not_grow(client, hub)


@pytest.mark.parametrize("hub", PAGES, ids=str)
def test_query_count_stays_within_its_bound(client, db, hub, django_assert_max_num_queries):
    # Given the larger practice, after one visit (session bookkeeping is not the page's cost)
    world = build_world(hub.sizes[1])
    client.force_login(hub.viewer(world))
    url = hub.url(world)
    client.get(url)
    # Then a visit stays within the page's bound
    with django_assert_max_num_queries(hub.max_queries):
        assert client.get(url).status_code == 200


def test_the_larger_world_really_is_larger(db):
    # Guards the harness itself: a world that did not grow would hide every N+1.
    small, large = build_world(3), build_world(30)
    assert len(large.children) == 30 and len(small.children) == 3
    assert large.child.guardianships.count() == 31  # the parent and 30 others
    assert large.child.confidentiality_agreements.count() == 30
    assert large.parent.guardianships.exclude(access="none").count() == 30
