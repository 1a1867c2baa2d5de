"""Writes of the bottom layer: intake, guardians, invitations, staff and practice settings."""

from __future__ import annotations

import datetime
import enum

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .access import policy_to_write
from .auditlog.services import audit, saved_and_audited
from .fragments import touch_children, touch_practice
from .models import (
    CareTeamMembership,
    Child,
    ConfidentialityAgreement,
    Guardianship,
    Invitation,
    Practice,
    User,
)
from .outbox.models import OutgoingEmail
from .outbox.services import email_queue

INVITATION_SALT = "practice.invitation"


# --- Invitations -------------------------------------------------------------------------


class InvitationState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"
    USED = "used"
    SUPERSEDED = "superseded"
    INACTIVE = "inactive"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("invitation_accept", args=[invitation_token(invitation)])
    return f"{settings.SITE_URL}{path}"


def invitation_check(token: str) -> tuple[InvitationState, Invitation | None]:
    """Tell a good link from an expired, tampered, reused or replaced one."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        return InvitationState.EXPIRED, None
    except signing.BadSignature:
        return InvitationState.INVALID, None
    invitation = Invitation.objects.select_related("user").filter(pk=data.get("i")).first()
    if invitation is None:
        return InvitationState.INVALID, None
    if invitation.accepted_at is not None:
        return InvitationState.USED, invitation
    if invitation.superseded:
        return InvitationState.SUPERSEDED, invitation
    if not invitation.user.is_active:
        return InvitationState.INACTIVE, invitation
    return InvitationState.VALID, invitation


def _may_invite(user: User, invited_by: User, child: Child | None) -> None:
    """Staff are invited by a practice admin; a guardian by whoever may do this child's intake
    (never an emergency reader), or by the office for any family."""
    if child is None or not user.is_parent:
        if not invited_by.can_manage_practice:
            raise PermissionDenied(_("Only a practice administrator can send this invitation."))
        return
    policy_to_write(invited_by, child, right="intake")
    guardianship = Guardianship.objects.filter(child=child, guardian=user).first()
    if guardianship is None:
        raise PermissionDenied(_("This person is not a guardian of this child."))
    if guardianship.access == Guardianship.Access.NONE:
        raise ValidationError(_("A guardian with no access is not invited to the portal."))


def invitation_send(
    *, user: User, invited_by: User, child: Child | None = None, ip_address: str | None = None
) -> Invitation:
    """Create a fresh invitation (older ones stop working) and queue its email in the outbox.
    A guardian's invitation names the child it is sent for (`child`), whose intake right the
    sender must have.

    The invitation follows its outbox row (invitation_follow_email): sent_at once delivered,
    send_error once delivery has failed for good, so the pages can say so and offer a resend.
    """
    _may_invite(user, invited_by, child)
    with transaction.atomic():
        Invitation.objects.filter(user=user, accepted_at__isnull=True).update(superseded=True)
        invitation = Invitation.objects.create(user=user, created_by=invited_by)
        invitation.email = email_queue(
            to=user.email,
            kind=OutgoingEmail.Kind.INVITATION,
            name="invitation",
            context={
                "user": user,
                "invited_by": invited_by,
                "url": invitation_url(invitation),
                "days": settings.INVITATION_MAX_AGE // 86400,
            },
            user=user,
            key=f"invitation:{invitation.pk}",
        )
        invitation.save(update_fields=["email"])
        audit(actor=invited_by, action="invitation.create", target=user, ip_address=ip_address)
    return invitation


def invitation_follow_email(sender, email: OutgoingEmail, **kwargs) -> None:
    """Receiver of email_state_changed: an invitation says what became of its email."""
    if email.kind != OutgoingEmail.Kind.INVITATION:
        return
    invitations = Invitation.objects.filter(email_id=email.pk)
    if email.state == OutgoingEmail.State.SENT:
        changed = invitations.update(sent_at=email.sent_at, send_error="")
    elif email.state == OutgoingEmail.State.FAILED:
        changed = invitations.update(send_error=(email.last_error or "failed")[:300])
    else:
        changed = invitations.update(send_error="")
    if changed:
        touch_practice()  # the pages that say whether an invitation went


def invitation_accept(
    *, invitation: Invitation, password: str, ip_address: str | None = None
) -> User:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.superseded:
            raise ValidationError(_("This invitation has already been used."))
        user = invitation.user
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit(actor=user, action="invitation.accept", target=user, ip_address=ip_address)
    return user


# --- Children and guardians --------------------------------------------------------------


def _set_care_team(*, child: Child, clinicians: list[User], primary: User) -> None:
    if primary not in clinicians:
        clinicians = [primary, *clinicians]
    for clinician in clinicians:
        if not clinician.is_clinician or not clinician.is_active:
            raise ValidationError(_("%(name)s is not an active clinician.") % {"name": clinician})
    child.memberships.exclude(clinician__in=clinicians).delete()
    child.memberships.filter(is_primary=True).exclude(clinician=primary).update(is_primary=False)
    touch_children([child.pk])
    for clinician in clinicians:
        CareTeamMembership.objects.update_or_create(
            child=child, clinician=clinician, defaults={"is_primary": clinician == primary}
        )


@transaction.atomic
def child_create(
    *,
    created_by: User,
    care_team: list[User],
    primary_clinician: User,
    ip_address: str | None = None,
    **fields,
) -> Child:
    if not (created_by.is_clinician or created_by.can_manage_practice):
        raise PermissionDenied(_("Only clinicians and the office add children."))
    child = Child(created_by=created_by, **fields)
    saved_and_audited(
        child, actor=created_by, action="child.create", child=child, ip_address=ip_address
    )
    _set_care_team(child=child, clinicians=care_team, primary=primary_clinician)
    return child


@transaction.atomic
def child_update(
    *,
    child: Child,
    updated_by: User,
    care_team: list[User],
    primary_clinician: User,
    ip_address: str | None = None,
    **fields,
) -> Child:
    policy_to_write(updated_by, child, right="intake")
    ensure_not_discharged(child)
    # Compare with the stored row: a bound ModelForm has already written its values onto `child`.
    stored = Child.objects.filter(pk=child.pk).values("stage", *fields).get()
    if "stage" in fields and fields["stage"] != stored["stage"]:
        # A move is a StageChange the family is told of (engagement's stage form), and
        # Termination comes only with discharge.
        raise ValidationError({"stage": _("Move the stage from the child's page, not here.")})
    changed = [name for name, value in fields.items() if stored[name] != value]
    for name, value in fields.items():
        setattr(child, name, value)
    saved_and_audited(
        child,
        actor=updated_by,
        action="child.update",
        child=child,
        ip_address=ip_address,
        fields=changed,
    )
    _set_care_team(child=child, clinicians=care_team, primary=primary_clinician)
    return child


def ensure_not_discharged(child: Child) -> None:
    """Every service that adds to a child's clinical record calls this first: after discharge
    the record stays, read-only. Reads the row: the caller's copy may predate the discharge."""
    if Child.objects.filter(pk=child.pk, discharged_on__isnull=False).exists():
        raise ValidationError(
            _("%(child)s has been discharged: the record is read-only.") % {"child": child}
        )


