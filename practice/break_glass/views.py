from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ..auditlog.services import client_ip
from ..decorators import clinician_required, practice_admin_required
from ..forms import add_service_errors
from . import selectors
from .forms import BreakGlassForm, BreakGlassSearchForm
from .services import break_glass_open


@clinician_required
def break_glass_search(request: HttpRequest) -> HttpResponse:
    form = BreakGlassSearchForm(request.GET if "q" in request.GET else None)
    results = None
    if form.is_bound and form.is_valid():
        results = selectors.break_glass_search(request.user, form.cleaned_data["q"])
    return render(
        request,
        "practice/break_glass/search.html",
        {"form": form, "results": results, "minutes": settings.BREAK_GLASS_MINUTES},
    )


@clinician_required
def break_glass_request(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.child_for_break_glass(request.user, pk)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = break_glass_open(
                clinician=request.user,
                child=child,
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.warning(
                request,
                _("Emergency access to %(child)s until %(time)s. This is logged.")
                % {
                    "child": child.display_name,
                    "time": timezone.localtime(grant.expires_at).strftime("%H:%M"),
                },
            )
            return redirect("child_detail", pk=child.pk)
    return render(
        request,
        "practice/break_glass/request.html",
        {"form": form, "child": child, "minutes": settings.BREAK_GLASS_MINUTES},
    )


@practice_admin_required
def break_glass_grants(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.grants_for_admins(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "practice/break_glass/grants.html",
        {"page": page, "now": timezone.now()},
    )
