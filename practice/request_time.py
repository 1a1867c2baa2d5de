"""The practice, `now` and `today` of one request, computed once so every part of a page
agrees: PracticeTimezoneMiddleware loads the practice (`request.practice`), `now` is taken on
first use and kept, and `today` is that moment's date in the practice's timezone. Services and
tasks that run outside a request keep asking Practice.get() and timezone.now().

Read once per request as well, and kept on the request: the practice's communication policy
(`request_communication_policy`) and the signed-in user's guardianships
(`request_guardianships`). While the middleware serves a request, `current_practice()` gives
the request's practice to code that is not handed the request (the access module's policy_for),
and the user's guardianships stand in for a lookup of one of them; a write to a guardianship
drops the memo, so a page never judges by a guardianship it has just changed."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from .models import CommunicationPolicy, Guardianship, Practice, User

# The request PracticeTimezoneMiddleware is serving in this thread (or task), if any.
_serving: ContextVar[HttpRequest | None] = ContextVar("practice_request", default=None)


@contextmanager
def serving(request: HttpRequest) -> Iterator[None]:
    """While a request is served: what current_practice() and the memos below answer from."""
    token = _serving.set(request)
    try:
        yield
    finally:
        _serving.reset(token)


def request_practice(request: HttpRequest) -> Practice:
    """The middleware's practice (loaded here when a request did not pass through it)."""
    practice = getattr(request, "practice", None)
    if practice is None:
        practice = request.practice = Practice.get()
    return practice


def current_practice() -> Practice:
    """The practice of the request being served, read once for it; outside a request (a task,
    a command, a test calling a service) Practice.get()."""
    request = _serving.get()
    return request_practice(request) if request is not None else Practice.get()


def request_now(request: HttpRequest) -> datetime.datetime:
    """This request's moment, the same for every read of the page."""
    now = getattr(request, "_request_now", None)
    if now is None:
        now = request._request_now = timezone.now()
    return now


def request_today(request: HttpRequest) -> datetime.date:
    """This request's date in the practice's timezone."""
    return timezone.localtime(request_now(request), request_practice(request).tz).date()


def request_communication_policy(request: HttpRequest) -> CommunicationPolicy:
    """The practice's communication policy, read once per request (communication_policy_for)."""
    communication = getattr(request, "_communication_policy", None)
    if communication is None:
        from .policy.services import communication_policy_for  # policy -> audit -> access

        communication = communication_policy_for(request_practice(request))
        request._communication_policy = communication
    return communication


def request_guardianships(request: HttpRequest) -> list[Guardianship]:
    """The signed-in user's guardianships (every access level: the caller judges), one query
    per request; none for anyone signed out."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    memo = getattr(request, "_guardianships", None)
    if memo is None or memo[0] != user.pk:
        memo = request._guardianships = (user.pk, list(Guardianship.objects.filter(guardian=user)))
    return memo[1]


def serving_guardianships(user: User) -> list[Guardianship] | None:
    """The memo of request_guardianships when `user` is the signed-in user of the request being
    served; None otherwise (another user, or no request), so the caller asks the database."""
    request = _serving.get()
    if request is None or getattr(request, "user", None) is None:
        return None
    if not request.user.is_authenticated or request.user.pk != user.pk:
        return None
    return request_guardianships(request)


@receiver(post_save, sender=Guardianship, dispatch_uid="request_time_guardianship_saved")
@receiver(post_delete, sender=Guardianship, dispatch_uid="request_time_guardianship_deleted")
def _forget_guardianships(sender, **kwargs) -> None:
    request = _serving.get()
    if request is not None and hasattr(request, "_guardianships"):
        del request._guardianships
