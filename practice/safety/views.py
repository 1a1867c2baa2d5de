from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..access import child_for_user
from ..decorators import clinician_required
from ..forms import add_service_errors
from .forms import SafetyConcernForm
from .selectors import guardianships_to_tell
from .services import safety_concern_record


@clinician_required
def safety_concern_add(request, pk):
    child, child_policy = child_for_user(request.user, pk)
    if not child_policy.may_write("safety"):  # the care team, or an emergency reader
        raise Http404
    form = SafetyConcernForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        try:
            concern = safety_concern_record(
                child=child, recorded_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            told = len(guardianships_to_tell(concern))
            messages.success(
                request,
                ngettext(
                    "The safety concern was recorded. %(count)s guardian can now read the "
                    "family's statement in the portal.",
                    "The safety concern was recorded. %(count)s guardians can now read the "
                    "family's statement in the portal.",
                    told,
                )
                % {"count": told}
                if told
                else _("The safety concern was recorded. No guardian was told."),
            )
            return redirect("child_detail", pk=child.pk)
    return render(request, "practice/safety/concern_form.html", {"form": form, "child": child})
