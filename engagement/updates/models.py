"""UpdatePreference (how often and when a parent hears from us) and ProgressUpdate (one
parent's progress email for one period)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practice.models import CommunicationPolicy, OutgoingEmail


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class UpdatePreference(models.Model):
    """A parent's progress-email cadence within the practice's policy, preferred day and hour
    (in the practice timezone), pause, and their own times not to be contacted."""

    parent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="update_preference"
    )
    cadence = models.CharField(
        _("how often"),
        max_length=20,
        choices=CommunicationPolicy.Cadence.choices,
        default=CommunicationPolicy.Cadence.FORTNIGHTLY,
    )
    weekday = models.PositiveSmallIntegerField(
        _("day"), choices=Weekday.choices, default=Weekday.FRIDAY
    )
    hour = models.PositiveSmallIntegerField(_("time of day"), default=17)
    paused = models.BooleanField(_("pause progress emails"), default=False)
    # The parent's own times not to be contacted: a daily window (may cross midnight) and
    # whole days. Any email other than a safety notice moves to the next allowed time.
    no_contact_start = models.TimeField(_("do not contact me from"), null=True, blank=True)
    no_contact_end = models.TimeField(_("until"), null=True, blank=True)
    no_contact_days = models.JSONField(_("days not to contact me"), default=list, blank=True)
    # Set by the one-click unsubscribe link; cleared when the parent chooses a cadence again.
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # The parent's first login: the first progress update's period starts here.
    first_login_at = models.DateTimeField(null=True, blank=True)
    # When the next progress email falls due (UTC); null when off or paused. Indexed so a
    # beat tick costs O(due), not O(all parents).
    next_update_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Update preference of {self.parent}"


class ProgressUpdate(models.Model):
    """One parent's progress email for one period: from the end of the previous update (or
    the guardian's first login) to the time it fell due."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress_updates"
    )
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    email = models.OneToOneField(
        OutgoingEmail,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="progress_update",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "period_start"], name="one_progress_update_per_period"
            ),
        ]
        indexes = [models.Index(fields=["parent", "-period_end"], name="progress_latest")]

    def __str__(self):
        return f"Progress update for {self.parent} ({self.period_start:%Y-%m-%d})"
