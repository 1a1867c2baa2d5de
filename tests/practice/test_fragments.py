"""The fragment cache (practice/fragments.py): what its keys carry, and the versions every
write bumps."""

import dataclasses

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from practice import fragments
from practice.access import policy_for
from practice.models import Child, Guardianship, Practice, User
from tests.factories import (
    AuditEventFactory,
    CareTeamMembershipFactory,
    ChildFactory,
    ClinicianFactory,
    GoalFactory,
    GoalRatingFactory,
    GuardianshipFactory,
    MessageFactory,
    MessageThreadFactory,
    OutgoingEmailFactory,
    ParentFactory,
    SessionLogFactory,
)

pytestmark = pytest.mark.django_db


def _request(user, csrf="secret-one"):
    request = RequestFactory().get("/")
    request.user = user
    request.practice = Practice.get()
    if csrf:
        request.META["CSRF_COOKIE"] = csrf
    return request


class Counter:
    """A render that says how often it ran and for whom."""

    def __init__(self):
        self.calls = 0

    def __call__(self, text="html"):
        self.calls += 1
        return f"{text} {self.calls}"


def _version(child):
    return Child.objects.values_list("record_version", flat=True).get(pk=child.pk)


def _practice_version():
    return Practice.objects.values_list("record_version", flat=True).get()


@pytest.fixture
def family():
    Practice.get()
    child = ChildFactory()
    clinician = ClinicianFactory()
    CareTeamMembershipFactory(child=child, clinician=clinician, is_primary=True)
    parent = ParentFactory()
    GuardianshipFactory(child=child, guardian=parent, access=Guardianship.Access.FULL)
    return child, clinician, parent


def test_a_second_view_is_served_from_the_cache(family):
    child, clinician, _ = family
    policy = policy_for(clinician, child)
    render = Counter()
    first = fragments.cached_html(
        _request(clinician), "board", render, child_policy=policy, versions=[1]
    )
    second = fragments.cached_html(
        _request(clinician), "board", render, child_policy=policy, versions=[1]
    )
    assert first == second == "html 1"
    assert render.calls == 1


def test_a_clinicians_fragment_is_never_served_to_a_parent(family):
    child, clinician, parent = family
    template = Template(
        '{% load fragments %}{% fragment "board" for=policy version %}{{ who }}{% endfragment %}'
    )

    def render(user, who):
        context = Context(
            {
                "request": _request(user),
                "policy": policy_for(user, child),
                "version": 7,
                "who": who,
            }
        )
        return template.render(context)

    assert render(clinician, "private note for staff") == "private note for staff"
    assert render(parent, "what the family may read") == "what the family may read"
    assert render(clinician, "changed") == "private note for staff"  # its own, cached


def test_the_key_carries_every_right_of_the_policy_and_the_viewer(family):
    child, clinician, parent = family
    co_parent = ParentFactory()
    GuardianshipFactory(child=child, guardian=co_parent, access=Guardianship.Access.FULL)
    policy = policy_for(parent, child)
    key = fragments.fragment_key(_request(parent), "board", child_policy=policy)
    others = {
        "another guardian, same rights": fragments.fragment_key(
            _request(co_parent), "board", child_policy=policy_for(co_parent, child)
        ),
        "another session": fragments.fragment_key(
            _request(parent, csrf="secret-two"), "board", child_policy=policy
        ),
        "another version": fragments.fragment_key(
            _request(parent), "board", child_policy=policy, versions=[2]
        ),
        "no policy": fragments.fragment_key(_request(parent), "board", child_policy=None),
    }
    for field in dataclasses.fields(policy):
        value = getattr(policy, field.name)
        if isinstance(value, bool):
            changed = dataclasses.replace(policy, **{field.name: not value})
            others[field.name] = fragments.fragment_key(
                _request(parent), "board", child_policy=changed
            )
    assert key not in others.values()
    assert len(set(others.values())) == len(others)


def test_the_key_carries_the_language_the_timezone_and_the_practice_version(family):
    child, clinician, _ = family
    policy = policy_for(clinician, child)
    request = _request(clinician)
    key = fragments.fragment_key(request, "board", child_policy=policy)
    with translation.override("pl"):
        assert fragments.fragment_key(request, "board", child_policy=policy) != key
    with timezone.override("America/New_York"):
        assert fragments.fragment_key(request, "board", child_policy=policy) != key
    fragments.touch_practice()
    assert fragments.fragment_key(_request(clinician), "board", child_policy=policy) != key


