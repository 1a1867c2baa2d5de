from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import DateInput
from .words import action_choices


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("What happened"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Every action")), *action_choices(actions)]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned
