"""Reads of the audit log for practice admins: filtered, newest first, a page at a time."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db.models import QuerySet

from ..models import AuditEvent, Child, User


def audit_events(
    *,
    child: Child | None = None,
    actor: User | None = None,
    action: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    tz: zoneinfo.ZoneInfo,
) -> QuerySet[AuditEvent]:
    """Events matching the filters; dates are whole days in the practice's timezone."""
    events = AuditEvent.objects.select_related("actor", "child")
    if child is not None:
        events = events.filter(child=child)
    if actor is not None:
        events = events.filter(actor=actor)
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(at__gte=_start_of(date_from, tz))
    if date_to:
        events = events.filter(at__lt=_start_of(date_to + datetime.timedelta(days=1), tz))
    return events.order_by("-at")


def _start_of(day: datetime.date, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tz)


def audit_actions() -> list[str]:
    """Every action recorded so far, for the filter (one query on the indexed column)."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