def test_a_write_about_the_child_bumps_its_version_in_the_same_transaction(family):
    child, clinician, parent = family
    seen = [_version(child)]

    def bumped():
        seen.append(_version(child))
        return seen[-1] > seen[-2]

    goal = GoalFactory(child=child)
    assert bumped()  # a direct foreign key
    GoalRatingFactory(goal=goal)
    assert bumped()  # through the goal
    thread = MessageThreadFactory(child=child, guardian=parent)
    assert bumped()
    MessageFactory(thread=thread)
    assert bumped()  # through the thread
    session = SessionLogFactory(child=child, clinician=clinician)
    assert bumped()
    session.guardians_attended.add(parent)
    assert bumped()  # a many-to-many
    goal.delete()
    assert bumped()
    Child.objects.get(pk=child.pk).save()
    assert bumped()  # the child itself


def test_a_stale_child_saved_over_a_newer_version_never_goes_back(family):
    child, _, _ = family
    stale = Child.objects.get(pk=child.pk)
    GoalFactory(child=child)
    newer = _version(child)
    stale.first_name = "Renamed"
    stale.save()  # writes its old record_version, then the signal bumps past it
    assert _version(child) > newer


def test_a_posted_form_re_rendered_is_never_cached(family):
    child, clinician, _ = family
    policy = policy_for(clinician, child)
    render = Counter()
    posted = RequestFactory().post("/")
    posted.user, posted.practice = clinician, Practice.get()
    posted.META["CSRF_COOKIE"] = "secret-one"
    fragments.cached_html(posted, "board", render, child_policy=policy)
    assert fragments.cached_html(_request(clinician), "board", render, child_policy=policy) == (
        "html 2"
    )


def test_the_audit_log_and_the_outbox_bump_nothing(family):
    child, clinician, _ = family
    before, practice_before = _version(child), _practice_version()
    AuditEventFactory(child=child, actor=clinician)
    OutgoingEmailFactory()
    assert (_version(child), _practice_version()) == (before, practice_before)


def test_a_write_about_no_child_bumps_the_practice(family):
    _, clinician, _ = family
    before = _practice_version()
    clinician.last_login = timezone.now()
    clinician.save(update_fields=["last_login"])
    assert _practice_version() == before  # signing in changes no page
    User.objects.get(pk=clinician.pk).save()
    assert _practice_version() > before
    between = _practice_version()
    practice = Practice.get()
    practice.contact_phone = "020 7946 0000"
    practice.save()
    assert _practice_version() > between


def test_a_guardians_own_row_bumps_their_children_not_the_practice(family):
    from tests.factories import UpdatePreferenceFactory

    child, _, parent = family
    other = ChildFactory()
    before = _version(child), _version(other), _practice_version()
    UpdatePreferenceFactory(parent=parent)
    assert _version(child) > before[0]
    assert (_version(other), _practice_version()) == before[1:]


def test_touch_children_bumps_each_child_named(family):
    child, _, _ = family
    other = ChildFactory()
    versions = _version(child), _version(other)
    fragments.touch_children([child.pk, None])
    assert _version(child) > versions[0]
    assert _version(other) == versions[1]


def test_a_fragment_outside_a_request_is_rendered_not_cached():
    template = Template('{% load fragments %}{% fragment "x" for=None %}{{ n }}{% endfragment %}')
    assert template.render(Context({"n": 1})) == "1"
    assert template.render(Context({"n": 2})) == "2"


def test_the_tag_refuses_a_fragment_without_for():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template('{% load fragments %}{% fragment "x" 1 %}{% endfragment %}')


@pytest.mark.parametrize(
    ("environment", "backend"),
    [
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "RedisCache"),
        ({"REDIS_URL": "", "CACHE_URL": ""}, "LocMemCache"),
    ],
)
def test_redis_is_the_cache_when_redis_url_is_set(environment, backend):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        ],
        cwd=root,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "practice.settings",
            "SECRET_KEY": "test-only",
            "PYTHONPATH": str(root),
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(backend)
