"""The lock on signed logs also covers their many-to-many fields (attendees, ratings), which
bypass save(). This receiver enforces an invariant of the model; it holds no business logic."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import SessionLog, SignedLogError


@receiver(m2m_changed, sender=SessionLog.guardians_attended.through)
@receiver(m2m_changed, sender=SessionLog.ratings.through)
def refuse_changes_to_signed_logs(sender, instance, action, **kwargs):
    if action.startswith("pre_") and isinstance(instance, SessionLog) and instance.is_signed:
        raise SignedLogError("A signed session log cannot be changed; add an addendum.")
