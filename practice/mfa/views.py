from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..auditlog.services import client_ip
from ..decorators import practice_admin_required, staff_required
from ..forms import add_service_errors
from ..models import User
from ..request_time import request_practice
from . import services
from .forms import AppCodeForm, CodeForm

SHOW_CODES = "mfa_codes_to_show"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@never_cache
@staff_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified() or not services.is_enrolled(request.user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mfa_verify(user=request.user, code=form.cleaned_data["code"], request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            left = services.recovery_codes_left(request.user)
            if left <= 3:
                messages.warning(
                    request,
                    _("You have %(left)s recovery codes left. Make new ones on the security page.")
                    % {"left": left},
                )
            return redirect(_next_url(request))
    return render(request, "practice/mfa/verify.html", {"form": form, "next": _next_url(request)})


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    request.session[SHOW_CODES] = codes
    return redirect("mfa_recovery_codes")


@never_cache
@staff_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    practice = request_practice(request)
    if services.is_enrolled(user):
        turn_off = AppCodeForm()
        turn_off.fields["code"].widget.attrs.pop("autofocus", None)  # not the page's purpose
        return render(
            request,
            "practice/mfa/status.html",
            {
                "codes_left": services.recovery_codes_left(user),
                "required": practice.require_staff_mfa,
                "form": turn_off,
            },
        )
    device = services.pending_device(user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.mfa_enrol(
                user=user, device=device, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Two-step sign-in is on."))
            return _show_codes(request, codes)
    return render(
        request,
        "practice/mfa/setup.html",
        {
            "form": form,
            "secret": services.secret_for_people(device),
            "required": practice.require_staff_mfa,
        },
    )


@never_cache
@staff_required
def mfa_qr_code(request: HttpRequest) -> HttpResponse:
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise Http404
    uri = services.provisioning_uri(device, request_practice(request))
    return HttpResponse(services.qr_code_svg(uri), content_type="image/svg+xml")


@never_cache
@staff_required
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.is_verified():
            raise Http404
        codes = services.mfa_recovery_codes_renew(user=request.user, ip_address=client_ip(request))
        messages.success(request, _("New recovery codes: the old ones no longer work."))
        return _show_codes(request, codes)
    codes = request.session.pop(SHOW_CODES, None)
    if not codes:
        return redirect("mfa_setup")
    return render(request, "practice/mfa/recovery_codes.html", {"codes": codes})


@require_POST
@staff_required
def mfa_turn_off(request: HttpRequest) -> HttpResponse:
    if request_practice(request).require_staff_mfa:
        messages.error(request, _("The practice requires two-step sign-in for all staff."))
        return redirect("mfa_setup")
    form = AppCodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["code"])
        services.mfa_verify(user=request.user, code=form.cleaned_data["code"], request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("mfa_setup")
    services.mfa_remove(user=request.user, removed_by=request.user, ip_address=client_ip(request))
    messages.success(request, _("Two-step sign-in is off."))
    return redirect("mfa_setup")


@require_POST
@practice_admin_required
def mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk, role__in=[User.Role.CLINICIAN, User.Role.ADMIN])
    services.mfa_remove(user=member, removed_by=request.user, ip_address=client_ip(request))
    messages.success(
        request,
        _("Two-step sign-in was reset for %(name)s. They set it up again from their security page.")
        % {"name": member},
    )
    return redirect("staff_list")
