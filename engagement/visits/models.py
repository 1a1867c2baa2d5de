"""Session logs: scheduling, the clinical record, signing and addenda (DESIGN.md: SessionLog).

A signed log is locked: the model refuses to save or delete it, and its queryset refuses bulk
changes, so no path in the app (or the admin) can alter it. Later changes are Addenda.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from concurrency.fields import IntegerVersionField
from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from goals.models import GoalRating
from practice.access import ChildPolicy
from practice.models import Child, Stage
from practice.once import once_key_field

MAX_SESSION_MINUTES = 8 * 60
# Session notes, summaries and addenda: long enough for any session, short enough that a
# pasted document (or a script) cannot fill the record.
NOTE_MAX_LENGTH = 20_000


def note_field(verbose_name, **kwargs) -> models.TextField:
    return models.TextField(
        verbose_name,
        max_length=NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
        **kwargs,
    )


class SignedLogError(Exception):
    """Raised when something tries to change or delete a signed session log."""


class Modality(models.TextChoices):
    CLINIC = "clinic", _("Clinic")
    TELEHEALTH = "telehealth", _("Telehealth")
    HOME = "home", _("Home visit")
    SCHOOL = "school", _("School")


class Activity(models.TextChoices):
    PLAY = "play", _("Play")
    ROLE_PLAY = "role_play", _("Role-play")
    GAMES = "games", _("Games")
    PARENT_COACHING = "parent_coaching", _("Parent coaching")
    PSYCHOEDUCATION = "psychoeducation", _("Psychoeducation")
    SKILLS_PRACTICE = "skills_practice", _("Skills practice")
    ASSESSMENT = "assessment", _("Assessment")
    REVIEW = "review", _("Goal review")
    OTHER = "other", _("Other")


class SessionSeries(models.Model):
    """A weekly series; each occurrence is its own SessionLog."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="session_series")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    first_start = models.DateTimeField()
    weeks = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    once_key = once_key_field()  # a double-clicked "Schedule" makes one series

    class Meta:
        verbose_name_plural = _("session series")

    def __str__(self):
        return f"Weekly series for {self.child} from {self.first_start:%Y-%m-%d}"


def upcoming_at(now: datetime.datetime) -> models.Q:
    """A session still to come at `now`: scheduled, and not yet begun."""
    return models.Q(status=SessionLog.Status.SCHEDULED, scheduled_start__gte=now)


class SessionLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(signed_at__isnull=False).exists():
            raise SignedLogError("A signed session log cannot be changed; add an addendum.")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(signed_at__isnull=False).exists():
            raise SignedLogError("A signed session log cannot be deleted.")
        return super().delete()

    def upcoming(self, now):
        return self.filter(upcoming_at(now))

    def not_cancelled(self):
        return self.exclude(status__in=SessionLog.CANCELLED)

    def shared_with_family(
        self, child_policies: ChildPolicy | Iterable[ChildPolicy] | None, now: datetime.datetime
    ) -> SessionLogQuerySet:
        """The one rule for which sessions' summaries a family may read (the portal, the
        progress emails, the export, and the care team's "shared" badge all ask it): of the
        children whose policy grants `shared_summaries`, the sessions that have begun, are no
        longer "scheduled", are signed, carry a summary and were not marked "not shared"."""
        if child_policies is None or isinstance(child_policies, ChildPolicy):
            child_policies = [child_policies] if child_policies is not None else []
        child_ids = sorted({p.child_id for p in child_policies if p.shared_summaries})
        if not child_ids:
            return self.none()
        return (
            self.filter(child_id__in=child_ids, scheduled_start__lte=now)
            .filter(signed_at__isnull=False, summary_shared=True)
            .exclude(status=SessionLog.Status.SCHEDULED)
            .exclude(shared_summary="")
        )


