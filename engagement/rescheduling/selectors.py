"""Reads for reschedule requests: open ones for the care team (caseload, child page), and each
guardian's own requests with the clinician's answer (written for the family)."""

from __future__ import annotations

from django.http import Http404

from practice.access import ChildPolicy, caseload_for, child_for_user
from practice.models import Child, User

from ..visits.models import SessionLog
from .models import RescheduleRequest


def open_requests_for_caseload(clinician: User) -> list[RescheduleRequest]:
    """Open requests on the clinician's caseload, oldest first (one query)."""
    return list(
        RescheduleRequest.objects.filter(
            status=RescheduleRequest.Status.OPEN,
            session__child__in=caseload_for(clinician).values("pk"),
            session__child__discharged_on__isnull=True,
        )
        .select_related("session__child", "guardian")
        .order_by("created_at")
    )


def requests_for_care_team(
    child_policy: ChildPolicy | None, child: Child
) -> list[RescheduleRequest]:
    """Every request for the child, open first, for staff who may read the record."""
    if child_policy is None or child_policy.is_guardian or not child_policy.record:
        return []
    requests = RescheduleRequest.objects.filter(session__child=child).select_related(
        "session", "guardian", "session__rescheduled_to"
    )
    return sorted(requests[:20], key=lambda r: r.status != RescheduleRequest.Status.OPEN)


def requests_for_family(
    child_policy: ChildPolicy | None, child: Child, user: User
) -> list[RescheduleRequest]:
    """This guardian's own requests (row `own_items`); never a co-parent's."""
    if child_policy is None or not child_policy.is_guardian or not child_policy.own_items:
        return []
    return list(
        RescheduleRequest.objects.filter(session__child=child, guardian=user)
        .select_related("session")
        .only(
            "pk",
            "status",
            "answer",
            "preferred_times",
            "created_at",
            "answered_at",
            "session__scheduled_start",
            "session__child_id",
        )[:10]
    )


def session_for_family(user: User, child_pk: int, pk: int) -> tuple[SessionLog, ChildPolicy]:
    """An upcoming-or-past session of a child this guardian may see (row `record`); 404
    otherwise: for a barred guardian and another family the session does not exist."""
    child, child_policy = child_for_user(user, child_pk)
    if not child_policy.is_guardian or not child_policy.record:
        raise Http404
    session = SessionLog.objects.filter(pk=pk, child=child).first()
    if session is None:
        raise Http404
    session.child = child
    return session, child_policy


def request_for_care_team(user: User, pk: int) -> RescheduleRequest:
    child_id = (
        RescheduleRequest.objects.filter(pk=pk).values_list("session__child_id", flat=True).first()
    )
    if child_id is None:
        raise Http404
    child, child_policy = child_for_user(user, child_id)
    if not child_policy.is_care_team:
        raise Http404
    reschedule_request = RescheduleRequest.objects.select_related("session", "guardian").get(pk=pk)
    reschedule_request.session.child = child
    return reschedule_request
