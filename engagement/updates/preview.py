"""A clinician previews the progress email a child's guardian would get for the current period:
nothing is sent and nothing saved but the audit event. Only the sections for children on this
clinician's care team show; the guardian's own policy (practice.access) decides what is in
them, exactly as for the real email."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from practice.access import caseload_for, child_for_user
from practice.auditlog.services import audit_request
from practice.decorators import clinician_required
from practice.models import Guardianship, Practice
from practice.policy.services import communication_policy_for
from practice.request_time import request_now, request_practice

from .content import ChildSection, ProgressEmail, build_progress_emails
from .delivery import period_starts
from .models import UpdatePreference
from .schedule import is_receiving


@dataclass
class Preview:
    email: ProgressEmail
    pref: UpdatePreference
    receiving: bool
    section: ChildSection | None  # this child's, None when the guardian hears nothing of it
    # Not the parent's working link: a clinician's click must not unsubscribe them.
    unsubscribe_placeholder: str


def _preview(
    guardianship: Guardianship, clinician, now: datetime.datetime, practice: Practice
) -> Preview:
    parent = guardianship.guardian
    communication = communication_policy_for(practice)
    pref = UpdatePreference.objects.filter(parent=parent).first() or UpdatePreference(
        parent=parent, cadence=communication.default_cadence
    )
    pref.parent = parent
    start = period_starts([pref], now)[parent.pk]
    placeholder = settings.SITE_URL + reverse("update_unsubscribe", args=["preview"])
    (email,) = build_progress_emails(
        [parent],
        {parent.pk: (start, now)},
        communication,
        practice=practice,
        now=now,
        only_children=caseload_for(clinician).values("pk"),
        unsubscribe_link=lambda _parent: placeholder,
    )
    section = next((s for s in email.sections if s.child.pk == guardianship.child_id), None)
    return Preview(email, pref, is_receiving(pref, communication), section, placeholder)


@clinician_required
def progress_preview(request: HttpRequest, pk: int, guardianship_pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, pk)
    if not child_policy.is_care_team:
        raise Http404
    guardianship = get_object_or_404(
        Guardianship.objects.select_related("guardian"), pk=guardianship_pk, child=child
    )
    preview = _preview(guardianship, request.user, request_now(request), request_practice(request))
    audit_request(
        request,
        child=child,
        action="progress_update.preview",
        target=guardianship,
        guardian=guardianship.guardian_id,
    )
    return render(
        request,
        "engagement/updates/preview.html",
        {
            "child": child,
            "guardianship": guardianship,
            "preview": preview,
            "no_access": guardianship.access == Guardianship.Access.NONE,
            **preview.email.context,
        },
    )
