"""Barrier pages for the care team: record, follow up, and the question after a family
cancellation. Guardians read their own barriers' status through barriers_for_family."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from practice.access import child_for_user
from practice.decorators import clinician_required
from practice.forms import form_saved

from ..visits.selectors import session_for_care_team, session_named_in_link
from . import selectors, services
from .forms import BarrierForm, CancellationBarrierForm


@clinician_required
def barrier_add(request: HttpRequest, child_pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, child_pk)
    if not child_policy.is_care_team:
        raise Http404
    session = session_named_in_link(request.user, child, request.GET.get("session"))
    form = BarrierForm(request.POST or None)
    saved = form_saved(
        request,
        form,
        lambda data: services.barrier_record(
            child=child, by=request.user, session=session, request=request, **data
        ),
        _("The barrier was recorded."),
    )
    if saved:
        return redirect("child_detail", pk=child.pk)
    context = {"form": form, "child": child, "session": session, "barrier": None}
    return render(request, "engagement/barriers/form.html", context)


@clinician_required
def barrier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    barrier = selectors.barrier_for_care_team(request.user, pk)
    form = BarrierForm(request.POST or None, instance=barrier)
    saved = form_saved(
        request,
        form,
        lambda data: services.barrier_update(
            barrier=barrier, by=request.user, request=request, **data
        ),
        _("Saved."),
    )
    if saved:
        return redirect("child_detail", pk=barrier.child.pk)
    context = {"form": form, "child": barrier.child, "session": barrier.session, "barrier": barrier}
    return render(request, "engagement/barriers/form.html", context)


@clinician_required
def barrier_after_cancellation(request: HttpRequest, pk: int) -> HttpResponse:
    """Asked right after a session is logged as cancelled by the family; skipping is fine."""
    session, child_policy = session_for_care_team(request.user, pk)
    if session.status != session.Status.CANCELLED_FAMILY:
        return redirect("session_detail", pk=pk)
    form = CancellationBarrierForm(request.POST or None)
    saved = form_saved(
        request,
        form,
        lambda data: services.barrier_from_family_cancellation(
            session=session,
            by=request.user,
            kind=data["kind"],
            note=data["note"],
            request=request,
        ),
        _("Thank you: it is on the child's page under Barriers."),
    )
    if saved:
        return redirect("session_detail", pk=pk)
    return render(
        request,
        "engagement/barriers/after_cancellation.html",
        {"form": form, "session": session, "child": session.child},
    )
