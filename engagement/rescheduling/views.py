"""Portal: cancel an upcoming session (with the gentle question) or ask to move it.
Care team: answer a request."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from practice.decorators import clinician_required, parent_required
from practice.forms import form_saved
from practice.request_time import request_now, request_practice

from . import selectors, services
from .forms import FamilyCancelForm, RescheduleAnswerForm, RescheduleRequestForm


def _family_session_page(
    request: HttpRequest, child_pk: int, pk: int, *, form_class, service, success, template
) -> HttpResponse:
    """The two portal pages about one upcoming session: a form, then the service with the
    session and the guardian, then back to the child's page."""
    session = selectors.session_for_family(request.user, child_pk, pk)[0]
    form = form_class(request.POST or None)
    saved = form_saved(
        request,
        form,
        lambda data: service(
            session=session,
            guardian=request.user,
            now=request_now(request),
            request=request,
            **data,
        ),
        success,
    )
    if saved:
        return redirect("portal_child", pk=session.child.pk)
    return render(request, template, {"form": form, "session": session, "child": session.child})


@parent_required
def session_cancel(request: HttpRequest, child_pk: int, pk: int) -> HttpResponse:
    return _family_session_page(
        request,
        child_pk,
        pk,
        form_class=FamilyCancelForm,
        service=services.session_cancel_by_family,
        success=_("Thank you for letting us know. The session is cancelled."),
        template="engagement/rescheduling/cancel.html",
    )


@parent_required
def reschedule_ask(request: HttpRequest, child_pk: int, pk: int) -> HttpResponse:
    return _family_session_page(
        request,
        child_pk,
        pk,
        form_class=RescheduleRequestForm,
        service=services.reschedule_request_create,
        success=_("Sent. The care team will reply here."),
        template="engagement/rescheduling/ask.html",
    )


@clinician_required
def reschedule_answer(request: HttpRequest, pk: int) -> HttpResponse:
    reschedule_request = selectors.request_for_care_team(request.user, pk)
    session = reschedule_request.session
    practice = request_practice(request)
    form = RescheduleAnswerForm(request.POST or None, tz=practice.tz)
    saved = form_saved(
        request,
        form,
        lambda data: services.reschedule_request_answer(
            reschedule_request=reschedule_request,
            by=request.user,
            status=data["status"],
            answer=data["answer"],
            new_start=form.new_start(),
            now=request_now(request),
            book_anyway=data["book_anyway"],
            request=request,
        ),
        _("Answered. The family sees your note in the portal."),
    )
    if saved:
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