class SessionLog(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        ATTENDED = "attended", _("Attended")
        CANCELLED_FAMILY = "cancelled_family", _("Cancelled by the family")
        CANCELLED_CLINICIAN = "cancelled_clinician", _("Cancelled by the clinician")
        NO_SHOW = "no_show", _("Missed (no-show)")

    MISSED = (Status.CANCELLED_FAMILY, Status.NO_SHOW)
    CANCELLED = (Status.CANCELLED_FAMILY, Status.CANCELLED_CLINICIAN)
    # Only these wait for the session's start: a cancellation may be recorded ahead.
    NEEDS_START = (Status.ATTENDED, Status.NO_SHOW)

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="session_logs")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_logs"
    )
    series = models.ForeignKey(
        SessionSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    rescheduled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_to"
    )
    scheduled_start = models.DateTimeField(_("starts"))
    planned_minutes = models.PositiveSmallIntegerField(
        _("planned length (minutes)"),
        default=50,
        validators=[MinValueValidator(5), MaxValueValidator(MAX_SESSION_MINUTES)],
    )
    modality = models.CharField(
        _("where"), max_length=20, choices=Modality.choices, default=Modality.CLINIC
    )
    location = models.CharField(_("location or link"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.SCHEDULED
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    child_attended = models.BooleanField(_("the child attended"), default=True)
    guardians_attended = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sessions_attended"
    )
    guardian_participation = models.PositiveSmallIntegerField(
        _("how the guardians took part (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    activities = models.JSONField(_("activities"), default=list, blank=True)
    ratings = models.ManyToManyField(GoalRating, blank=True, related_name="+")
    private_note = note_field(_("private note (clinical, never shown to parents)"), blank=True)
    shared_summary = note_field(_("summary for the family"), blank=True)
    summary_shared = models.BooleanField(_("share the summary with the family"), default=True)
    next_steps = note_field(_("next steps"), blank=True)
    cancellation_note = models.CharField(max_length=300, blank=True)
    draft = models.JSONField(default=dict, blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    # The page's own count of its autosaves: a draft that arrives late never replaces a newer.
    draft_sequence = models.PositiveBigIntegerField(default=0)
    # Optimistic locking: every save of the log changes it; a form opened at an older version
    # cannot overwrite what someone else saved since (django-concurrency).
    version = IntegerVersionField()
    booked_despite_clash = models.BooleanField(
        _("booked despite a clash"),
        default=False,
        help_text=_("The clinician chose to book it although it overlaps another session."),
    )
    once_key = once_key_field()  # a double-clicked "Schedule" makes one session
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionLogQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_start"]
        indexes = [
            models.Index(fields=["child", "scheduled_start"]),
            models.Index(fields=["clinician", "status", "scheduled_start"]),
            # The reminder tick's "scheduled sessions starting soon": O(upcoming).
            models.Index(
                fields=["scheduled_start"],
                condition=models.Q(status="scheduled"),
                name="session_upcoming",
            ),
            # Each child's next scheduled session (the caseload's "Next session", one lookup
            # per child): halves the caseload's query on PostgreSQL at practice scale.
            models.Index(
                fields=["child", "scheduled_start"],
                condition=models.Q(status="scheduled"),
                name="session_next_for_child",
            ),
        ]

    def __str__(self):
        return f"{self.child} — {self.scheduled_start:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if getattr(self, "_stored_signed", False):
            raise SignedLogError("A signed session log cannot be changed; add an addendum.")
        super().save(*args, **kwargs)
        self._stored_signed = self.signed_at is not None

    def delete(self, *args, **kwargs):
        if self.is_signed or getattr(self, "_stored_signed", False):
            raise SignedLogError("A signed session log cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_signed = instance.__dict__.get("signed_at") is not None
        return instance


class Addendum(models.Model):
    """A later change to a signed log: never an edit. One that corrects the shared summary is
    shown wherever that summary is shown."""

    session = models.ForeignKey(SessionLog, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    text = note_field(_("addendum"))
    corrects_shared_summary = models.BooleanField(
        _("corrects the summary the family sees"),
        default=False,
        help_text=_("If ticked, the family sees this text beside the summary it corrects."),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = _("addenda")

    def __str__(self):
        return f"Addendum to {self.session} by {self.author}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise SignedLogError("An addendum cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SignedLogError("An addendum cannot be deleted.")
