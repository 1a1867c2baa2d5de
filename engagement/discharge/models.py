"""The course of therapy: each move between stages, and the discharge summary for the family
(DESIGN.md: Child's stage; flow 6, Termination)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practice.models import Child, Stage


class StageChange(models.Model):
    """A move of the child's stage, shown to the family in plain words with the optional note."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    family_note = models.TextField(_("a note for the family"), blank=True, max_length=1000)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["child", "-changed_at"])]

    def __str__(self):
        return f"{self.child}: {self.from_stage} → {self.to_stage}"


class DischargeSummary(models.Model):
    """Written for the family in plain language when the episode closes."""

    child = models.OneToOneField(Child, on_delete=models.PROTECT, related_name="discharge_summary")
    goals_achieved = models.TextField(_("what your child achieved"))
    keep_practising = models.TextField(_("what to keep practising"))
    coming_back = models.TextField(_("when and how to come back"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = _("discharge summaries")

    def __str__(self):
        return f"Discharge summary for {self.child}"
