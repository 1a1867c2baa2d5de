"""Cached HTML fragments, keyed so that no viewer is ever served what another may not see.

A fragment is a piece of a page that cannot change between two views without a write: a goal
board, a chart, the summaries. Its key carries

- what the fragment is: its name and the `versions` the caller passes (for one child's record,
  `child.record_version`; for a caseload, the versions of its children);
- who sees it and how: the viewer's user id, every field of the viewer's ChildPolicy (its
  rights, not only the role; "no policy" for a staff page about no one child), the active
  language and timezone, the practice's local date, and a hash of the request's CSRF secret
  (so a form inside a fragment keeps a token that the session accepts);
- the practice's `record_version`, bumped by every write that is not about one child (the
  practice's settings, a user's name).

`Child.record_version` is bumped in the same transaction by every save or delete of a row of
practice/, goals/ or engagement/ that is linked to the child through foreign keys (found once,
at start-up); a row about one user and no child (a guardian's email preferences) bumps that
user's children; other rows bump `Practice.record_version`. A model that never
changes what a page shows (the audit log, the outbox, derived rows that keep their own
version) says so with `bumps_record_version = False`. A queryset's update() or bulk_create()
sends no signal: the service that uses one calls `touch_children()` (or `touch_practice()`).

Only GET and HEAD requests read or fill the cache: a posted form re-rendered with its errors
may show instances its form changed in memory, in a transaction that may yet roll back.

A version is the time of the write in nanoseconds (never less than the last one plus one),
not a counter: a stale instance saved over a newer version cannot bring back a number an
earlier state of the record was cached under.

The backend is Django's default cache: Redis when REDIS_URL is set, local memory otherwise.
Clinical HTML is never cached in the database or in files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.cache import cache
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from .request_time import request_practice, request_today

TRACKED_APPS = ("practice", "goals", "engagement")
TIMEOUT = 60 * 60  # an hour: keys change on every write, so old entries only age out
_PATHS: dict[type[models.Model], list[models.Field] | None] = {}


def _version_now():
    """The next version: now in nanoseconds, and never less than the row's own plus one."""
    return Greatest(F("record_version") + 1, Value(time.time_ns()))


def touch_children(child_ids: Iterable[int | None]) -> None:
    """The children's cached fragments are out of date: bump their record_version."""
    from .models import Child

    ids = {pk for pk in child_ids if pk is not None}
    if ids:
        Child.objects.filter(pk__in=ids).update(record_version=_version_now())


def touch_practice() -> None:
    """Every cached fragment is out of date (a practice setting, a user's name changed)."""
    from .models import Practice

    Practice.objects.update(record_version=_version_now())


def policy_fingerprint(child_policy) -> str:
    if child_policy is None:
        return "no policy"
    return repr(dataclasses.astuple(child_policy))


