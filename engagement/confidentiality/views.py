"""The portal side of the confidentiality agreement: a guardian acknowledges the version in
force. The model and the rules are practice's (practice/confidentiality.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from practice.access import child_for_user
from practice.confidentiality import agreement_acknowledge
from practice.decorators import parent_required
from practice.request_time import request_today


@require_POST
@parent_required
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, pk)
    agreement_pk = request.POST.get("agreement", "")
    if not agreement_pk.isdigit():
        raise Http404
    agreement = child.confidentiality_agreements.filter(pk=int(agreement_pk)).first()
    if agreement is None:
        raise Http404
    try:
        agreement_acknowledge(
            agreement=agreement,
            guardian=request.user,
            today=request_today(request),
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you. The care team can see that you have read it."))
    if request.POST.get("back") == "home":
        return redirect("portal_home")
    return redirect("portal_child", pk=child.pk)
