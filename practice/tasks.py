from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task
def heartbeat(name: str = "beat") -> str:
    """Proves the worker and beat are alive; the practice settings page shows it."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"last_seen": now})
    return now.isoformat()


@shared_task(acks_late=True)
def password_reset_send_task(address: str) -> int:
    """The lookup and email of a password reset, out of the asker's sight
    (practice/password_reset.py)."""
    from .password_reset import password_reset_send

    return password_reset_send(address=address)
