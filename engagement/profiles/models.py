from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from practice.models import CommunicationPolicy


class ParentProfile(models.Model):
    """What the care team should know about how a parent likes to work with them."""

    # The channels the practice may allow: a parent says which of them they prefer.
    Channel = CommunicationPolicy.Channel

    class LearningStyle(models.TextChoices):
        WRITTEN = "written", _("Written instructions")
        VISUAL = "visual", _("Pictures and video")
        DEMONSTRATION = "demonstration", _("Being shown")
        CONVERSATION = "conversation", _("Talking it through")

    parent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parent_profile"
    )
    preferred_channel = models.CharField(
        _("preferred way to hear from us"),
        max_length=20,
        choices=Channel.choices,
        default=Channel.PORTAL,
    )
    language = models.CharField(_("preferred language"), max_length=50, default="English")
    learning_style = models.CharField(
        _("how you like to learn new strategies"),
        max_length=20,
        choices=LearningStyle.choices,
        blank=True,
    )
    availability = models.TextField(_("when you are usually available"), blank=True)
    do_not_contact = models.TextField(_("times not to contact you"), blank=True)
    hopes = models.TextField(_("what you hope for from therapy"), blank=True)
    knows_best = models.TextField(_("what you know best about your child"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Profile of {self.parent}"
