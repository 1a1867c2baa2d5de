"""The daily roll of the families' engagement signals (settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from practice.models import Practice

from .stored import signals_roll


@shared_task
def engagement_signals_roll(now_iso: str | None = None) -> int:
    """Score every family whose row is from an earlier day (or out of date) against today's
    8-week window, so the first caseload of the morning finds its rows current. The beat runs
    it every hour: after the practice's midnight the first run rolls the window, the others
    find (almost) nothing to do. Safe to run twice."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    return signals_roll(now, Practice.get().tz)
