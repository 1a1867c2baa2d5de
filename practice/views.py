"""Single-layer pages: accounts, invitations, intake of a child and guardians, staff, settings."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .access import ChildPolicy, child_for_user, children_for
from .auditlog.services import audit, client_ip
from .decorators import intake_required, practice_admin_required
from .forms import (
    AgreementForm,
    ChildForm,
    GuardianAddForm,
    GuardianshipAccessForm,
    PracticeSettingsForm,
    StaffInviteForm,
    add_service_errors,
    form_saved,
)
from .models import Child, Guardianship, Heartbeat, Invitation, Practice, User
from .pagination import page_context
from .request_time import request_practice, request_today


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_parent:
        return redirect("portal_home")
    if user.is_clinician:
        return redirect("caseload")
    return redirect("practice_settings")


def _report_invitation(request: HttpRequest, invitation: Invitation) -> None:
    """Say what became of the invitation's email so far: delivery runs in the background, so
    usually it is on its way; the guardian and staff lists show its state from then on."""
    invitation.refresh_from_db(fields=["sent_at", "send_error"])
    email = invitation.user.email
    if invitation.send_error:
        messages.error(
            request,
            _(
                "The invitation to %(email)s could not be sent (the email server did not "
                "accept it). Nothing is lost: use “Resend invitation” to try again."
            )
            % {"email": email},
        )
    elif invitation.sent_at:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is on its way; its delivery shows here.")
            % {"email": email},
        )


# --- Invitations -------------------------------------------------------------------------


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    state, invitation = services.invitation_check(token)
    if state is not services.InvitationState.VALID:
        return render(
            request, "registration/invitation_problem.html", {"state": state.value}, status=400
        )
    user = invitation.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["new_password1"],
                ip_address=client_ip(request),
            )
        except ValidationError:
            return render(
                request, "registration/invitation_problem.html", {"state": "used"}, status=400
            )
        user.refresh_from_db()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome, %(name)s. Your password is set.") % {"name": user})
        return redirect("home")
    return render(request, "registration/invitation_accept.html", {"form": form, "invitee": user})


# --- Intake ------------------------------------------------------------------------------


def _child_to_write(request: HttpRequest, pk: int, right: str) -> tuple[Child, ChildPolicy]:
    """The child and policy when this user may make this kind of change (the services ask
    again); 403 for a reader who may not, such as an emergency reader; 404 as ever."""
    child, child_policy = child_for_user(request.user, pk)
    if not child_policy.may_write(right):
        raise PermissionDenied
    return child, child_policy


@intake_required
def child_add(request: HttpRequest) -> HttpResponse:
    initial = {"primary_clinician": request.user.pk} if request.user.is_clinician else {}
    form = ChildForm(request.POST or None, initial=initial, today=request_today(request))
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            child = services.child_create(
                created_by=request.user, ip_address=client_ip(request), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(child)s was added. Next, add their guardians.") % {"child": child}
            )
            return redirect("child_detail", pk=child.pk)
    return render(request, "practice/child_form.html", {"form": form, "child": None})


@intake_required
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, pk)
    if not child_policy.may_write("intake"):
        return redirect("child_detail", pk=pk)
    form = ChildForm(request.POST or None, instance=child, today=request_today(request))
    saved = form_saved(
        request,
        form,
        lambda _data: services.child_update(
            child=child,
            updated_by=request.user,
            ip_address=client_ip(request),
            **form.service_fields(),
        ),
        _("Saved."),
    )
    if saved:
        return redirect("child_detail", pk=pk)
    return render(request, "practice/child_form.html", {"form": form, "child": child})


def _warn(request: HttpRequest, form) -> None:
    for text in form.warnings(today=request_today(request)):
        messages.warning(request, text)


@intake_required
def guardian_add(request: HttpRequest, pk: int) -> HttpResponse:
    child, child_policy = _child_to_write(request, pk, "intake")
    form = GuardianAddForm(request.POST or None, initial={"send_invitation": True})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "send_invitation"}
        try:
            guardianship = services.guardian_add(
                child=child, added_by=request.user, ip_address=client_ip(request), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s was added as a guardian.") % {"name": guardianship.guardian}
            )
            _warn(request, form)
            if form.cleaned_data["send_invitation"] and guardianship.guardian.has_usable_password():
                messages.info(
                    request, _("They already have a portal account, so no invitation was needed.")
                )
            elif form.cleaned_data["send_invitation"]:
                _invite(request, guardianship, child)
            return redirect("child_detail", pk=child.pk)
    return render(request, "practice/guardian_form.html", {"form": form, "child": child})


@intake_required
def guardian_edit(request: HttpRequest, pk: int, guardianship_pk: int) -> HttpResponse:
    child, child_policy = _child_to_write(request, pk, "intake")
    guardianship = get_object_or_404(
        Guardianship.objects.select_related("guardian"), pk=guardianship_pk, child=child
    )
    form = GuardianshipAccessForm(request.POST or None, instance=guardianship)

    def save(data: dict) -> Guardianship:
        # The form has written its values onto the instance; the service compares with the row.
        fields = dict(data)
        guardianship.refresh_from_db()
        return services.guardianship_update(
            guardianship=guardianship,
            updated_by=request.user,
            ip_address=client_ip(request),
            **fields,
        )

    if form_saved(request, form, save, _("Saved.")):
        _warn(request, form)
        return redirect("child_detail", pk=child.pk)
    return render(
        request,
        "practice/guardian_form.html",
        {"form": form, "child": child, "guardianship": guardianship},
    )


@require_POST
@intake_required
def guardian_invite(request: HttpRequest, pk: int, guardianship_pk: int) -> HttpResponse:
    child, child_policy = _child_to_write(request, pk, "intake")
    guardianship = get_object_or_404(
        Guardianship.objects.select_related("guardian"), pk=guardianship_pk, child=child
    )
    if guardianship.access == Guardianship.Access.NONE:
        messages.error(request, _("A guardian with no access is not invited to the portal."))
    elif guardianship.guardian.has_usable_password():
        messages.info(
            request, _("%(name)s already uses the portal.") % {"name": guardianship.guardian}
        )
    else:
        _invite(request, guardianship, child)
    return redirect("child_detail", pk=child.pk)


def _invite(request: HttpRequest, guardianship: Guardianship, child) -> None:
    invitation = services.invitation_send(
        user=guardianship.guardian,
        invited_by=request.user,
        child=child,
        ip_address=client_ip(request),
    )
    _report_invitation(request, invitation)


@intake_required
def agreement_add(request: HttpRequest, pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, pk)
    if not child_policy.may_write("clinical"):
        return redirect("child_detail", pk=pk)
    practice = request_practice(request)
    today = request_today(request)
    suggested = practice.default_sharing_level_for_age(child.age_on(today))
    form = AgreementForm(
        request.POST or None, initial={"sharing_level": suggested, "effective_date": today}
    )
    saved = form_saved(
        request,
        form,
        lambda data: services.agreement_record(
            child=child, recorded_by=request.user, ip_address=client_ip(request), **data
        ),
        _("The confidentiality agreement was recorded."),
    )
    if saved:
        return redirect("child_detail", pk=pk)
    return render(
        request,
        "practice/agreement_form.html",
        {"form": form, "child": child, "suggested": suggested, "age": child.age_on(today)},
    )


# --- Staff and practice settings ---------------------------------------------------------


@practice_admin_required
def children_list(request: HttpRequest) -> HttpResponse:
    """Every child of the practice by name, for practice admins and the office: no clinical
    data (names, date of birth, discharged or not), a page at a time, each linking to what an
    admin may open (the record as office staff see it, the details, the audit log)."""
    search = request.GET.get("q", "").strip()[:100]
    children = children_for(request.user).only(
        "pk", "first_name", "last_name", "preferred_name", "date_of_birth", "discharged_on"
    )
    if search:
        for word in search.split():
            children = children.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
    children = children.order_by("last_name", "first_name", "pk")
    return render(
        request,
        "practice/children_list.html",
        {"search": search, **page_context(request, children)},
    )


@practice_admin_required
def staff_list(request: HttpRequest) -> HttpResponse:
    staff = (
        User.objects.filter(role__in=[User.Role.CLINICIAN, User.Role.ADMIN])
        .prefetch_related(
            Prefetch("invitations", queryset=Invitation.objects.select_related("email"))
        )
        .order_by("-is_active", "full_name")
    )
    staff = staff.annotate(
        caseload_size=Count("memberships", distinct=True),
        has_two_step=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
    )
    return render(request, "practice/staff_list.html", {"staff": staff})


@practice_admin_required
def staff_invite(request: HttpRequest) -> HttpResponse:
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_create(
                invited_by=request.user, ip_address=client_ip(request), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            invitation = services.invitation_send(
                user=user, invited_by=request.user, ip_address=client_ip(request)
            )
            _report_invitation(request, invitation)
            return redirect("staff_list")
    return render(request, "practice/staff_invite.html", {"form": form})


def _staff_member(pk: int) -> User:
    return get_object_or_404(User, pk=pk, role__in=[User.Role.CLINICIAN, User.Role.ADMIN])


@require_POST
@practice_admin_required
def staff_resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_member(pk)
    if user.has_usable_password() or not user.is_active:
        messages.info(request, _("%(name)s does not need an invitation.") % {"name": user})
    else:
        _report_invitation(
            request,
            services.invitation_send(
                user=user, invited_by=request.user, ip_address=client_ip(request)
            ),
        )
    return redirect("staff_list")


@require_POST
@practice_admin_required
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_member(pk)
    try:
        services.staff_deactivate(
            user=user, deactivated_by=request.user, ip_address=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s can no longer sign in.") % {"name": user})
    return redirect("staff_list")


@require_POST
@practice_admin_required
def staff_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff_member(pk)
    services.staff_reactivate(user=user, reactivated_by=request.user, ip_address=client_ip(request))
    messages.success(request, _("%(name)s can sign in again.") % {"name": user})
    return redirect("staff_list")


@practice_admin_required
def practice_settings(request: HttpRequest) -> HttpResponse:
    practice = Practice.get()
    form = PracticeSettingsForm(request.POST or None, instance=practice)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            practice = Practice.objects.select_for_update().get(pk=practice.pk)
            services.practice_update(
                practice=practice,
                updated_by=request.user,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        messages.success(request, _("The practice settings were saved."))
        return redirect("practice_settings")
    heartbeat = Heartbeat.objects.filter(name="beat").first()
    stale = heartbeat is None or (timezone.now() - heartbeat.last_seen).total_seconds() > 300
    return render(
        request,
        "practice/settings.html",
        {"form": form, "heartbeat": heartbeat, "heartbeat_stale": stale},
    )


def audit_login(sender: type, request: HttpRequest, user: User, **kwargs) -> None:
    audit(actor=user, action="auth.login", target=user, ip_address=client_ip(request))
