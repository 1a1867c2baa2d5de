"""Does a page's query count grow with the data? Load it at two sizes and compare.

A page is one line in PAGES (test_queries.py runs them all):

    Page("caseload", viewer=clinician, url=lambda world: reverse("caseload"), max_queries=20),

`World` is a practice of a given size built by `build_world`; a later issue that needs more
rows (goals, sessions, messages ...) adds them to `build_world`, so every page is measured
against them too.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practice import services
from practice.models import Child, Guardianship, User
from tests.factories import (
    AdminFactory,
    AgreementFactory,
    CareTeamMembershipFactory,
    ChildFactory,
    ClinicianFactory,
    GuardianshipFactory,
    MessageFactory,
    MessageThreadFactory,
    ParentFactory,
)


@dataclass
class World:
    """A practice of `size`: a clinician with `size` children, a parent of all of them, `size`
    colleagues, and on the first child `size` guardians besides the parent and `size` agreement
    versions."""

    size: int
    clinician: User
    parent: User
    admin: User
    children: list[Child] = field(default_factory=list)

    @property
    def child(self) -> Child:
        return self.children[0]


def build_world(size: int) -> World:
    clinician = ClinicianFactory(is_practice_admin=False)
    admin = AdminFactory()
    parent = ParentFactory()
    world = World(size, clinician, parent, admin)
    colleagues = [ClinicianFactory(password="!") for _ in range(size)]
    for index, colleague in enumerate(colleagues):
        # Half the colleagues are still invited, so the staff list shows both states.
        if index % 2:
            services.invitation_send(user=colleague, invited_by=admin)
    for index in range(size):
        child = ChildFactory(clinician=clinician, date_of_birth=_born(index))
        CareTeamMembershipFactory(child=child, clinician=colleagues[index])
        if index % 5 != 4:  # and some follow the practice's default for their age
            AgreementFactory(child=child, version=1, sharing_level=["full", "progress"][index % 2])
        access = "limited" if index % 3 == 2 else "full"
        reason = "Agreed with the family" if access != "full" else ""
        GuardianshipFactory(child=child, guardian=parent, access=access, access_reason=reason)
        _other_guardian(child, barred=index % 4 == 3, invited_by=admin)
        world.children.append(child)
    for version in range(2, size + 1):
        AgreementFactory(child=world.child, version=version, sharing_level="full")
    for _ in range(size - 1):
        _other_guardian(world.child, barred=False, invited_by=admin)
    # A child the parent may not see: it must cost nothing on their pages.
    barred_child = ChildFactory(clinician=clinician)
    GuardianshipFactory(
        child=barred_child, guardian=parent, access="none", access_reason="Court order"
    )
    _message_threads(world)
    return world


def _message_threads(world: World) -> None:
    """A thread of the parent's per child, and on the first child `size` messages each way."""
    for index, child in enumerate(world.children):
        thread = MessageThreadFactory(child=child, guardian=world.parent, subject="Hi")
        for _ in range(world.size if index == 0 else 1):
            MessageFactory(thread=thread, author=world.parent, from_family=True, body="Q")
            MessageFactory(thread=thread, author=world.clinician, from_family=False, body="A")


def _born(index: int) -> datetime.date:
    return datetime.date(2012 + index % 12, 1 + index % 12, 1 + index % 28)


def _other_guardian(child: Child, *, barred: bool, invited_by: User) -> Guardianship:
    guardian = ParentFactory(password="!")
    services.invitation_send(user=guardian, invited_by=invited_by)
    return GuardianshipFactory(
        child=child,
        guardian=guardian,
        relationship="father",
        access="none" if barred else "full",
        access_reason="Court order" if barred else "",
        court_order_expires=datetime.date(2020, 1, 1) if barred else None,
    )


@dataclass(frozen=True)
class Page:
    name: str
    viewer: Callable[[World], User]
    url: Callable[[World], str]
    max_queries: int
    sizes: tuple[int, int] = (3, 30)

    def __str__(self) -> str:
        return self.name


def clinician(world: World) -> User:
    return world.clinician


def parent(world: World) -> User:
    return world.parent


def admin(world: World) -> User:
    return world.admin


def count_queries(client, user: User, url: str) -> tuple[int, list[str]]:
    """Queries of one GET, after a first GET so one-off session work is not counted, with
    no cached fragment (practice/fragments.py): the page's whole work, which must not grow."""
    client.force_login(user)
    assert client.get(url).status_code == 200, url
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), [q["sql"] for q in captured.captured_queries]


def measure(client, page: Page) -> dict[int, tuple[int, list[str]]]:
    counts = {}
    for size in page.sizes:
        world = build_world(size)
        counts[size] = count_queries(client, page.viewer(world), page.url(world))
    return counts


def _shapes(queries: list[str]) -> Counter:
    """Queries with their literals blanked, so the same query for another row counts as one."""
    blanked = (re.sub(r"'[^']*'|\b\d+\b", "?", sql) for sql in queries)
    return Counter(re.sub(r"IN \((?:\?, )*\?\)", "IN (...)", sql) for sql in blanked)


def assert_queries_do_not_grow(client, page: Page) -> int:
    """Fails when the page needs more queries for more data (an N+1), or more than its bound."""
    small, large = page.sizes
    counts = measure(client, page)
    (few, few_sql), (many, many_sql) = counts[small], counts[large]
    if many > few:
        grown = _shapes(many_sql) - _shapes(few_sql)
        extra = "\n".join(f"{times} more x {shape[:300]}" for shape, times in grown.items())
        raise AssertionError(
            f"{page}: {few} queries at size {small} but {many} at size {large}:\n{extra}"
        )
    assert many <= page.max_queries, f"{page}: {many} queries, bound {page.max_queries}"
    return many
