"""Goal pages: drafting and editing (care team), proposing and rating from home (parents),
one goal's page with its chart, ratings side by side, comments and history."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from practice.access import ChildPolicy, child_for_user
from practice.auditlog.services import audit_request
from practice.decorators import clinician_required, parent_required
from practice.forms import add_service_errors, form_saved
from practice.fragments import cached_html
from practice.request_time import request_today

from . import selectors, services
from .charts import progress_chart
from .forms import CommentForm, GoalForm, GoalProposalForm, RatingForm, StatusForm
from .models import Goal, GoalRating
from .scores import T_SCORE_HELP


def _back_to_child(request: HttpRequest, child_pk: int) -> HttpResponse:
    return redirect("portal_child" if request.user.is_parent else "child_detail", pk=child_pk)


@clinician_required
def goal_add(request: HttpRequest, child_pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, child_pk)
    if not child_policy.is_care_team:
        raise Http404
    today = request_today(request)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        agree = data.pop("agree")
        try:
            goal = services.goal_create(
                child=child, clinician=request.user, agree=agree, today=today, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The goal “%(title)s” was saved.") % {"title": goal})
            return redirect("goal_detail", pk=goal.pk)
    return render(request, "goals/goal_form.html", {"form": form, "child": child, "goal": None})


@clinician_required
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal, child_policy = selectors.goal_for_user(request.user, pk)
    if not child_policy.is_care_team:
        raise Http404
    form = GoalForm(request.POST or None, instance=goal, editing=True)
    conflict = None
    if request.method == "POST" and form.is_valid():
        fresh = Goal.objects.get(pk=goal.pk)  # the form wrote onto `goal`; diff against the row
        data = dict(form.cleaned_data)
        try:
            services.goal_update(
                goal=fresh,
                clinician=request.user,
                version=data.pop("version"),
                today=request_today(request),
                **data,
            )
        except services.GoalEditConflict as error:
            conflict = error
            form = _form_over(error.saved, request.POST)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved. The change is kept in the goal's history."))
            return redirect("goal_detail", pk=pk)
    context = {"form": form, "child": goal.child, "goal": goal, "conflict": conflict}
    return render(request, "goals/goal_form.html", context, status=409 if conflict else 200)


def _form_over(saved: Goal, typed) -> GoalForm:
    """After a conflict: what this person typed, now over the version saved meanwhile, so
    saving again (having compared) keeps theirs, and a third person's save is caught too."""
    data = typed.copy()
    data["version"] = saved.version
    form = GoalForm(data, instance=saved, editing=True)
    form.is_valid()  # it was valid a moment ago; bound and checked, it renders without noise
    return form


@parent_required
def goal_propose(request: HttpRequest, child_pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, child_pk)
    if not child_policy.goals:
        raise Http404
    form = GoalProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_propose(child=child, parent=request.user, **form.cleaned_data)
        except ValidationError as error:  # e.g. the child has been discharged
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you. %(child)s's care team will talk it through with you and agree it.")
                % {"child": child.preferred_name or child.first_name},
            )
            return redirect("goal_detail", pk=goal.pk)
    return render(request, "goals/goal_propose.html", {"form": form, "child": child})


def _detail_page(
    request: HttpRequest, goal: Goal, child_policy: ChildPolicy, *, status: int = 200, **forms
) -> HttpResponse:
    """The goal's page; its record cached per viewer until the next write about the child (a
    form posted back with its errors is rendered, never cached)."""
    record = cached_html(
        request,
        "goal-record",
        lambda: render_to_string(
            "goals/_goal_record.html",
            _detail_context(request, goal, child_policy, **forms),
            request,
        ),
        child_policy=child_policy,
        versions=(goal.child.record_version, goal.pk),
    )
    context = {"goal": goal, "child": goal.child, "policy": child_policy, "record": record}
    return render(request, "goals/goal_detail.html", context, status=status)


