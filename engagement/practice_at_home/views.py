"""Home practice pages for the care team: assign (from the child page or a session) and end.
Guardians see home practice on the portal child page, through the selectors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from practice.access import child_for_user
from practice.decorators import clinician_required
from practice.models import Practice

from ..visits.selectors import session_named_in_link
from . import selectors, services
from .forms import HomePracticeForm


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@clinician_required
def home_practice_assign(request, child_pk):
    child, policy = child_for_user(request.user, child_pk)
    if not policy.is_care_team:
        raise Http404
    session = session_named_in_link(request.user, child, request.GET.get("session"))
    today = Practice.get().today()
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
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Home practice “%(title)s” assigned.") % {"title": home_practice.title}
            )
            if session is not None:
                return redirect("session_detail", pk=session.pk)
            return redirect("child_detail", pk=child.pk)
    context = {"form": form, "child": child, "session": session, "has_goals": goals.exists()}
    return render(request, "practice_at_home/assign.html", context)


@require_POST
@clinician_required
def home_practice_end(request, pk):
    home_practice = selectors.home_practice_for_care_team(request.user, pk)
    services.home_practice_end(home_practice=home_practice, ended_by=request.user)
    messages.success(
        request, _("“%(title)s” ended. It stays in the record.") % {"title": home_practice.title}
    )
    return redirect("child_detail", pk=home_practice.child.pk)
