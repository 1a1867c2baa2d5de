"""Who is who and the rules: the bottom layer's models (DESIGN.md, "The objects")."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .once import once_key_field

TIMEZONE_CHOICES = sorted((name, name) for name in zoneinfo.available_timezones())


# The emergency number by timezone, for a practice that has not set its own. The UK and the
# Crown dependencies call 999; North America (and most of the Americas) 911; the rest of Europe
# 112. Elsewhere 112, which every GSM phone connects to a local emergency service.
EMERGENCY_NUMBERS = {
    "Europe/London": "999",
    "Europe/Belfast": "999",
    "Europe/Guernsey": "999",
    "Europe/Isle_of_Man": "999",
    "Europe/Jersey": "999",
    "GB": "999",
    "GB-Eire": "999",
    "Australia/": "000",
    "Pacific/Auckland": "111",
    "NZ": "111",
    "America/": "911",
    "US/": "911",
    "Canada/": "911",
    "Europe/": "112",
}


def default_emergency_number(timezone_name: str) -> str:
    """The usual emergency number where a practice in `timezone_name` is."""
    if timezone_name in EMERGENCY_NUMBERS:
        return EMERGENCY_NUMBERS[timezone_name]
    for prefix, number in EMERGENCY_NUMBERS.items():
        if prefix.endswith("/") and timezone_name.startswith(prefix):
            return number
    return "112"


class SharingLevel(models.TextChoices):
    FULL = "full", _("Full: goals, progress and session summaries")
    PROGRESS = "progress", _("Progress: goals and progress, no session summaries")
    SAFETY_ONLY = "safety_only", _("Safety only: attendance and safety information")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        # Emails are stored lower-cased; phones capitalise the first letter people type.
        return self.get(**{self.model.USERNAME_FIELD: (username or "").strip().lower()})

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", User.Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        CLINICIAN = "clinician", _("Clinician")
        PARENT = "parent", _("Parent or guardian")
        ADMIN = "admin", _("Practice administrator")

    class Discipline(models.TextChoices):
        PSYCHOLOGY = "psychology", _("Psychology")
        OCCUPATIONAL_THERAPY = "ot", _("Occupational therapy")
        SPEECH = "speech", _("Speech and language therapy")
        ABA = "aba", _("Applied behaviour analysis")
        PHYSIOTHERAPY = "physio", _("Physiotherapy")
        OTHER = "other", _("Other")

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_practice_admin = models.BooleanField(
        _("also runs the practice"),
        default=False,
        help_text=_("A clinician who can also manage staff and practice settings."),
    )
    discipline = models.CharField(
        _("discipline"), max_length=20, choices=Discipline.choices, blank=True
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("site operator"),
        default=False,
        help_text=_("May use the Django admin (the site operator's tool)."),
    )
    is_demo = models.BooleanField(default=False, help_text=_("Created by seed_demo."))
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        indexes = [models.Index(fields=["role", "is_active"])]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.is_practice_admin and self.role == self.Role.PARENT:
            raise ValidationError(
                {"is_practice_admin": _("Only clinicians can also run the practice.")}
            )

    @property
    def is_clinician(self) -> bool:
        return self.role == self.Role.CLINICIAN

    @property
    def is_parent(self) -> bool:
        return self.role == self.Role.PARENT

    @property
    def is_office_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_practice_staff(self) -> bool:
        return self.role in (self.Role.CLINICIAN, self.Role.ADMIN)

    @property
    def can_manage_practice(self) -> bool:
        """A practice admin: role admin, or a clinician who also runs the practice."""
        return self.is_active and (
            self.role == self.Role.ADMIN or (self.is_clinician and self.is_practice_admin)
        )


class Practice(models.Model):
    """One per install. Its timezone is authoritative for every local time."""

    name = models.CharField(_("practice name"), max_length=200)
    timezone = models.CharField(
        _("timezone"), max_length=64, choices=TIMEZONE_CHOICES, default="Europe/London"
    )
    sharing_age_threshold = models.PositiveSmallIntegerField(
        _("age at which the older-child default applies"), default=12
    )
    default_sharing_level_under_threshold = models.CharField(
        _("default sharing level for younger children"),
        max_length=20,
        choices=SharingLevel.choices,
        default=SharingLevel.FULL,
    )
    default_sharing_level_from_threshold = models.CharField(
        _("default sharing level for older children"),
        max_length=20,
        choices=SharingLevel.choices,
        default=SharingLevel.PROGRESS,
    )
    missed_sessions_allowance = models.PositiveSmallIntegerField(
        _("missed sessions allowed per year"),
        default=6,
        help_text=_("Families can miss this many sessions a year; life happens."),
    )
    contact_phone = models.CharField(_("practice phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("practice email"), blank=True)
    emergency_number = models.CharField(
        _("emergency number"),
        max_length=20,
        blank=True,
        help_text=_(
            "The number families call in an emergency, shown in the emergency notice. Leave it "
            "empty for the usual number of the practice's timezone (999 in the UK, 911 in the "
            "Americas, 112 in the rest of Europe)."
        ),
    )
    require_staff_mfa = models.BooleanField(
        _("require two-step sign-in for all staff"),
        default=False,
        help_text=_(
            "Clinicians and office staff must sign in with a code from an authenticator app as "
            "well as their password. Families are never asked."
        ),
    )
    # Bumped by every write that is about no one child (practice.fragments).
    record_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("practice")

    def __str__(self):
        return self.name

    @classmethod
    def get(cls) -> "Practice":
        practice = cls.objects.order_by("pk").first()
        if practice is None:
            with transaction.atomic():
                practice = cls.objects.create(
                    name="Our practice", timezone=settings.PRACTICE_DEFAULT_TIMEZONE
                )
                CommunicationPolicy.objects.create(practice=practice)
        return practice

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def emergency_phone(self) -> str:
        """The number families call in an emergency: the practice's own setting, or the usual
        one where the practice is (by its timezone)."""
        return self.emergency_number.strip() or default_emergency_number(self.timezone)

    def today(self) -> datetime.date:
        return timezone.localtime(timezone.now(), self.tz).date()

    def default_sharing_level_for_age(self, age: int) -> str:
        if age >= self.sharing_age_threshold:
            return self.default_sharing_level_from_threshold
        return self.default_sharing_level_under_threshold


class Stage(models.TextChoices):
    COMMITMENT = "commitment", _("Commitment")
    PROCESS = "process", _("Process")
    CHANGE = "change", _("Change")
    TERMINATION = "termination", _("Termination")


class Child(models.Model):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.COMMITMENT
    )
    care_team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CareTeamMembership",
        related_name="care_team_children",
    )
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Bumped by every write about the child (practice.fragments): the cached fragments of the
    # record carry it in their keys.
    record_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = _("children")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def clean(self):
        super().clean()
        # Termination is the stage discharge sets, together with the date: no form or other
        # service reaches it on its own.
        if self.stage == Stage.TERMINATION and self.discharged_on is None:
            raise ValidationError(
                {
                    "stage": _(
                        "A child reaches Termination only through discharge, which writes the "
                        "family's summary: choose another stage, then discharge from the "
                        "child's page."
                    )
                }
            )

    @property
    def is_discharged(self) -> bool:
        """Discharge closed the episode: the record is read-only and updates stop (progress
        emails and reminders must skip a child for whom this is true)."""
        return self.discharged_on is not None


class CareTeamMembership(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="memberships")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    is_primary = models.BooleanField(_("primary clinician"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "clinician"], name="one_membership_each"),
            models.UniqueConstraint(
                fields=["child"], condition=Q(is_primary=True), name="one_primary_clinician"
            ),
        ]

    def __str__(self):
        return f"{self.clinician} — {self.child}"


class Guardianship(models.Model):
    class Relationship(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        PARENT = "parent", _("Parent")
        STEP_PARENT = "step_parent", _("Step-parent")
        GRANDPARENT = "grandparent", _("Grandparent")
        GUARDIAN = "guardian", _("Legal guardian")
        FOSTER_CARER = "foster_carer", _("Foster carer")
        OTHER = "other", _("Other")

    class Access(models.TextChoices):
        FULL = "full", _("Full")
        LIMITED = "limited", _("Limited: attendance, safety and their own messages")
        NONE = "none", _("None: no portal access and no emails")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="guardianships")
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardianships"
    )
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    access = models.CharField(
        _("access"), max_length=10, choices=Access.choices, default=Access.FULL
    )
    is_primary_contact = models.BooleanField(_("primary contact"), default=False)
    access_reason = models.TextField(_("reason for the access level"), blank=True)
    court_order_reference = models.CharField(_("court order reference"), max_length=100, blank=True)
    court_order_date = models.DateField(_("court order date"), null=True, blank=True)
    court_order_expires = models.DateField(_("court order expires"), null=True, blank=True)
    access_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    access_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary_contact", "guardian__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["child", "guardian"], name="one_guardianship_each"),
        ]

    def __str__(self):
        return f"{self.guardian} ({self.get_relationship_display()}) — {self.child}"


class Invitation(models.Model):
    """An emailed, signed, expiring link that lets a new user set a password."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The outbox row that carries it; sent_at and send_error follow that row's delivery.
    email = models.OneToOneField(
        "practice.OutgoingEmail",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=300, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self):
        return f"Invitation for {self.user}"


