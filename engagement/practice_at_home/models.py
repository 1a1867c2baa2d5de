"""Home practice: a strategy the family practises between sessions, tied to one of the child's
goals (DESIGN.md: HomePractice). The parents' check-ins come with the portal."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from goals.models import Goal
from practice.models import Child

from ..visits.models import SessionLog

# What to do at home, and how it was shown: a page of plain words at most, so that a pasted
# document cannot fill the family's portal (the form states the limit).
INSTRUCTIONS_MAX_LENGTH = 5_000


class HomePractice(models.Model):
    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every day")
        THREE_A_WEEK = "three_a_week", _("3 times a week")
        WEEKLY = "weekly", _("Once a week")
        OTHER = "other", _("Another rhythm (describe it)")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="home_practice")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="home_practice")
    title = models.CharField(_("strategy"), max_length=200)
    instructions = models.TextField(
        _("what to do at home"),
        max_length=INSTRUCTIONS_MAX_LENGTH,
        validators=[MaxLengthValidator(INSTRUCTIONS_MAX_LENGTH)],
    )
    frequency = models.CharField(
        _("how often"), max_length=20, choices=Frequency.choices, default=Frequency.DAILY
    )
    frequency_detail = models.CharField(
        _("when, or how often in your words"),
        max_length=200,
        blank=True,
        help_text=_("For example: at bedtime, for five minutes."),
    )
    until = models.DateField(_("until"))
    demonstration = models.TextField(
        _("how I showed it in session"),
        max_length=INSTRUCTIONS_MAX_LENGTH,
        validators=[MaxLengthValidator(INSTRUCTIONS_MAX_LENGTH)],
        blank=True,
        help_text=_("Optional: what the family saw you do, so they can do the same."),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    from_session = models.ForeignKey(
        SessionLog,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_practice",
    )
    is_active = models.BooleanField(_("active"), default=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["until", "pk"]
        verbose_name_plural = _("home practice")
        indexes = [models.Index(fields=["child", "is_active", "until"])]

    def __str__(self):
        return f"Home practice {self.pk} for {self.child}"

    @property
    def how_often(self) -> str:
        if self.frequency == self.Frequency.OTHER:
            return self.frequency_detail
        label = self.get_frequency_display()
        return f"{label}, {self.frequency_detail}" if self.frequency_detail else label


class CheckIn(models.Model):
    """A guardian's check-in on a home practice for one day: done or not, and how it went. One
    per home practice, guardian and day; checking in again that day replaces the answers."""

    class HowItWent(models.IntegerChoices):
        BADLY = 1, _("Badly")
        NOT_GREAT = 2, _("Not great")
        OK = 3, _("OK")
        WELL = 4, _("Well")
        REALLY_WELL = 5, _("Really well")

    class Difficulty(models.TextChoices):
        EASY = "easy", _("Easy")
        OK = "ok", _("OK")
        HARD = "hard", _("Hard")

    home_practice = models.ForeignKey(
        HomePractice, on_delete=models.CASCADE, related_name="check_ins"
    )
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins"
    )
    done = models.BooleanField(_("done"))
    how_it_went = models.PositiveSmallIntegerField(
        _("how it went"), choices=HowItWent.choices, null=True, blank=True
    )
    difficulty = models.CharField(
        _("how hard it was"), max_length=10, choices=Difficulty.choices, blank=True
    )
    note = models.CharField(_("anything to add"), max_length=500, blank=True)
    for_date = models.DateField(_("day"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-for_date", "-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["home_practice", "guardian", "for_date"], name="one_check_in_a_day"
            )
        ]

    def __str__(self):
        return f"Check-in {self.pk} on {self.for_date}"