def _detail_context(
    request: HttpRequest, goal: Goal, child_policy: ChildPolicy, **forms: Form
) -> dict:
    prefetch_related_objects([goal], "ratings__rated_by")
    board_view = selectors.goal_view(goal)
    today = request_today(request)
    is_parent = request.user.is_parent
    rating_initial = {"rated_on": today, "perspective": "clinician"}
    may_rate = child_policy.is_care_team or child_policy.is_guardian
    return {
        "goal": goal,
        "child": goal.child,
        "policy": child_policy,
        "view": board_view,
        "chart": progress_chart(board_view.ratings),
        "comments": selectors.goal_comments(goal),
        "history": selectors.goal_history(goal) if child_policy.is_care_team else [],
        "rating_form": forms.get("rating_form")
        or RatingForm(for_parent=is_parent, initial=rating_initial),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "can_rate": goal.status == Goal.Status.ACTIVE and may_rate and not goal.child.is_discharged,
        "t_score_help": T_SCORE_HELP,
    }


def _post_on_detail(
    request: HttpRequest,
    goal: Goal,
    child_policy: ChildPolicy,
    *,
    save: Callable[[dict[str, Any]], Any],
    success: str,
    **forms: Form,
) -> HttpResponse:
    """A form posted from the goal's page (one of `forms`, named as in _detail_context): saved,
    back to the page; otherwise the page again with the form's errors (400). A service's
    PermissionDenied is a 404."""
    [form] = forms.values()
    try:
        saved = form_saved(request, form, save, success)
    except PermissionDenied as error:
        raise Http404 from error
    if saved:
        return redirect("goal_detail", pk=goal.pk)
    return _detail_page(request, goal, child_policy, status=400, **forms)


@login_required
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal, child_policy = selectors.goal_for_user(request.user, pk)
    audit_request(
        request, child_policy=child_policy, child=goal.child, action="goal.view", target=goal
    )
    return _detail_page(request, goal, child_policy)


@require_POST
@login_required
def goal_rate(request: HttpRequest, pk: int) -> HttpResponse:
    goal, child_policy = selectors.goal_for_user(request.user, pk)
    form = RatingForm(request.POST, for_parent=request.user.is_parent)
    return _post_on_detail(
        request,
        goal,
        child_policy,
        rating_form=form,
        save=lambda data: services.goal_rate(
            goal=goal,
            rated_by=request.user,
            level=data["level"],
            rated_on=data["rated_on"],
            source=GoalRating.Source.REVIEW,
            perspective=data.get("perspective", "clinician"),
            note=data["note"],
            today=request_today(request),
        ),
        success=_("Thank you: the rating was saved."),
    )


@require_POST
@login_required
def goal_comment(request: HttpRequest, pk: int) -> HttpResponse:
    goal, child_policy = selectors.goal_for_user(request.user, pk)
    form = CommentForm(request.POST)
    return _post_on_detail(
        request,
        goal,
        child_policy,
        comment_form=form,
        save=lambda data: services.goal_comment(goal=goal, author=request.user, text=data["text"]),
        success=_("Your comment was added."),
    )


@require_POST
@clinician_required
def goal_agree(request: HttpRequest, pk: int) -> HttpResponse:
    goal, child_policy = selectors.goal_for_user(request.user, pk)
    try:
        services.goal_agree(goal=goal, clinician=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        if goal.child.is_discharged:
            messages.error(request, " ".join(error.messages))
            return redirect("goal_detail", pk=pk)
        messages.error(
            request,
            _("Describe all five levels before agreeing this goal: edit it first."),
        )
        return redirect("goal_edit", pk=pk)
    messages.success(request, _("Agreed: the goal is now active and the family can see it."))
    return redirect("goal_detail", pk=pk)


@require_POST
@clinician_required
def goal_status(request: HttpRequest, pk: int) -> HttpResponse:
    goal, child_policy = selectors.goal_for_user(request.user, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.goal_set_status(
                goal=goal, clinician=request.user, status=form.cleaned_data["status"]
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The goal's status was changed."))
    return redirect("goal_detail", pk=pk)
