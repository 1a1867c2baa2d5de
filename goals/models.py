"""Goals set together, rated from every side (DESIGN.md: Goal, GoalRating, milestones)."""

from __future__ import annotations

from collections.abc import Iterable

from concurrency.fields import IntegerVersionField
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from practice.access import ChildPolicy
from practice.models import Child
from practice.once import once_key_field

# What a person may type into one of a goal's text boxes (the form says so).
MAX_GOAL_TEXT = 2000

GAS_LEVELS = [
    (-2, _("−2 much less than expected")),
    (-1, _("−1 somewhat less than expected")),
    (0, _("0 the expected outcome")),
    (1, _("+1 somewhat more than expected")),
    (2, _("+2 much more than expected")),
]
LEVEL_FIELDS = {
    -2: "level_minus_2",
    -1: "level_minus_1",
    0: "level_0",
    1: "level_plus_1",
    2: "level_plus_2",
}


class Perspective(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")


def _as_list(child_policies: ChildPolicy | Iterable[ChildPolicy] | None) -> list[ChildPolicy]:
    if child_policies is None:
        return []
    if isinstance(child_policies, ChildPolicy):
        return [child_policies]
    return list(child_policies)


class GoalQuerySet(models.QuerySet):
    def visible_to(
        self, child_policies: ChildPolicy | Iterable[ChildPolicy] | None
    ) -> GoalQuerySet:
        """The one rule for which goals a viewer may see (pages, emails, exports and counts all
        ask it, and Goal.is_visible_to says the same of one goal): of the children whose policy
        grants `goals`, every goal for a reader of clinical text, never a child-private one
        for anyone else."""
        granted = [p for p in _as_list(child_policies) if p.goals]
        if not granted:
            return self.none()
        every_goal = sorted({p.child_id for p in granted if p.clinical})
        shared_only = sorted({p.child_id for p in granted if not p.clinical})
        if not shared_only:
            return self.filter(child_id__in=every_goal)
        visible = self.not_private_to_child().filter(child_id__in=shared_only)
        return (visible | self.filter(child_id__in=every_goal)) if every_goal else visible

    def not_private_to_child(self) -> GoalQuerySet:
        """What any guardian with the `goals` right may see of a child's goals."""
        return self.filter(private_to_child=False)


class Goal(models.Model):
    class Domain(models.TextChoices):
        COMMUNICATION = "communication", _("Communication")
        EMOTIONAL_REGULATION = "emotional_regulation", _("Emotional regulation")
        SOCIAL = "social", _("Social")
        DAILY_LIVING = "daily_living", _("Daily living")
        MOTOR = "motor", _("Motor skills")
        BEHAVIOUR = "behaviour", _("Behaviour")
        SCHOOL = "school", _("School and learning")
        SLEEP = "sleep", _("Sleep")
        FEEDING = "feeding", _("Eating and feeding")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        ACHIEVED = "achieved", _("Achieved")
        REVISED = "revised", _("Revised")
        DISCONTINUED = "discontinued", _("Discontinued")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    child_words = models.TextField(
        _("in the child's own words"), blank=True, max_length=MAX_GOAL_TEXT
    )
    why_it_matters = models.TextField(
        _("why it matters to the family"), blank=True, max_length=MAX_GOAL_TEXT
    )
    domain = models.CharField(_("area"), max_length=30, choices=Domain.choices)
    measurement = models.TextField(_("how it is measured"), blank=True, max_length=MAX_GOAL_TEXT)
    baseline = models.TextField(
        _("where things are now (baseline)"), blank=True, max_length=MAX_GOAL_TEXT
    )
    baseline_level = models.SmallIntegerField(
        _("baseline level"),
        choices=[(-2, "−2"), (-1, "−1")],
        default=-1,
        help_text=_("The baseline usually sits at −1 or −2."),
    )
    level_minus_2 = models.TextField(
        _("−2 much less than expected"), blank=True, max_length=MAX_GOAL_TEXT
    )
    level_minus_1 = models.TextField(
        _("−1 somewhat less than expected"), blank=True, max_length=MAX_GOAL_TEXT
    )
    level_0 = models.TextField(_("0 the expected outcome"), blank=True, max_length=MAX_GOAL_TEXT)
    level_plus_1 = models.TextField(
        _("+1 somewhat more than expected"), blank=True, max_length=MAX_GOAL_TEXT
    )
    level_plus_2 = models.TextField(
        _("+2 much more than expected"), blank=True, max_length=MAX_GOAL_TEXT
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    review_date = models.DateField(_("review by"), null=True, blank=True)
    proposed_by = models.CharField(
        _("proposed by"), max_length=20, choices=Perspective.choices, default=Perspective.CLINICIAN
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    private_to_child = models.BooleanField(
        _("private to the child"),
        default=False,
        help_text=_(
            "An adolescent's own goal: never shown to parents, in pages, counts or emails."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: a save from a form opened at an older version is refused
    # (RecordModifiedError), so no edit is silently lost.
    version = IntegerVersionField()
    once_key = once_key_field()  # a double-clicked "Save goal" or "Send suggestion" makes one

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["child", "status"])]

    def __str__(self):
        return self.title

    def level_description(self, level: int) -> str:
        return getattr(self, LEVEL_FIELDS[level])

    def is_visible_to(self, child_policy: ChildPolicy | None) -> bool:
        """GoalQuerySet.visible_to's rule for this one goal (a write path that holds it)."""
        if child_policy is None or not child_policy.goals or child_policy.child_id != self.child_id:
            return False
        return child_policy.clinical or not self.private_to_child

    @property
    def levels(self) -> list[tuple[int, str]]:
        return [(level, self.level_description(level)) for level in sorted(LEVEL_FIELDS)]

    @property
    def has_all_levels(self) -> bool:
        return all(self.level_description(level).strip() for level in LEVEL_FIELDS)


class GoalChange(models.Model):
    """Every change to a goal, kept as a readable history."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(max_length=200)
    fields = models.JSONField(default=dict, blank=True)  # {field: [before, after]}

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.goal_id}: {self.summary}"


class GoalComment(models.Model):
    """Seen by the care team and by the guardians who may see the goal."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="goal_comments"
    )
    text = models.TextField(_("comment"), max_length=MAX_GOAL_TEXT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment on goal {self.goal_id} by {self.author}"


class GoalRating(models.Model):
    class Source(models.TextChoices):
        SESSION = "session", _("Session")
        HOME = "home", _("Home")
        REVIEW = "review", _("Review")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    level = models.SmallIntegerField(
        _("level"), choices=GAS_LEVELS, validators=[MinValueValidator(-2), MaxValueValidator(2)]
    )
    rated_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    perspective = models.CharField(_("whose view"), max_length=10, choices=Perspective.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="goal_ratings"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rated_on", "created_at", "pk"]
        indexes = [models.Index(fields=["goal", "perspective", "rated_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=-2, level__lte=2), name="gas_level_in_range"
            )
        ]

    def __str__(self):
        return f"{self.goal}: {self.level} ({self.perspective}, {self.rated_on})"


class Milestone(models.Model):
    """A goal first rated at the expected outcome or above by a clinician, or achieved."""

    class Kind(models.TextChoices):
        EXPECTED_REACHED = "expected_reached", _("Reached the expected outcome")
        ACHIEVED = "achieved", _("Goal achieved")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reached_on = models.DateField()
    rating = models.ForeignKey(GoalRating, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reached_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "kind"], name="one_milestone_of_each_kind")
        ]

    def __str__(self):
        return f"{self.goal}: {self.get_kind_display()}"
