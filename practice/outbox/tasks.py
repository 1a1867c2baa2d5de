"""Outbox tasks: they take ids and call the services (practice/outbox/services.py)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services


@shared_task(acks_late=True)
def deliver_email(email_id: int) -> None:
    services.email_deliver(email_id=email_id)


@shared_task(acks_late=True)
def deliver_emails(ids: list[int]) -> None:
    services.emails_deliver_chunk(ids)


@shared_task(acks_late=True)
def outbox_sweep() -> int:
    """Every minute (beat): rows whose worker died are released, and every due pending row
    (retries, held notices, anything whose first queueing was lost) is queued in chunks."""
    now = timezone.now()
    services.stuck_emails_release(now=now)
    queued = 0
    for ids in services.due_email_chunks(now=now, chunk_size=settings.OUTBOX_CHUNK_SIZE):
        deliver_emails.delay(ids)
        queued += len(ids)
    return queued