def fragment_key(request: HttpRequest, name: str, *, child_policy, versions: Iterable = ()) -> str:
    user = request.user
    csrf = request.META.get("CSRF_COOKIE", "")
    parts = (
        name,
        user.pk if user.is_authenticated else None,
        policy_fingerprint(child_policy),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        request_today(request).isoformat(),
        request_practice(request).record_version,
        hashlib.sha256(csrf.encode()).hexdigest() if csrf else "",
        tuple(versions),
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"fragment:{name}:{digest}"


def cached_html(
    request: HttpRequest,
    name: str,
    render: Callable[[], str],
    *,
    child_policy,
    versions: Iterable = (),
) -> SafeString:
    """The fragment from the cache, or `render()` stored under the key. `child_policy` is
    required (None for a page about no one child): a fragment is never keyed on less."""
    if request.method not in ("GET", "HEAD"):
        # A form posted back may have changed instances in memory (a ModelForm writes its
        # cleaned data onto its instance) and its transaction may yet roll back: what such
        # a request renders is never stored.
        return mark_safe(str(render()))  # noqa: S308
    key = fragment_key(request, name, child_policy=child_policy, versions=versions)
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 (rendered by our own templates, escaped there)


# Which child a row belongs to -------------------------------------------------------------


def _path_to_child(model: type[models.Model], depth: int = 3) -> list[models.Field] | None:
    """The foreign keys from `model` to Child, shortest first ("child" preferred)."""
    from .models import Child

    if model is Child:
        return []
    frontier = [(model, [])]
    for _ in range(depth):
        found, following = None, []
        for current, path in frontier:
            fields = [
                f
                for f in current._meta.concrete_fields
                if f.is_relation and (f.many_to_one or f.one_to_one)
            ]
            fields.sort(key=lambda f: f.name != "child")
            for field in fields:
                if field.related_model is Child and field.name != "created_by":
                    found = found or path + [field]
                elif field.related_model is not None and (
                    field.related_model._meta.app_label in TRACKED_APPS
                ):
                    following.append((field.related_model, path + [field]))
        if found:
            return found
        frontier = following
    return None


def child_of(instance: models.Model) -> int | None:
    model = type(instance)
    if model not in _PATHS:
        _PATHS[model] = _path_to_child(model)
    path = _PATHS[model]
    if path is None:
        return None
    if not path:
        return instance.pk
    first = getattr(instance, path[0].attname)
    if first is None or len(path) == 1:
        return first
    lookup = "__".join(field.name for field in path[1:])
    return (
        path[0]
        .related_model._default_manager.filter(pk=first)
        .values_list(lookup, flat=True)
        .first()
    )


def _user_of(instance: models.Model) -> int | None:
    """A row about one user and no child (their profile, their email preferences): the
    user it belongs to (its one foreign key to User other than `created_by`)."""
    from .models import User

    fields = [
        f
        for f in type(instance)._meta.concrete_fields
        if f.is_relation and f.related_model is User and not f.name.endswith("_by")
    ]
    return getattr(instance, fields[0].attname) if len(fields) == 1 else None


def _children_of_user(user_id: int) -> list[int]:
    from .models import CareTeamMembership, Guardianship

    return list(
        Guardianship.objects.filter(guardian_id=user_id).values_list("child_id", flat=True)
    ) + list(
        CareTeamMembership.objects.filter(clinician_id=user_id).values_list("child_id", flat=True)
    )


def _tracked(model) -> bool:
    meta = model._meta
    return (
        meta.app_label in TRACKED_APPS
        and not meta.auto_created
        and getattr(model, "bumps_record_version", True)
    )


def _touch_for(instance) -> None:
    from .models import Practice, User

    if isinstance(instance, Practice):
        touch_practice()
        return
    child_id = child_of(instance)
    if child_id is not None:
        touch_children([child_id])
    elif isinstance(instance, User):
        touch_practice()
    elif _PATHS.get(type(instance)) is None:
        user_id = _user_of(instance)
        if user_id is None:
            touch_practice()
        else:  # a guardian's own row (their email preferences, "About you"): their children
            touch_children(_children_of_user(user_id))


def _saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _tracked(sender):
        return
    if update_fields is not None and set(update_fields) <= {"last_login", "record_version"}:
        return  # signing in changes no page's content
    _touch_for(instance)


def _deleting(sender, instance, **kwargs):
    # Before the delete, while the row's parents can still be looked up.
    if _tracked(sender):
        instance._record_child = child_of(instance)


def _deleted(sender, instance, **kwargs):
    if not _tracked(sender):
        return
    child_id = getattr(instance, "_record_child", None)
    if child_id is not None:
        touch_children([child_id])
    else:
        touch_practice()


def _m2m(sender, instance, action, **kwargs):
    if action.startswith("post_") and _tracked(type(instance)):
        _touch_for(instance)


def connect() -> None:
    """Called once from PracticeConfig.ready()."""
    for model in apps.get_models():
        if _tracked(model):
            post_save.connect(_saved, sender=model, dispatch_uid=f"fragments-save-{model}")
            pre_delete.connect(_deleting, sender=model, dispatch_uid=f"fragments-pre-{model}")
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"fragments-del-{model}")
    m2m_changed.connect(_m2m, dispatch_uid="fragments-m2m")
