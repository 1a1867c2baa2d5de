"""A family's engagement signals kept in a row, so the caseload reads 60 families in its own
query instead of scoring them on every view (stored.py keeps the rows; scores.py scores)."""

from django.db import models

from practice.models import Child


class FamilySignals(models.Model):
    """One child's family engagement as last computed: the numbers the score was worked out
    from (both windows) and the score, its trend and the falling rule's answer.

    A row is current while the child's `record_version` is the one it was computed at (every
    check-in, message, session, agreement or barrier bumps it), no portal visit came after
    `computed_at` (audit events bump nothing), and `computed_on` is today in the practice's
    timezone: the 8-week window moves by a day at midnight (the beat's daily roll)."""

    # Derived from the record and keeping its own version: saving one changes no fragment.
    bumps_record_version = False

    child = models.OneToOneField(
        Child, on_delete=models.CASCADE, primary_key=True, related_name="family_signals"
    )
    computed_at = models.DateTimeField()
    computed_on = models.DateField()
    record_version = models.PositiveBigIntegerField()
    score = models.PositiveSmallIntegerField()
    previous_score = models.PositiveSmallIntegerField()
    falling = models.BooleanField()
    reason = models.CharField(max_length=8, blank=True)  # "drop" or "quiet" when falling
    # The falling families' open barriers, by kind (the caseload shows their labels).
    open_barrier_kinds = models.JSONField(default=list, blank=True)
    # What the score was worked out from: {"current": FamilyActivity fields, "previous": ...,
    # "last_contact": ISO date or null, "home_practice_days": int or null}.
    activity = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "family signals"
        indexes = [models.Index(fields=["computed_on"])]

    def __str__(self):
        return f"{self.child_id}: {self.score} (was {self.previous_score})"
