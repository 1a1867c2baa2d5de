"""The communication boundaries page: a practice admin reads and changes the practice's
CommunicationPolicy, and sees its latest changes with their before and after."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from practice.decorators import practice_admin_required
from practice.forms import add_service_errors
from practice.models import AuditEvent, CommunicationPolicy
from practice.request_time import request_practice

from . import services
from .forms import CommunicationPolicyForm

ACTION = "communication_policy.update"
RECENT_CHANGES = 5


def _shown(form, name: str, value) -> str:
    """A stored value as the page's form words it (choices by their label)."""
    field = form.fields.get(name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        labels = dict(field.choices) if field is not None else {}
        return ", ".join(str(labels.get(item, item)) for item in value) or _("none")
    choices = dict(getattr(field, "choices", None) or [])
    label = str(choices.get(value, value))
    # Long choice labels and texts read as their start: the full text is on the form.
    return label if len(label) <= 60 else label[:57].rstrip() + "…"


def _recent_changes(form, communication: CommunicationPolicy) -> list[dict]:
    events = (
        AuditEvent.objects.filter(
            action=ACTION, target_type=communication._meta.label, target_id=str(communication.pk)
        )
        .select_related("actor")
        .order_by("-at")[:RECENT_CHANGES]
    )
    return [
        {
            "at": event.at,
            "actor": event.actor,
            "items": [
                {
                    "label": form.fields[name].label if name in form.fields else name,
                    "before": _shown(form, name, change.get("before")),
                    "after": _shown(form, name, change.get("after")),
                }
                for name, change in (event.details.get("changes") or {}).items()
            ],
        }
        for event in events
    ]


def _saved_message(form, changes: dict) -> str:
    labels = ", ".join(str(form.fields[name].label) for name in form.fields if name in changes)
    return _("The communication boundaries were saved. Changed: %(fields)s.") % {"fields": labels}


@practice_admin_required
def communication_policy(request):
    # The timezone middleware has loaded the practice already.
    practice = request_practice(request)
    communication = services.communication_policy_for(practice)
    form = CommunicationPolicyForm(
        request.POST or None, communication=communication, tz=practice.tz
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.communication_policy_update(
                communication=communication, user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if changes:
                messages.success(request, _saved_message(form, changes))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("communication_policy")
    return render(
        request,
        "practice/policy/communication.html",
        {
            "form": form,
            "policy": communication,
            "sending_hours": services.sending_hours(
                communication.quiet_hours_start, communication.quiet_hours_end
            ),
            "recent_changes": _recent_changes(form, communication),
        },
    )