class ConfidentialityAgreement(models.Model):
    """Versioned per child; the access module reads the current one."""

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="confidentiality_agreements"
    )
    version = models.PositiveIntegerField()
    sharing_level = models.CharField(
        _("sharing level"), max_length=20, choices=SharingLevel.choices
    )
    child_assent = models.BooleanField(_("the child agreed"), default=False)
    child_assent_notes = models.TextField(_("how the child's assent was recorded"), blank=True)
    effective_date = models.DateField(_("effective from"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["child", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["child", "version"], name="one_agreement_version"),
        ]

    def __str__(self):
        return f"{self.child} v{self.version}: {self.sharing_level}"


class CommunicationPolicy(models.Model):
    """The practice's communication boundaries; one per practice."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal messages")
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")
        OFF = "off", _("Off")

    class EmailDetail(models.TextChoices):
        FULL = "full", _("Full content")
        NOTICE_ONLY = "notice_only", _("Notice only: no clinical content, a link to the portal")

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="communication_policy"
    )
    allowed_channels = models.JSONField(default=list)
    response_time_business_days = models.PositiveSmallIntegerField(default=2)
    quiet_hours_start = models.TimeField(default=datetime.time(20, 0))
    quiet_hours_end = models.TimeField(default=datetime.time(8, 0))
    quiet_on_weekends = models.BooleanField(default=True)
    daily_message_limit = models.PositiveSmallIntegerField(default=3)
    allowed_cadences = models.JSONField(default=list)
    default_cadence = models.CharField(
        max_length=20, choices=Cadence.choices, default=Cadence.FORTNIGHTLY
    )
    email_detail = models.CharField(
        max_length=20, choices=EmailDetail.choices, default=EmailDetail.FULL
    )
    portal_guidance = models.TextField(
        default=_(
            "Use the portal for questions about your child's therapy, home practice and "
            "scheduling. It is not for urgent matters."
        )
    )
    emergency_notice = models.TextField(
        default=_(
            "Messages are not monitored around the clock. If your child is in danger, call "
            "the emergency services now."
        )
    )

    class Meta:
        verbose_name_plural = _("communication policies")

    def __str__(self):
        return f"Communication policy of {self.practice}"

    def save(self, *args, **kwargs):
        if not self.allowed_channels:
            self.allowed_channels = [self.Channel.PORTAL, self.Channel.EMAIL]
        if not self.allowed_cadences:
            self.allowed_cadences = [c.value for c in self.Cadence]
        super().save(*args, **kwargs)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(self.model.EDIT_REFUSED)

    def delete(self):
        raise PermissionError(self.model.DELETE_REFUSED)


class AppendOnly(models.Model):
    """Rows written once and kept (the audit, messages): never edited or deleted, one by one or
    in bulk. A subclass says how it refuses."""

    EDIT_REFUSED = DELETE_REFUSED = "Append-only."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(self.EDIT_REFUSED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(self.DELETE_REFUSED)


class AuditEvent(AppendOnly):
    """Append-only: who did what to which record, when, from where, and why."""

    EDIT_REFUSED = DELETE_REFUSED = "Audit events are append-only."
    bumps_record_version = False  # no cached fragment shows the audit log

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    action = models.CharField(max_length=60, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["child", "-at"]), models.Index(fields=["actor", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


class Heartbeat(models.Model):
    """Written by a periodic task, so an admin can see the worker and beat are alive."""

    bumps_record_version = False

    name = models.CharField(max_length=50, unique=True)
    last_seen = models.DateTimeField()

    def __str__(self):
        return f"{self.name}: {self.last_seen}"


class SafetyConcern(models.Model):
    """A risk the care team recorded: the clinical record and the family's statement kept apart.

    Every guardian with any access is told the statement at once, except those listed as not to
    be told. The clinical record is for the care team only: never a parent, never the admin.
    """

    class Kind(models.TextChoices):
        SELF_HARM = "self_harm", _("Self-harm")
        HARM_TO_OTHERS = "harm_to_others", _("Harm to others")
        ABUSE_DISCLOSED = "abuse_disclosed", _("Abuse disclosed")
        NEGLECT = "neglect", _("Neglect")
        OTHER = "other", _("Other")

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="safety_concerns")
    kind = models.CharField(_("kind of risk"), max_length=20, choices=Kind.choices)
    clinical_record = models.TextField(_("clinical record"))
    family_statement = models.TextField(_("statement for the family"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # The form's key: a double-clicked submit records one concern and tells the family once.
    once_key = once_key_field()

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["child", "-recorded_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.child} ({self.recorded_at:%Y-%m-%d})"


class NotToBeTold(models.Model):
    """A guardian who is not told of a safety concern, and why (e.g. the alleged source of harm)."""

    concern = models.ForeignKey(SafetyConcern, on_delete=models.CASCADE, related_name="not_told")
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("why they are not told"))

    class Meta:
        verbose_name = _("guardian not to be told")
        verbose_name_plural = _("guardians not to be told")
        constraints = [
            models.UniqueConstraint(fields=["concern", "guardian"], name="not_told_once"),
        ]

    def __str__(self):
        return f"{self.guardian} not told of concern {self.concern_id}"


class BreakGlassGrant(models.Model):
    """Time-limited read access for a clinician outside a child's care team, with a reason."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["clinician", "child", "expires_at"])]

    def __str__(self):
        return f"{self.clinician} → {self.child} until {self.expires_at:%Y-%m-%d %H:%M}"

    def is_active(self, now: datetime.datetime | None = None) -> bool:
        return self.expires_at > (now or timezone.now())


class ConfidentialityAcknowledgement(models.Model):
    """A guardian has read one version of a child's confidentiality agreement in the portal.

    Per version: a new version needs a new acknowledgement.
    """

    agreement = models.ForeignKey(
        ConfidentialityAgreement, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["acknowledged_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "guardian"], name="one_acknowledgement_each"
            ),
        ]

    def __str__(self):
        return f"{self.guardian} read {self.agreement}"


# The outbox lives in its own package; importing it here registers it with the practice app.
from .outbox.models import OutgoingEmail  # noqa: E402, F401