def parent_user_for_email(*, email: str, full_name: str, phone: str = "") -> User:
    """The parent account for this address, created on first use; staff addresses refused."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        try:
            with transaction.atomic():  # a savepoint: losing the race below must not end ours
                return User.objects.create_user(
                    email, full_name=full_name, phone=phone, role=User.Role.PARENT
                )
        except IntegrityError:
            # Another request made this account between our look-up and our insert (the same
            # guardian added twice at once): it is the same person, so use it.
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                raise
    if not user.is_parent:
        raise ValidationError(
            {"email": _("This address belongs to a staff account; use the family's own address.")}
        )
    return user


ACCESS_RECORD_FIELDS = (
    "access_reason",
    "court_order_reference",
    "court_order_date",
    "court_order_expires",
)


def _validate_access(access: str, fields: dict) -> None:
    if access != Guardianship.Access.FULL and not fields.get("access_reason"):
        raise ValidationError(
            {"access_reason": _("Say why this guardian's access is limited or withheld.")}
        )
    starts, ends = fields.get("court_order_date"), fields.get("court_order_expires")
    if starts and ends and ends <= starts:
        raise ValidationError(
            {"court_order_expires": _("The order must expire after the date it was made.")}
        )


ALREADY_A_GUARDIAN = _lazy("This person is already a guardian of this child.")


def _save_once(row, taken: str, **checks) -> None:
    """Validate (all but the uniqueness the database checks) and save a new row whose email
    must be unique; a concurrent twin that got there first is the form's email error `taken`."""
    row.full_clean(**checks)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError({"email": taken}) from None


@transaction.atomic
def guardian_add(
    *,
    child: Child,
    added_by: User,
    email: str,
    full_name: str,
    relationship: str,
    access: str = Guardianship.Access.FULL,
    is_primary_contact: bool = False,
    phone: str = "",
    ip_address: str | None = None,
    **access_fields,
) -> Guardianship:
    """A guardian of the child, their account made on first use. The intake right is asked
    first (an emergency reader adds no one). Allowed after discharge: who may see the record
    is a legal matter that can change later (a court order), the record itself stays as it is."""
    policy_to_write(added_by, child, right="intake")
    _validate_access(access, access_fields)
    guardian = parent_user_for_email(email=email, full_name=full_name, phone=phone)
    if Guardianship.objects.filter(child=child, guardian=guardian).exists():
        raise ValidationError({"email": ALREADY_A_GUARDIAN})
    guardianship = Guardianship(
        child=child,
        guardian=guardian,
        relationship=relationship,
        access=access,
        is_primary_contact=is_primary_contact,
        access_changed_by=added_by,
        access_changed_at=timezone.now(),
        **access_fields,
    )
    # The same guardian added twice at once: the unique constraint stops the second.
    _save_once(guardianship, ALREADY_A_GUARDIAN, validate_constraints=False)
    audit(
        actor=added_by,
        action="guardian.add",
        target=guardianship,
        ip_address=ip_address,
        access=access,
    )
    return guardianship


