from django.shortcuts import get_object_or_404, render

from ..access import child_for_user
from ..decorators import practice_admin_required
from ..models import User
from ..pagination import page_context
from ..request_time import request_practice
from .forms import AuditFilterForm
from .selectors import audit_actions, audit_events


def _audit_page(request, *, child=None, actor=None):
    form = AuditFilterForm(request.GET or None, actions=audit_actions())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = audit_events(
        child=child,
        actor=actor,
        action=filters.get("action", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        tz=request_practice(request).tz,
    )
    return render(
        request,
        "practice/audit/list.html",
        {"form": form, "child": child, "actor": actor, **page_context(request, events)},
    )


@practice_admin_required
def audit_list(request):
    return _audit_page(request)


@practice_admin_required
def audit_child(request, pk):
    child, _policy = child_for_user(request.user, pk)
    return _audit_page(request, child=child)


@practice_admin_required
def audit_user(request, pk):
    return _audit_page(request, actor=get_object_or_404(User, pk=pk))
