"""seed_demo: idempotent, and it carries the cases a demo must show."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from engagement.management.commands import seed_demo
from practice.access import policy_for
from practice.models import Child, Guardianship, Practice, User

OWN_APPS = ("practice", "goals", "engagement")


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in OWN_APPS
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_run_twice_changes_no_row_counts(seeded):
    # Given the demo seeded once
    first = row_counts()
    # When it runs again
    call_command("seed_demo", stdout=io.StringIO())
    # Then every table of ours holds the same number of rows (audit events included)
    assert row_counts() == first
    assert first["practice.Child"] >= 12


def test_seed_demo_creates_the_staff_the_readme_lists(seeded):
    clinicians = User.objects.filter(role="clinician", is_demo=True)
    assert clinicians.count() == 3
    assert len({c.discipline for c in clinicians}) == 3
    assert clinicians.filter(is_practice_admin=True).count() == 1
    assert User.objects.filter(role="admin", is_demo=True).count() == 1
    for email, _ in seed_demo.DEMO_LOGINS:
        assert User.objects.get(email=email).check_password(seed_demo.DEMO_PASSWORD)
    assert Practice.get().name != "Our practice"


def test_seed_demo_has_a_separated_family_with_access_none_by_court_order(seeded):
    barred = Guardianship.objects.filter(access="none")
    assert barred.exists()
    for guardianship in barred:
        assert guardianship.court_order_reference
        assert guardianship.access_reason
        assert guardianship.court_order_date < guardianship.court_order_expires
        assert policy_for(guardianship.guardian, guardianship.child) is None
        # A separated family: another guardian of the same child has full access
        assert guardianship.child.guardianships.filter(access="full").exists()


def test_seed_demo_has_a_limited_guardian(seeded):
    limited = Guardianship.objects.get(access="limited")
    assert limited.access_reason
    child_policy = policy_for(limited.guardian, limited.child)
    assert child_policy.record and not child_policy.goals


@pytest.mark.parametrize(("level", "goals", "summaries"), [("progress", True, False)])
def test_seed_demo_has_an_adolescent_at_sharing_level_progress(seeded, level, goals, summaries):
    child = Child.objects.get(first_name="Sam", is_demo=True)
    today = Practice.get().today()
    assert child.age_on(today) >= 12
    parent = child.guardianships.get(access="full").guardian
    child_policy = policy_for(parent, child)
    assert (child_policy.sharing_level, child_policy.goals, child_policy.shared_summaries) == (
        level,
        goals,
        summaries,
    )


def test_seed_demo_has_an_adolescent_at_sharing_level_safety_only(seeded):
    child = Child.objects.get(first_name="Jordan", is_demo=True)
    assert child.age_on(Practice.get().today()) >= 12
    for guardianship in child.guardianships.all():
        child_policy = policy_for(guardianship.guardian, child)
        assert child_policy.sharing_level == "safety_only"
        assert not child_policy.goals and child_policy.safety_statements


def test_seed_demo_children_range_from_toddler_to_adolescent(seeded):
    today = Practice.get().today()
    ages = [child.age_on(today) for child in Child.objects.filter(is_demo=True)]
    assert min(ages) <= 3 and max(ages) >= 15
    for child in Child.objects.filter(is_demo=True):
        assert child.memberships.filter(is_primary=True).count() == 1


@pytest.mark.parametrize("today", [datetime.date(2028, 2, 29), datetime.date(2026, 3, 1)])
def test_demo_birthdays_work_on_any_day_including_a_leap_day(today):
    born = seed_demo._years_ago(today, 7, 30)
    assert born < today
    assert 7 <= (today - born).days // 365 <= 8
