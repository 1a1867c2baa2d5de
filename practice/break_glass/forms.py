from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .services import validate_reason


class BreakGlassSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Child's name"),
        min_length=2,
        max_length=100,
        error_messages={"min_length": _("Type at least two letters of the child's name.")},
    )


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need this record now?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "At least a sentence. The practice's administrators see who opened which record, "
            "when and why."
        ),
    )

    def clean_reason(self):
        try:
            return validate_reason(self.cleaned_data["reason"])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["reason"]) from None
