"""Session reminders through the outbox: a reminder goes about a day before each upcoming
session (moved earlier out of quiet hours), written by the beat's tick a little before it is
due. New-message notices are messaging's (engagement/messaging/notices.py); the safety notice
is practice-level: practice/safety/notices.py.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from practice.models import OutgoingEmail, Practice, User
from practice.policy.services import communication_policy_for
from practice.timing import (
    ContactRules,
    NeverAllowed,
    instant_at,
    latest_allowed,
    next_allowed,
    wall_time,
)

from ..updates.schedule import rules_for_users
from ..visits.models import SessionLog
from . import selectors

# A reminder goes at the same local time the day before (so across a DST change too), or at
# the latest allowed minute before that.
REMINDER_DAYS_AHEAD = 1
# How far ahead a tick looks: quiet hours and a quiet weekend can move a reminder two and a
# half days earlier than 24 hours (a Monday 07:00 session: Friday evening).
REMINDER_LOOKAHEAD = datetime.timedelta(days=4)
# A tick writes the reminders due before the next tick (every 15 minutes), with a margin, so
# each row is rendered close to when it goes and reflects the session as it is then.
REMINDER_HORIZON = datetime.timedelta(minutes=30)
KEY_BATCH = 500


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


# Session reminders -----------------------------------------------------------------------


def reminder_key(session_id: int, guardian_id: int) -> str:
    return f"reminder:{session_id}:{guardian_id}"


def reminder_time(
    rules: ContactRules, start: datetime.datetime, now: datetime.datetime, tz: ZoneInfo
) -> datetime.datetime | None:
    """When a session's reminder goes, or None when no allowed time is left before it.

    The latest allowed minute at or before the same local time the day before ("moved
    earlier out of quiet hours"); once that has passed (a late booking), the next allowed
    minute from now, as long as it is before the session starts."""
    target = instant_at(wall_time(start, tz) - datetime.timedelta(days=REMINDER_DAYS_AHEAD), tz)
    try:
        at = latest_allowed(rules, target, tz)
        if at < now:
            at = next_allowed(rules, now, tz)
    except NeverAllowed:
        return None
    return at if at < start else None


def _reminder_context(session: SessionLog, guardian: User, practice: Practice) -> dict:
    child = session.child
    return {
        "practice": practice,
        "site_url": settings.SITE_URL,
        "recipient": guardian,
        "child_name": child.preferred_name or child.first_name,
        "start": session.scheduled_start,
        "clinician_name": session.clinician.full_name,
        "modality": session.get_modality_display(),
        "location": session.location,
        "cancel_url": _url("portal_session_cancel", child.pk, session.pk),
        "reschedule_url": _url("portal_reschedule_ask", child.pk, session.pk),
    }


def _render(name: str, context: dict) -> tuple[str, str, str]:
    # The outbox's helper looks the practice up per email; a tick renders many with one.
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def _due_reminders(
    sessions, practice, rules, now
) -> list[tuple[SessionLog, User, datetime.datetime]]:
    """(session, guardian, when) for every reminder whose time comes before the next tick."""
    due = []
    today = now.astimezone(practice.tz).date()
    for session in sessions:
        for guardian in selectors.guardians_to_remind(session, practice, today):
            at = reminder_time(rules[guardian.pk], session.scheduled_start, now, practice.tz)
            if at is not None and at <= now + REMINDER_HORIZON:
                due.append((session, guardian, at))
    return due


def _existing_keys(keys: list[str]) -> set[str]:
    found = set()
    for i in range(0, len(keys), KEY_BATCH):
        batch = keys[i : i + KEY_BATCH]
        found.update(OutgoingEmail.objects.filter(key__in=batch).values_list("key", flat=True))
    return found


def _reminder_row(session, guardian, at, practice, now) -> OutgoingEmail:
    subject, text, html = _render(
        "session-reminder", _reminder_context(session, guardian, practice)
    )
    return OutgoingEmail(
        key=reminder_key(session.pk, guardian.pk),
        kind=OutgoingEmail.Kind.SESSION_REMINDER,
        recipient=guardian.email,
        user=guardian,
        subject=subject[:255],
        body_text=text,
        body_html=html,
        send_after=at,
        created_at=now,
    )


@transaction.atomic
def session_reminders_queue(
    *, now: datetime.datetime | None = None, practice: Practice | None = None
) -> list[int]:
    """Write the reminders due before the next tick, one per session and guardian who may see
    it; returns the ids of those due now. A second tick finds every key and adds nothing."""
    now = now or timezone.now()
    practice = practice or Practice.get()
    communication = communication_policy_for(practice)
    sessions = selectors.sessions_for_reminders(
        start_after=now, start_before=now + REMINDER_LOOKAHEAD
    )
    guardian_ids = {g.guardian_id for s in sessions for g in s.child.viewer_guardianships}
    rules = rules_for_users(guardian_ids, communication)
    due = _due_reminders(sessions, practice, rules, now)
    existing = _existing_keys([reminder_key(s.pk, g.pk) for s, g, _at in due])
    with timezone.override(practice.tz):
        rows = [
            _reminder_row(session, guardian, at, practice, now)
            for session, guardian, at in due
            if reminder_key(session.pk, guardian.pk) not in existing
        ]
    if not rows:
        return []
    # Another tick may have written some of these meanwhile: the unique key keeps one each.
    OutgoingEmail.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    due_keys = [row.key for row in rows if row.send_after <= now]
    return list(
        OutgoingEmail.objects.filter(
            key__in=due_keys, state=OutgoingEmail.State.PENDING
        ).values_list("pk", flat=True)
    )


def session_reminders_skip_stale(
    *, now: datetime.datetime | None = None, practice: Practice | None = None
) -> int:
    """Waiting reminders that must not go any more become skipped: the session was cancelled
    or moved (a rescheduled session is a new one with its own reminders), has begun, the child
    was discharged, or the guardian may no longer see the child."""
    now = now or timezone.now()
    pending = selectors.pending_reminders()
    if not pending:
        return 0
    practice = practice or Practice.get()
    today = now.astimezone(practice.tz).date()
    sessions = selectors.sessions_for_reminders(
        start_after=now, ids={session_id for _pk, session_id, _g in pending}
    )
    allowed = {
        (session.pk, guardian.pk)
        for session in sessions
        for guardian in selectors.guardians_to_remind(session, practice, today)
    }
    stale = [
        pk for pk, session_id, guardian_id in pending if (session_id, guardian_id) not in allowed
    ]
    if not stale:
        return 0
    # Conditional on pending: a row a worker has just claimed is left to it.
    return OutgoingEmail.objects.filter(pk__in=stale, state=OutgoingEmail.State.PENDING).update(
        state=OutgoingEmail.State.SKIPPED,
        skip_reason=OutgoingEmail.SkipReason.REMINDER_STALE,
        updated_at=now,
    )
