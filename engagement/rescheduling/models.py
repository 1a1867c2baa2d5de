"""A guardian's request to move an upcoming session (DESIGN.md, main flow 4). The clinician
answers it; the answer is written for the family and shown to the guardian who asked."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..visits.models import SessionLog


class RescheduleRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the care team")
        ANSWERED = "answered", _("Answered")
        DECLINED = "declined", _("Could not be moved")

    session = models.ForeignKey(
        SessionLog, on_delete=models.CASCADE, related_name="reschedule_requests"
    )
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    preferred_times = models.TextField(_("times that would suit you"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("your answer to the family"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "session"])]

    def __str__(self):
        return f"Reschedule request {self.pk} for {self.session}"
