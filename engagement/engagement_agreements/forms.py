from django import forms
from django.utils.translation import gettext_lazy as _

from practice.models import CommunicationPolicy

from .models import EngagementAgreement


class EngagementAgreementForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("Ways to reach the care team"),
        choices=CommunicationPolicy.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = EngagementAgreement
        fields = [
            "parent_sessions",
            "parent_role",
            "channels",
            "communication_guidance",
        ]
        widgets = {
            "parent_role": forms.Textarea(attrs={"rows": 3}),
            "communication_guidance": forms.Textarea(attrs={"rows": 3}),
        }
