from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from practice.decorators import parent_required

from . import selectors, services
from .forms import ParentProfileForm


@parent_required
def about_you(request: HttpRequest) -> HttpResponse:
    profile = selectors.own_profile(request.user)
    form = ParentProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.parent_profile_update(parent=request.user, **form.cleaned_data)
        messages.success(request, _("Saved. Your care team will see this beside your family."))
        return redirect("about_you")
    return render(request, "engagement/profiles/about_you.html", {"form": form})