@transaction.atomic
def guardianship_update(
    *, guardianship: Guardianship, updated_by: User, ip_address: str | None = None, **fields
) -> Guardianship:
    """Edits a guardianship; a change of access records its reason, basis and who made it.
    The intake right is asked first; allowed after discharge (a court order can come later)."""
    policy_to_write(updated_by, guardianship.child, right="intake")
    access = fields.get("access", guardianship.access)
    access_changed = access != guardianship.access or any(
        fields.get(name, getattr(guardianship, name)) != getattr(guardianship, name)
        for name in ACCESS_RECORD_FIELDS
    )
    if access_changed:
        _validate_access(
            access, {n: fields.get(n, getattr(guardianship, n)) for n in ACCESS_RECORD_FIELDS}
        )
    previous = guardianship.access
    for name, value in fields.items():
        setattr(guardianship, name, value)
    if access_changed:
        guardianship.access_changed_by = updated_by
        guardianship.access_changed_at = timezone.now()
    guardianship.full_clean()
    guardianship.save()
    if access_changed:
        audit(
            actor=updated_by,
            action="guardian.access_change",
            target=guardianship,
            ip_address=ip_address,
            reason=guardianship.access_reason,
            previous=previous,
            access=access,
        )
    return guardianship


@transaction.atomic
def agreement_record(
    *,
    child: Child,
    recorded_by: User,
    sharing_level: str,
    effective_date: datetime.date,
    child_assent: bool = False,
    child_assent_notes: str = "",
    ip_address: str | None = None,
) -> ConfidentialityAgreement:
    """A new version of the child's confidentiality agreement; older versions are kept. It is
    agreed with the child in therapy: the care team's, and closed with the record at discharge."""
    policy_to_write(recorded_by, child, right="clinical")
    ensure_not_discharged(child)
    latest = child.confidentiality_agreements.order_by("-version").first()
    agreement = ConfidentialityAgreement(
        child=child,
        version=(latest.version + 1) if latest else 1,
        sharing_level=sharing_level,
        effective_date=effective_date,
        child_assent=child_assent,
        child_assent_notes=child_assent_notes,
        recorded_by=recorded_by,
    )
    return saved_and_audited(
        agreement,
        actor=recorded_by,
        action="confidentiality.record",
        ip_address=ip_address,
        sharing_level=sharing_level,
    )


# --- Staff and practice ------------------------------------------------------------------


def _practice_admin_only(user: User) -> None:
    if not user.can_manage_practice:
        raise PermissionDenied(_("Only a practice administrator can do this."))


ADDRESS_IN_USE = _lazy("Someone already has an account with this address.")


@transaction.atomic
def staff_create(
    *,
    invited_by: User,
    email: str,
    full_name: str,
    role: str,
    discipline: str = "",
    is_practice_admin: bool = False,
    ip_address: str | None = None,
) -> User:
    _practice_admin_only(invited_by)
    if role not in (User.Role.CLINICIAN, User.Role.ADMIN):
        raise ValidationError({"role": _("Staff are clinicians or practice administrators.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ADDRESS_IN_USE})
    if role == User.Role.CLINICIAN and not discipline:
        raise ValidationError({"discipline": _("Choose the clinician's discipline.")})
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        discipline=discipline if role == User.Role.CLINICIAN else "",
        is_practice_admin=is_practice_admin and role == User.Role.CLINICIAN,
    )
    user.set_unusable_password()
    # The same person invited twice at once: the unique address stops the second.
    _save_once(user, ADDRESS_IN_USE, validate_unique=False)
    audit(actor=invited_by, action="staff.create", target=user, ip_address=ip_address, role=role)
    return user


@transaction.atomic
def staff_deactivate(*, user: User, deactivated_by: User, ip_address: str | None = None) -> User:
    _practice_admin_only(deactivated_by)
    if user == deactivated_by:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.is_clinician and user.memberships.exists():
        raise ValidationError(_("Reassign this clinician's caseload before deactivating them."))
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    Invitation.objects.filter(user=user, accepted_at__isnull=True).update(superseded=True)
    touch_practice()
    audit(actor=deactivated_by, action="staff.deactivate", target=user, ip_address=ip_address)
    return user


@transaction.atomic
def staff_reactivate(*, user: User, reactivated_by: User, ip_address: str | None = None) -> User:
    _practice_admin_only(reactivated_by)
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    audit(actor=reactivated_by, action="staff.reactivate", target=user, ip_address=ip_address)
    return user


@transaction.atomic
def practice_update(
    *, practice: Practice, updated_by: User, ip_address: str | None = None, **fields
) -> Practice:
    _practice_admin_only(updated_by)
    changed = [name for name, value in fields.items() if getattr(practice, name) != value]
    for name, value in fields.items():
        setattr(practice, name, value)
    return saved_and_audited(
        practice, actor=updated_by, action="practice.update", ip_address=ip_address, fields=changed
    )
