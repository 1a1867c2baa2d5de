"""Waiting message notices follow a change of the practice's quiet hours, as progress updates
do (engagement/updates/receivers.py)."""

from __future__ import annotations

from django.dispatch import receiver

from practice.policy.signals import communication_policy_changed

from . import notices

# Policy fields that move a waiting notice.
QUIET_FIELDS = {"quiet_hours_start", "quiet_hours_end", "quiet_on_weekends"}


@receiver(communication_policy_changed, dispatch_uid="engagement.messaging.policy_changed")
def reschedule_message_notices(sender, communication, changed=None, **kwargs):
    if changed is None or set(changed) & QUIET_FIELDS:
        notices.message_notices_reschedule(communication=communication)
