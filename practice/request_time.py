"""The practice, `now` and `today` of one request, computed once so every part of a page
agrees: PracticeTimezoneMiddleware loads the practice (`request.practice`), `now` is taken on
first use and kept, and `today` is that moment's date in the practice's timezone. Services and
tasks that run outside a request keep asking Practice.get() and timezone.now()."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone

from .models import Practice


def request_practice(request: HttpRequest) -> Practice:
    """The middleware's practice (loaded here when a request did not pass through it)."""
    practice = getattr(request, "practice", None)
    if practice is None:
        practice = request.practice = Practice.get()
    return practice


def request_now(request: HttpRequest) -> datetime.datetime:
    """This request's moment, the same for every read of the page."""
    now = getattr(request, "_request_now", None)
    if now is None:
        now = request._request_now = timezone.now()
    return now


def request_today(request: HttpRequest) -> datetime.date:
    """This request's date in the practice's timezone."""
    return timezone.localtime(request_now(request), request_practice(request).tz).date()
