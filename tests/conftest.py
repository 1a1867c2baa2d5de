"""The standard cast of every test module, and switches for tests that need real services."""

import datetime
import os
from dataclasses import dataclass

import pytest

from practice.models import Child, CommunicationPolicy, Guardianship, Practice, User
from tests.factories import (
    AdminFactory,
    AgreementFactory,
    ChildFactory,
    ClinicianFactory,
    GuardianshipFactory,
    ParentFactory,
    SessionLogFactory,
)

# .ci/run sets this: there, a test that would be skipped for a missing service fails instead.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need(condition: bool, why: str) -> None:
    """Skip (or, under .ci/run, fail) a test whose service or tool is missing."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {why}")
    pytest.skip(why)


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = False
    settings.SITE_URL = "http://testserver"
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _empty_cache():
    """No cached fragment outlives its test (ids and versions repeat from test to test)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_in_place(request):
    """A queued task runs at once in the test's own process (after the commit, as in real
    life: wrap the request in django_capture_on_commit_callbacks(execute=True) in a test that
    is not transactional). Tests marked `services` use the real broker and worker instead."""
    from practice.celery import app

    if request.node.get_closest_marker("services"):
        yield
        return
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


@pytest.fixture
def requests_commit(client, django_capture_on_commit_callbacks, monkeypatch):
    """Each test-client request ends as if committed: what it queued after the commit (the
    outbox's deliveries) runs before the response is read, as it would outside a test."""
    request = client.request

    def committing(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request(**kwargs)

    monkeypatch.setattr(client, "request", committing)
    return client


@dataclass
class Cast:
    practice: Practice
    child: Child
    clinician: User  # on the care team
    outsider: User  # a clinician outside the care team
    parent: User  # full access
    barred: User  # access none (court order)
    other_parent: User  # another family
    other_child: Child
    admin: User
    guardianship: Guardianship


@pytest.fixture
def cast(db) -> Cast:
    practice = Practice.get()
    clinician = ClinicianFactory(full_name="Alice Carter", email="alice@test.example")
    outsider = ClinicianFactory(full_name="Bob Stone", email="bob@test.example")
    child = ChildFactory(first_name="Mia", last_name="Rowe", clinician=clinician)
    parent = ParentFactory(full_name="Pat Rowe", email="pat@test.example")
    barred = ParentFactory(full_name="Nick Rowe", email="nick@test.example")
    guardianship = GuardianshipFactory(child=child, guardian=parent)
    GuardianshipFactory(
        child=child,
        guardian=barred,
        relationship="father",
        access="none",
        access_reason="Court order",
        court_order_reference="FD1",
    )
    other_child = ChildFactory(first_name="Zed", last_name="Other", clinician=outsider)
    other_parent = ParentFactory(full_name="Olga Other", email="olga@test.example")
    GuardianshipFactory(child=other_child, guardian=other_parent)
    AgreementFactory(child=child, sharing_level="full")
    admin = AdminFactory(full_name="Adam Office", email="adam@test.example")
    return Cast(
        practice,
        child,
        clinician,
        outsider,
        parent,
        barred,
        other_parent,
        other_child,
        admin,
        guardianship,
    )


@pytest.fixture
def always_allowed(db) -> CommunicationPolicy:
    """No quiet hours and no quiet weekends: an email may go at whatever hour the test runs
    (the outbox checks the time once more before sending; see practice/outbox/holds.py)."""
    communication, _created = CommunicationPolicy.objects.get_or_create(practice=Practice.get())
    communication.quiet_hours_start = communication.quiet_hours_end = datetime.time(0, 0)
    communication.quiet_on_weekends = False
    communication.save()
    return communication


@pytest.fixture
def today(db) -> datetime.date:
    """The practice's today, in its timezone."""
    return Practice.get().today()


@pytest.fixture
def set_access(cast):
    """Puts Mia under a new agreement at `level` and Pat's guardianship at `access`:
    `set_access("progress", "limited")`."""

    def put(level, access, *, version=100_000, reason="Court order"):
        AgreementFactory(
            child=cast.child,
            sharing_level=level,
            version=version,
            effective_date=datetime.date(2025, 1, 1),
        )
        cast.guardianship.access = access
        cast.guardianship.access_reason = "" if access == "full" else reason
        cast.guardianship.save()

    return put


@pytest.fixture
def past_session(cast):
    """Makes a session of Mia's (or `child`'s) with Alice `days_ago` days ago, nothing logged:
    `past_session(days_ago=3, status="no_show")`."""

    def make(days_ago=1, *, child=None, **fields):
        return SessionLogFactory(
            child=child or cast.child, clinician=cast.clinician, days_ago=days_ago, **fields
        )

    return make


@pytest.fixture
def co_parent(cast) -> User:
    """Chris Rowe, Mia's father: a second guardian with full access."""
    father = ParentFactory(full_name="Chris Rowe")
    GuardianshipFactory(child=cast.child, guardian=father, relationship="father")
    return father
