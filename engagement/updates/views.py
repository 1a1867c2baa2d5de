from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from practice.decorators import parent_required
from practice.forms import form_saved
from practice.request_time import request_now, request_practice

from . import selectors, services
from .forms import UpdatePreferenceForm
from .unsubscribe import parent_id_from_token


@parent_required
def preferences(request: HttpRequest) -> HttpResponse:
    page = selectors.preference_page(
        request.user, practice=request_practice(request), now=request_now(request)
    )
    form = UpdatePreferenceForm(
        request.POST or None, pref=page.pref, communication=page.communication
    )
    saved = form_saved(
        request,
        form,
        lambda data: services.update_preference_set(parent=request.user, request=request, **data),
        _("Saved. Your progress emails follow your new choices."),
    )
    if saved:
        return redirect("update_preferences")
    return render(request, "engagement/updates/preferences.html", {"page": page, "form": form})


# Mail providers POST the one-click unsubscribe (RFC 8058) with no CSRF token and no session.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        parent = selectors.parent_for_unsubscribe(parent_id_from_token(token))
    except signing.BadSignature:
        parent = None
    if parent is None:
        return render(request, "engagement/updates/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        services.update_preference_unsubscribe(parent=parent, request=request)
        return render(request, "engagement/updates/unsubscribe_done.html")
    # A GET changes nothing: mail scanners follow links.
    return render(request, "engagement/updates/unsubscribe_confirm.html")
