from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task
def heartbeat(name: str = "beat") -> str:
    """Proves the worker and beat are alive; the practice settings page shows it."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"last_seen": now})
    return now.isoformat()
