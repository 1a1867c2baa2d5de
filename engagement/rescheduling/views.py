"""Portal: cancel an upcoming session (with the gentle question) or ask to move it.
Care team: answer a request."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from practice.decorators import clinician_required, parent_required
from practice.forms import add_service_errors
from practice.models import Practice

from . import selectors, services
from .forms import FamilyCancelForm, RescheduleAnswerForm, RescheduleRequestForm


@parent_required
def session_cancel(request, child_pk, pk):
    session, child_policy = selectors.session_for_family(request.user, child_pk, pk)
    form = FamilyCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel_by_family(
                session=session,
                guardian=request.user,
                now=timezone.now(),
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you for letting us know. The session is cancelled."))
            return redirect("portal_child", pk=session.child.pk)
    return render(
        request,
        "engagement/rescheduling/cancel.html",
        {"form": form, "session": session, "child": session.child},
    )


@parent_required
def reschedule_ask(request, child_pk, pk):
    session, child_policy = selectors.session_for_family(request.user, child_pk, pk)
    form = RescheduleRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reschedule_request_create(
                session=session,
                guardian=request.user,
                preferred_times=form.cleaned_data["preferred_times"],
                now=timezone.now(),
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Sent. The care team will reply here."))
            return redirect("portal_child", pk=session.child.pk)
    return render(
        request,
        "engagement/rescheduling/ask.html",
        {"form": form, "session": session, "child": session.child},
    )


@clinician_required
def reschedule_answer(request, pk):
    reschedule_request = selectors.request_for_care_team(request.user, pk)
    session = reschedule_request.session
    practice = Practice.get()
    form = RescheduleAnswerForm(request.POST or None, tz=practice.tz)
    if request.method == "POST" and form.is_valid():
        try:
            services.reschedule_request_answer(
                reschedule_request=reschedule_request,
                by=request.user,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
                new_start=form.new_start(),
                now=timezone.now(),
                book_anyway=form.cleaned_data["book_anyway"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Answered. The family sees your note in the portal."))
            return redirect("child_detail", pk=session.child.pk)
    return render(
        request,
        "engagement/rescheduling/answer.html",
        {
            "form": form,
            "reschedule_request": reschedule_request,
            "session": session,
            "child": session.child,
            "practice": practice,
        },
    )
