"""Keeping next_update_at right: a parent's first login schedules their first progress email,
and a change of the practice's cadences or quiet hours reschedules everyone's."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from practice.policy.signals import communication_policy_changed

from . import services

# Policy fields that move a parent's next progress email.
SCHEDULE_FIELDS = {
    "allowed_cadences",
    "default_cadence",
    "quiet_hours_start",
    "quiet_hours_end",
    "quiet_on_weekends",
}


@receiver(user_logged_in, dispatch_uid="engagement.updates.first_login")
def schedule_first_update(sender, request, user, **kwargs):
    if getattr(user, "is_parent", False):
        services.update_preference_start(parent=user)


@receiver(communication_policy_changed, dispatch_uid="engagement.updates.policy_changed")
def reschedule_updates(sender, communication, changed=None, **kwargs):
    if changed is None or set(changed) & SCHEDULE_FIELDS:
        services.update_preferences_reschedule(communication=communication)
