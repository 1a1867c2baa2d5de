"""seed_scale (the benchmark's practice) at a tiny size, and the benchmark's bare view."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from engagement.management.commands.seed_scale import (
    BENCH_CLINICIAN,
    BENCH_LONG_CLINICIAN,
    BENCH_PARENT,
    PASSWORD,
)
from engagement.models import ParentProfile
from engagement.visits.models import SessionLog
from goals.models import Goal, GoalRating, Milestone, Perspective
from practice.models import CareTeamMembership, Child, Guardianship, User

SIZES = {"clinicians": 3, "children": 20, "guardians": 30, "caseload": 8, "goals": 50}
SIZES["sessions"] = 200


def seed(**extra) -> str:
    out = StringIO()
    call_command("seed_scale", **{**SIZES, **extra}, stdout=out)
    return out.getvalue()


def test_seed_scale_makes_the_sizes_asked_for(db):
    output = seed()
    scale = User.objects.filter(email__endswith="@scale.example")
    assert scale.filter(role=User.Role.CLINICIAN).count() == 3
    assert scale.filter(role=User.Role.PARENT).count() == 30
    assert Child.objects.filter(is_demo=True).count() == 20
    assert ParentProfile.objects.count() == 30
    assert all(user.is_demo for user in scale)
    # One primary clinician each; every guardian has at least one child.
    assert CareTeamMembership.objects.filter(is_primary=True).count() == 20
    assert not scale.filter(role=User.Role.PARENT, guardianships__isnull=True).exists()
    # Restricted access always says why.
    restricted = Guardianship.objects.exclude(access=Guardianship.Access.FULL)
    assert not restricted.filter(access_reason="").exists()
    # Goals follow goals' rules: only agreed goals are rated; parents never rate a private one.
    assert Goal.objects.count() == 50
    assert not GoalRating.objects.filter(goal__status=Goal.Status.PROPOSED).exists()
    parents = GoalRating.objects.filter(perspective=Perspective.PARENT)
    assert not parents.filter(goal__private_to_child=True).exists()
    assert Milestone.objects.exists()
    # Sessions: ten a child, in weekly series; the past ones logged and signed, mostly.
    assert SessionLog.objects.count() == 200
    assert SessionLog.objects.filter(signed_at__isnull=False).exists()
    assert SessionLog.objects.upcoming(timezone.now()).exists()
    unsigned_past = SessionLog.objects.filter(
        signed_at__isnull=True, scheduled_start__lt=timezone.now() - datetime.timedelta(days=14)
    )
    assert not unsigned_past.exists()
    assert PASSWORD in output


def test_the_bench_logins_exist_and_see_their_pages(db, client):
    seed()
    clinician = User.objects.get(email=BENCH_CLINICIAN)
    parent = User.objects.get(email=BENCH_PARENT)
    assert clinician.check_password(PASSWORD) and parent.check_password(PASSWORD)
    assert clinician.memberships.filter(is_primary=True).count() == 8
    assert clinician.memberships.count() == 8
    guardianships = parent.guardianships.all()
    assert len(guardianships) == 3
    assert {g.access for g in guardianships} == {Guardianship.Access.FULL}

    client.force_login(clinician)
    response = client.get("/caseload/")
    assert response.status_code == 200
    shown = len(response.context["rows"]) + len(response.context["discharged"])
    assert shown == 8
    client.force_login(parent)
    response = client.get("/portal/")
    assert response.status_code == 200
    assert len(response.context["children"]) == 3


def test_a_second_clinician_has_the_long_caseload_and_the_bench_caseload_stays(db, client):
    # Given a practice seeded with a long caseload beside the bench clinician's
    output = seed(long_caseload=6)
    # Then that clinician (one of the clinicians asked for, not one more) has exactly those
    # children, all as primary, none of the bench clinician's or the bench parent's
    long = User.objects.get(email=BENCH_LONG_CLINICIAN)
    assert User.objects.filter(role=User.Role.CLINICIAN).count() == 3
    assert long.memberships.count() == 6
    assert long.memberships.filter(is_primary=True).count() == 6
    assert not long.is_practice_admin
    bench = User.objects.get(email=BENCH_CLINICIAN)
    assert bench.memberships.count() == 8
    bench_children = set(bench.memberships.values_list("child_id", flat=True))
    long_children = set(long.memberships.values_list("child_id", flat=True))
    parent_children = set(
        User.objects.get(email=BENCH_PARENT).guardianships.values_list("child_id", flat=True)
    )
    assert not long_children & (bench_children | parent_children)
    assert BENCH_LONG_CLINICIAN in output
    assert long.check_password(PASSWORD)
    client.force_login(long)
    assert client.get("/caseload/").status_code == 200


def test_the_long_caseload_is_left_out_when_the_children_are_too_few(db):
    seed(long_caseload=180)
    assert not User.objects.filter(email=BENCH_LONG_CLINICIAN).exists()
    assert User.objects.filter(role=User.Role.CLINICIAN).count() == 3


def test_seed_scale_refuses_to_run_twice_unless_reset(db):
    seed(sessions=0)
    with pytest.raises(CommandError, match="already"):
        seed(sessions=0)
    output = seed(sessions=0, reset=True)
    assert "Deleted the previous scale practice (20 children" in output
    assert Child.objects.filter(is_demo=True).count() == 20
    assert User.objects.filter(email__endswith="@scale.example", role="parent").count() == 30


def test_signed_session_logs_are_never_deleted_by_a_reset(db):
    seed()
    with pytest.raises(CommandError, match="cannot be reset"):
        seed(reset=True)
    assert SessionLog.objects.count() == 200


def test_the_bare_view_exists_only_for_the_benchmark(client, settings, cast):
    client.force_login(cast.clinician)
    assert client.get("/bench/bare/").status_code == 404
    settings.ROOT_URLCONF = "practice.bench_urls"  # what BENCH_BARE_VIEW selects
    response = client.get("/bench/bare/")
    assert response.status_code == 200
    assert b"ok Alice" in response.content
