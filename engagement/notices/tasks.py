"""The session-reminder beat task (every 15 minutes, settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from practice.models import Practice
from practice.outbox.tasks import deliver_emails

from ..messaging.notices import message_notices_skip_stale
from .services import session_reminders_queue, session_reminders_skip_stale


@shared_task
def session_reminders_tick(now_iso: str | None = None) -> dict:
    """Skip the waiting reminders and message notices that must not go any more (a cancelled
    session, a guardian whose access became none, ...), write the reminders due before the
    next tick and hand those due now to the outbox (its sweep sends the rest when their time
    comes). Safe to run twice: keys make the second run write nothing."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    practice = Practice.get()
    skipped = session_reminders_skip_stale(now=now, practice=practice)
    skipped += message_notices_skip_stale(now=now, practice=practice)
    due_ids = session_reminders_queue(now=now, practice=practice)
    chunk = settings.OUTBOX_CHUNK_SIZE
    for i in range(0, len(due_ids), chunk):
        ids = due_ids[i : i + chunk]
        transaction.on_commit(lambda ids=ids: deliver_emails.delay(ids), robust=True)
    return {"skipped": skipped, "due_now": len(due_ids)}
