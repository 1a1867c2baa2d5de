from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..access import child_for_user
from ..auditlog.services import client_ip
from ..decorators import clinician_required
from ..forms import form_saved
from .forms import SafetyConcernForm
from .selectors import guardianships_to_tell
from .services import safety_concern_record


@clinician_required
def safety_concern_add(request: HttpRequest, pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, pk)
    if not child_policy.may_write("safety"):  # the care team, or an emergency reader
        raise Http404
    form = SafetyConcernForm(request.POST or None, child=child)
    saved = form_saved(
        request,
        form,
        lambda data: safety_concern_record(
            child=child, recorded_by=request.user, ip_address=client_ip(request), **data
        ),
        _recorded_message,
    )
    if saved:
        return redirect("child_detail", pk=child.pk)
    return render(request, "practice/safety/concern_form.html", {"form": form, "child": child})


def _recorded_message(concern) -> str:
    told = len(guardianships_to_tell(concern))
    if not told:
        return _("The safety concern was recorded. No guardian was told.")
    return ngettext(
        "The safety concern was recorded. %(count)s guardian can now read the "
        "family's statement in the portal.",
        "The safety concern was recorded. %(count)s guardians can now read the "
        "family's statement in the portal.",
        told,
    ) % {"count": told}
