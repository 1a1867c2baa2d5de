"""The product's own page for a request Django refuses before any view runs: a form sent with
more than DATA_UPLOAD_MAX_MEMORY_SIZE bytes or DATA_UPLOAD_MAX_NUMBER_FIELDS fields, or any
other bad request. It says in plain words what happened and that nothing was saved."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        reason, status = "too_big", 413
    elif isinstance(exception, TooManyFieldsSent):
        reason, status = "too_many_fields", 413
    else:
        reason, status = "bad", 400
    context = {"reason": reason, "limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
    return render(request, "400.html", context, status=status)
