from django import forms
from django.utils.translation import gettext_lazy as _

from practice.models import User


class ClinicianLeaveForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=_("Who takes over the caseload"),
        queryset=User.objects.none(),
        help_text=_("Every child moves to this clinician, who becomes primary where they were."),
    )

    def __init__(self, *args, leaving: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = User.objects.filter(
            role=User.Role.CLINICIAN, is_active=True
        ).exclude(pk=leaving.pk)
