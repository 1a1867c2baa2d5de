from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from practice.access import child_for_user
from practice.auditlog.services import audit, audit_request, client_ip
from practice.decorators import clinician_required, practice_admin_required
from practice.models import Child
from practice.request_time import request_now, request_practice

from .report import engagement_report
from .selectors import family_engagement, score_of


@practice_admin_required
def report(request: HttpRequest) -> HttpResponse:
    practice = request_practice(request)
    audit(actor=request.user, action="report.engagement_view", ip_address=client_ip(request))
    return render(
        request,
        "engagement/engagement_signals/report.html",
        {"report": engagement_report(request_now(request), practice.tz)},
    )


@clinician_required
def child_engagement(request: HttpRequest, pk: int) -> HttpResponse:
    """One family's engagement signals with their parts and trend, for the care team."""
    child, child_policy = child_for_user(request.user, pk)
    if not child_policy.clinical:
        raise Http404
    audit_request(request, child_policy=child_policy, child=child, action="engagement.view")
    practice = request_practice(request)
    family = score_of(
        family_engagement(Child.objects.filter(pk=child.pk), request_now(request), practice.tz),
        child.pk,
    )
    return render(
        request,
        "engagement/engagement_signals/child.html",
        {"child": child, "policy": child_policy, "engagement": family},
    )
