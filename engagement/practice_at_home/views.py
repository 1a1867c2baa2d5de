"""Home practice pages for the care team: assign (from the child page or a session) and end.
Guardians see home practice on the portal child page, through the selectors, and check in."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from practice.access import child_for_user
from practice.decorators import clinician_required, parent_required
from practice.forms import add_service_errors
from practice.request_time import request_today

from ..visits.selectors import session_named_in_link
from . import selectors, services
from .forms import CheckInForm, HomePracticeForm


@clinician_required
def home_practice_assign(request: HttpRequest, child_pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, child_pk)
    if not child_policy.is_care_team:
        raise Http404
    session = session_named_in_link(request.user, child, request.GET.get("session"))
    today = request_today(request)
    goals = selectors.goals_to_practise(child)
    initial = {"until": today + services.DEFAULT_LENGTH}
    if len(goals) == 1:
        initial["goal"] = goals[0].pk
    form = HomePracticeForm(request.POST or None, goals=goals, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            home_practice = services.home_practice_assign(
                child=child,
                assigned_by=request.user,
                today=today,
                from_session=session,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Home practice “%(title)s” assigned.") % {"title": home_practice.title}
            )
            if session is not None:
                return redirect("session_detail", pk=session.pk)
            return redirect("child_detail", pk=child.pk)
    context = {"form": form, "child": child, "session": session, "has_goals": goals.exists()}
    return render(request, "engagement/practice_at_home/assign.html", context)


@require_POST
@clinician_required
def home_practice_end(request: HttpRequest, pk: int) -> HttpResponse:
    home_practice = selectors.home_practice_for_care_team(request.user, pk)
    services.home_practice_end(home_practice=home_practice, ended_by=request.user)
    messages.success(
        request, _("“%(title)s” ended. It stays in the record.") % {"title": home_practice.title}
    )
    return redirect("child_detail", pk=home_practice.child.pk)


def _check_in_errors(form, home_practice, child, user, today) -> list[str]:
    """Validate and record; the errors to show, or none."""
    if not form.is_valid():
        return [error for errors in form.errors.values() for error in errors]
    if home_practice is None:
        return [str(services.NOT_THIS_CHILD)]
    try:
        _, created = services.check_in_record(
            home_practice=home_practice,
            child=child,
            guardian=user,
            today=today,
            **form.cleaned_data,
        )
    except ValidationError as error:
        return error.messages
    form.created = created
    return []


def _saved_message(form, today) -> str:
    """Says which day the check-in is for, so one saved for yesterday does not read as today's."""
    day = form.cleaned_data.get("for_date") or today
    created = getattr(form, "created", False)
    if day == today:
        if created:
            return _("Checked in. Thank you!")
        return _("Updated today's check-in: it replaces the earlier one.")
    if day == today - datetime.timedelta(days=1):
        if created:
            return _("Checked in for yesterday. Thank you!")
        return _("Updated yesterday's check-in: it replaces the earlier one.")
    shown = date_format(day, "l j F")
    if created:
        return _("Checked in for %(day)s. Thank you!") % {"day": shown}
    return _("Updated the check-in for %(day)s: it replaces the earlier one.") % {"day": shown}


@require_POST
@parent_required
def check_in(request: HttpRequest, child_pk: int, pk: int) -> HttpResponse:
    """One tap ("Done today", "Not today") or the fuller form: with htmx the card is swapped in
    place; without JavaScript the page reloads with a message."""
    child, child_policy = child_for_user(request.user, child_pk)
    if not child_policy.home_practice:
        raise Http404
    today = request_today(request)
    home_practice = selectors.home_practice_of(pk)
    form = CheckInForm(request.POST, today=today)
    try:
        errors = _check_in_errors(form, home_practice, child, request.user, today)
    except PermissionDenied as denied:
        raise Http404 from denied
    saved = not errors and _saved_message(form, today)
    ours = home_practice is not None and home_practice.child_id == child.pk
    if ours and (request.htmx or errors):
        item = selectors.with_check_ins([home_practice], today, viewer=request.user)[0]
        # After an error the fuller form opens again with what was typed in it: in place with
        # htmx, on a page of its own without JavaScript (a redirect would lose the note).
        typed = request.POST if errors else None
        context = {"item": item, "child": child, "errors": errors, "saved": saved, "typed": typed}
        context.update(selectors.check_in_context(today))
        template = "_check_in.html" if request.htmx else "check_in_page.html"
        return render(request, f"engagement/practice_at_home/{template}", context)
    for error in errors:
        messages.error(request, error)
    if saved:
        messages.success(request, saved)
    return redirect(f"{reverse('portal_child', args=[child.pk])}#check-in-{pk}")
