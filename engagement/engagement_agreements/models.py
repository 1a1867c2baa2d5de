"""The engagement agreement (DESIGN.md: EngagementAgreement): set at intake, versioned. How often
parents join sessions, their role, and the communication expectations (copied from the
practice's CommunicationPolicy when the version is recorded, so a later change of policy does not
silently change what a family agreed to). Each guardian who may see the child acknowledges the
current version; a new version needs a new acknowledgement."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from practice.models import Child


class EngagementAgreement(models.Model):
    class ParentSessions(models.TextChoices):
        EVERY = "every", _("Every session")
        MOST = "most", _("Most sessions")
        EVERY_OTHER = "every_other", _("Every other session")
        MONTHLY = "monthly", _("About once a month")
        REVIEWS = "reviews", _("Reviews and parent coaching sessions")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="engagement_agreements")
    version = models.PositiveSmallIntegerField()
    parent_sessions = models.CharField(
        _("how often parents join sessions"),
        max_length=20,
        choices=ParentSessions.choices,
        default=ParentSessions.MOST,
    )
    parent_role = models.TextField(
        _("the parents' role"),
        help_text=_("In plain language: what parents do in sessions and between them."),
    )
    response_time_business_days = models.PositiveSmallIntegerField(
        _("we reply to messages within (business days)")
    )
    channels = models.JSONField(_("ways to reach the care team"), default=list)
    communication_guidance = models.TextField(_("what the portal is and is not for"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "version"], name="one_engagement_agreement_version"
            )
        ]

    def __str__(self):
        return f"Engagement agreement v{self.version} for {self.child}"


class EngagementAcknowledgement(models.Model):
    agreement = models.ForeignKey(
        EngagementAgreement, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "guardian"], name="one_engagement_acknowledgement"
            )
        ]

    def __str__(self):
        return f"{self.guardian} agreed to {self.agreement}"
