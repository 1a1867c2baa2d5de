"""The engagement agreement: recorded by the care team on the child page, agreed to by each
guardian in the portal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from practice.access import child_for_user
from practice.decorators import clinician_required, parent_required

from . import services
from .forms import EngagementAgreementForm
from .models import EngagementAgreement


@clinician_required
def agreement_record(request: HttpRequest, child_pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, child_pk)
    if not child_policy.is_care_team:
        raise Http404
    form = EngagementAgreementForm(request.POST or None, initial=services.agreement_defaults(child))
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_agreement_record(
                child=child, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Recorded. Each guardian will be asked to agree to it."))
            return redirect("child_detail", pk=child.pk)
    previous = child.engagement_agreements.order_by("-version").first()
    return render(
        request,
        "engagement/engagement_agreements/form.html",
        {
            "form": form,
            "child": child,
            "previous": previous,
            "reply_days": services.reply_time_business_days(),
        },
    )


@require_POST
@parent_required
def agreement_acknowledge(request: HttpRequest, child_pk: int, pk: int) -> HttpResponse:
    child, child_policy = child_for_user(request.user, child_pk)
    agreement = EngagementAgreement.objects.filter(pk=pk, child=child).first()
    if agreement is None:
        raise Http404
    agreement.child = child
    try:
        services.engagement_agreement_acknowledge(
            agreement=agreement, guardian=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you. The care team can see that you agreed."))
    return redirect("portal_child", pk=child.pk)
