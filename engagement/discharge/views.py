"""Care-team pages for the course of therapy: moving a child between stages, and discharge."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from practice.access import child_for_user
from practice.decorators import clinician_required
from practice.forms import add_service_errors, form_saved
from practice.request_time import request_now, request_practice

from . import selectors, services
from .forms import DischargeForm, StageChangeForm


def _care_team_child(request: HttpRequest, pk: int):
    child, child_policy = child_for_user(request.user, pk)
    if not child_policy.is_care_team:
        raise Http404
    return child, child_policy


@clinician_required
def stage_change(request: HttpRequest, pk: int) -> HttpResponse:
    child, child_policy = _care_team_child(request, pk)
    if child.is_discharged:
        return redirect("child_detail", pk=pk)
    form = StageChangeForm(request.POST or None, current=child.stage)
    saved = form_saved(
        request,
        form,
        lambda data: services.stage_change(
            child=child, changed_by=request.user, request=request, **data
        ),
        lambda change: _("%(child)s has moved to %(stage)s. The family sees this in the portal.")
        % {"child": child, "stage": change.get_to_stage_display()},
    )
    if saved:
        return redirect("child_detail", pk=pk)
    return render(request, "engagement/discharge/stage_form.html", {"form": form, "child": child})


@clinician_required
def discharge(request: HttpRequest, pk: int) -> HttpResponse:
    child, child_policy = _care_team_child(request, pk)
    if child.is_discharged:
        return redirect("child_detail", pk=pk)
    practice = request_practice(request)
    now = request_now(request)
    initial = selectors.discharge_initial(child, practice, request.user)
    form = DischargeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "confirm"}
        try:
            services.child_discharge(
                child=child,
                discharged_by=request.user,
                today=practice.today(),
                now=now,
                request=request,
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(child)s was discharged. The record is now read-only.") % {"child": child},
            )
            return redirect("child_detail", pk=pk)
    return render(
        request,
        "engagement/discharge/discharge_form.html",
        {"form": form, "child": child, "open_logs": services.open_logs(child, now)},
    )
