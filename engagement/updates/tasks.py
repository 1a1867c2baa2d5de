"""Progress updates on the beat: the tick opens due updates, a task per chunk renders and
delivers them (engagement/updates/delivery.py)."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from practice.outbox.services import emails_send_claimed

from . import delivery

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def progress_updates_tick(now: str | None = None) -> int:
    """Open the updates of every due parent and queue their rendering in chunks. `now` (ISO)
    is for tests; the beat passes nothing."""
    when = datetime.datetime.fromisoformat(now) if now else timezone.now()
    return delivery.progress_updates_open(now=when, enqueue=_enqueue)


def _enqueue(update_ids: list[int]) -> None:
    progress_updates_send.delay(update_ids)


@shared_task(acks_late=True)
def progress_updates_send(update_ids: list[int]) -> int:
    """Render a chunk of updates onto the outbox, then deliver what may go now over one SMTP
    connection. What is held (quiet hours) or fails goes out with the outbox's sweep."""
    try:
        return _render_and_send(update_ids)
    except Exception as error:
        if len(update_ids) == 1:
            raise
        # One update that cannot be rendered must not hold back the rest of its chunk (the
        # tick hands a chunk out again as it was). Never the content in the log.
        logger.warning(
            "progress: a chunk of %s updates failed (%s); rendering them one by one",
            len(update_ids),
            type(error).__name__,
        )
        for update_id in update_ids:
            progress_updates_send.delay([update_id])
        return 0


def _render_and_send(update_ids: list[int]) -> int:
    emails = delivery.progress_emails_create(update_ids, claim=True)
    emails_send_claimed(emails)
    return len(emails)
