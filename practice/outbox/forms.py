from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OutgoingEmail


class OutboxFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Every state")), *OutgoingEmail.State.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Every kind")), *OutgoingEmail.Kind.choices],
    )
