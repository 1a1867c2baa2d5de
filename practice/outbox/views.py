"""The admin's delivery page: every outbox row's state, attempts and last error, never its
subject or body; a failed row can be sent again."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..decorators import practice_admin_required
from ..pagination import page_context
from .forms import OutboxFilterForm
from .models import OutgoingEmail
from .selectors import DELIVERY_FIELDS, outbox_counts, outbox_rows
from .services import email_retry


@practice_admin_required
def outbox_list(request):
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = outbox_rows(state=filters.get("state", ""), kind=filters.get("kind", ""))
    return render(
        request,
        "practice/outbox/list.html",
        {
            "form": form,
            **page_context(request, rows),
            "counts": outbox_counts(),
            "here": request.GET.urlencode(),
            "now": timezone.now(),
        },
    )


def _back_to_list(request):
    # Back to the same filters and page; only the list's own parameters are carried over.
    sent = QueryDict(request.POST.get("here", ""))
    query = QueryDict(mutable=True)
    for name in ("state", "kind", "page"):
        if sent.get(name):
            query[name] = sent[name]
    url = reverse("outbox_list")
    return redirect(f"{url}?{query.urlencode()}" if query else url)


@require_POST
@practice_admin_required
def outbox_retry(request, pk):
    email = get_object_or_404(OutgoingEmail.objects.only(*DELIVERY_FIELDS), pk=pk)
    try:
        email_retry(email=email, user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The email to %(recipient)s is queued to be sent again.")
            % {"recipient": email.recipient},
        )
    return _back_to_list(request)
