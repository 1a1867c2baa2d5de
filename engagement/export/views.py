"""Exports: a child's record for the care team (a printable page), and a family's own data for
a parent (a printable page and a JSON download). Each one is audited as a disclosure."""

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from practice.access import child_for_user
from practice.auditlog.services import audit_request
from practice.decorators import clinician_required, parent_required
from practice.request_time import request_now, request_practice, request_today

from . import selectors


@clinician_required
def child_record(request: HttpRequest, pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, pk)
    if not child_policy.clinical:  # the care team, or an emergency reader: read-only either way
        raise Http404
    record = selectors.child_record(child_policy, child)
    audit_request(
        request, child_policy=child_policy, child=child, action="export.record", format="print"
    )
    return render(
        request,
        "engagement/export/child_record.html",
        {"record": record, "child": child, "age": child.age_on(request_today(request))},
    )


def _family(request: HttpRequest, child_pk: int | None, as_json: bool) -> HttpResponse:
    if child_pk is not None:
        child_for_user(request.user, child_pk)  # 404 for a child this parent may not see
    practice = request_practice(request)
    data, children = selectors.family_export(
        request.user, practice, request_now(request), child_id=child_pk
    )
    for child in children:
        audit_request(
            request, child=child, action="export.family", format="json" if as_json else "print"
        )
    if not as_json:
        return render(
            request, "engagement/export/family.html", {"data": data, "child_pk": child_pk}
        )
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    name = slugify(f"{practice.name} {data['exported_at'][:10]}") or "export"
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@parent_required
def family(request: HttpRequest) -> HttpResponse:
    return _family(request, None, as_json=False)


@parent_required
def family_json(request: HttpRequest) -> HttpResponse:
    return _family(request, None, as_json=True)


@parent_required
def family_child(request: HttpRequest, pk: int) -> HttpResponse:
    return _family(request, pk, as_json=False)


@parent_required
def family_child_json(request: HttpRequest, pk: int) -> HttpResponse:
    return _family(request, pk, as_json=True)
