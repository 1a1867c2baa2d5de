"""Practical barriers to engagement (DESIGN.md: Barrier). The clinician's notes and the actions
taken are clinical: a guardian sees only the status of a barrier they reported themselves."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from practice.models import Child

from ..visits.models import SessionLog


class Barrier(models.Model):
    class Kind(models.TextChoices):
        SCHEDULING = "scheduling", _("Scheduling")
        TRANSPORT = "transport", _("Transport")
        COST = "cost", _("Cost")
        CHILDCARE = "childcare", _("Childcare")
        WORK = "work", _("Work")
        LANGUAGE_OR_CULTURE = "language_or_culture", _("Language or culture")
        PARENT_STRESS_OR_HEALTH = "parent_stress_or_health", _("Parent stress or health")
        NO_LONGER_NEEDED = "no_longer_needed", _("Belief that involvement is no longer needed")
        OTHER = "other", _("Something else")

    class ReporterRole(models.TextChoices):
        FAMILY = "family", _("The family")
        CLINICIAN = "clinician", _("The clinician")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("Being worked on")
        RESOLVED = "resolved", _("Resolved")

    UNRESOLVED = (Status.OPEN, Status.IN_PROGRESS)

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="barriers")
    kind = models.CharField(_("what gets in the way"), max_length=30, choices=Kind.choices)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reporter_role = models.CharField(
        _("raised by"), max_length=20, choices=ReporterRole.choices, default=ReporterRole.FAMILY
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    notes = models.TextField(_("your notes (never shown to the family)"), blank=True)
    actions_taken = models.TextField(_("what was done"), blank=True)
    session = models.ForeignKey(
        SessionLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="barriers"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["child", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()}) for {self.child}"

    @property
    def is_resolved(self) -> bool:
        return self.status == self.Status.RESOLVED
