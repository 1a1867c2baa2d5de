"""Home observations: a guardian shares from the portal child page; the care team replies from
the child page. Lookups go through practice.access; 404 for anyone else."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from practice.access import child_for_user
from practice.decorators import clinician_required, parent_required
from practice.forms import form_saved
from practice.request_time import request_today

from . import selectors, services
from .forms import ObservationForm, ReplyForm


def observation_form(child_policy, child, data=None, goals=None) -> ObservationForm:
    if not child_policy.goals:
        return ObservationForm(data, goals=None)
    goals = selectors.goals_to_rate(child_policy, child) if goals is None else goals
    return ObservationForm(data, goals=goals)


@parent_required
def observation_share(request: HttpRequest, pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, pk)
    if not child_policy.own_items:
        raise Http404
    form = observation_form(child_policy, child, request.POST or None)
    try:
        saved = form_saved(
            request,
            form,
            lambda data: services.observation_share(
                child=child, guardian=request.user, today=request_today(request), **data
            ),
            _("Thank you: the care team will see what you noticed."),
        )
    except PermissionDenied as denied:
        raise Http404 from denied
    if saved:
        return redirect(f"{reverse('portal_child', args=[child.pk])}#observations-heading")
    context = {
        "child": child,
        "policy": child_policy,
        "form": form,
        "observations": selectors.observations_for_guardian(request.user, child_policy, child),
    }
    return render(request, "engagement/observations/share.html", context)


@require_POST
@clinician_required
def observation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Sent, back to the child page; a reply that cannot be sent (too long, the child
    discharged) is shown again on its own page with the text kept and the reason."""
    observation = selectors.observation_for_care_team(request.user, pk)
    form = ReplyForm(request.POST)
    saved = form_saved(
        request,
        form,
        lambda data: services.observation_reply(
            observation=observation, author=request.user, **data
        ),
        _("Reply sent. Only that parent sees it."),
    )
    if saved:
        url = reverse("child_detail", args=[observation.child.pk])
        return redirect(f"{url}#observation-{observation.pk}")
    context = {"observation": observation, "child": observation.child, "form": form}
    return render(request, "engagement/observations/reply.html", context, status=400)
