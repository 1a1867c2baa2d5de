"""What a parent saw at home (DESIGN.md: HomeObservation), between that parent and the care
team: never shown to another guardian. An optional GAS level becomes a GoalRating (source
home, a parent's view) through goals.services.goal_rate; the rating is seen wherever goals are,
the text is not."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.models import Goal, GoalRating
from practice.models import Child
from practice.once import once_key_field

MAX_OBSERVATION = 5000


class HomeObservation(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="home_observations")
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_observations"
    )
    text = models.TextField(_("what you noticed at home"), max_length=MAX_OBSERVATION)
    goal = models.ForeignKey(
        Goal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_observations",
        verbose_name=_("about the goal"),
    )
    rating = models.OneToOneField(
        GoalRating, null=True, blank=True, on_delete=models.SET_NULL, related_name="observation"
    )
    created_at = models.DateTimeField(default=timezone.now)
    once_key = once_key_field()  # a double-clicked "Share" shares once

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["child", "guardian", "created_at"])]

    def __str__(self):
        return f"Home observation {self.pk}"


class ObservationReply(models.Model):
    observation = models.ForeignKey(
        HomeObservation, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("reply"), max_length=MAX_OBSERVATION)
    created_at = models.DateTimeField(default=timezone.now)
    once_key = once_key_field()  # a double-clicked "Send reply" replies once

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = _("observation replies")

    def __str__(self):
        return f"Reply {self.pk} to observation {self.observation_id}"
