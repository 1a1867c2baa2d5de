"""Message pages: a parent's threads, starting one, and a thread (both sides). Every lookup
goes through the access module and raises 404 for anyone who may not see it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from practice.access import child_for_user
from practice.auditlog.services import audit, client_ip
from practice.decorators import parent_required
from practice.request_time import request_communication_policy, request_practice

from ..selectors import portal_children
from . import selectors, services
from .forms import ReplyForm, ThreadStartForm


def _boundaries(request: HttpRequest) -> dict:
    """What every message form shows: the emergency notice and the expected response time."""
    return {"communication": request_communication_policy(request)}


@parent_required
def portal_messages(request: HttpRequest) -> HttpResponse:
    children = portal_children(request.user, practice=request_practice(request))
    threads = selectors.threads_for_guardian(
        request.user, [entry.child_policy for entry in children]
    )
    context = {"children": children, "threads": threads, **_boundaries(request)}
    return render(request, "engagement/messaging/portal_messages.html", context)


@parent_required
def thread_start(request: HttpRequest, child_pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, child_pk)
    if not (child_policy.is_guardian and child_policy.own_items):
        raise Http404
    form = ThreadStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_start(
                child=child,
                guardian=request.user,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your message was sent to the care team."))
            return redirect("message_thread", pk=thread.pk)
    context = {"form": form, "child": child, **_boundaries(request)}
    return render(request, "engagement/messaging/thread_start.html", context)


@login_required
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread, child_policy = selectors.thread_for_user(request.user, pk)
    may_reply = (
        child_policy.is_care_team or child_policy.is_guardian
    ) and not thread.child.is_discharged
    form = ReplyForm(request.POST or None) if may_reply else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.message_send(
                    thread=thread,
                    by=request.user,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Sent."))
                return redirect("message_thread", pk=thread.pk)
    if child_policy.is_care_team or child_policy.is_guardian:
        services.thread_mark_read(thread=thread, by=request.user)
    emergency = {"break_glass": True} if child_policy.is_emergency else {}
    audit(
        actor=request.user,
        action="message.thread_view",
        target=thread,
        ip_address=client_ip(request),
        **emergency,
    )
    context = {
        "thread": thread,
        "policy": child_policy,
        "thread_messages": selectors.thread_messages(thread),
        "form": form,
        **_boundaries(request),
    }
    return render(request, "engagement/messaging/thread.html", context)
