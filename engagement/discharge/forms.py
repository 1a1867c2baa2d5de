from django import forms
from django.utils.translation import gettext_lazy as _

from practice.models import Stage

from .models import DischargeSummary
from .services import TERMINATION_THROUGH_DISCHARGE


class StageChangeForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    family_note = forms.CharField(
        label=_("A note for the family (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "In plain words. Every guardian with portal access sees it, whatever the sharing "
            "level: keep clinical detail out."
        ),
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        self.fields["to_stage"].choices = [(v, label) for v, label in Stage.choices if v != current]
        # Termination is not offered (only discharge reaches it), and refused with a clear
        # message when sent anyway; the service refuses it too.
        self.fields["to_stage"].widget.choices = [
            (v, label) for v, label in self.fields["to_stage"].choices if v != Stage.TERMINATION
        ]

    def clean_to_stage(self):
        stage = self.cleaned_data["to_stage"]
        if stage == Stage.TERMINATION:
            raise forms.ValidationError(TERMINATION_THROUGH_DISCHARGE)
        return stage


class DischargeForm(forms.ModelForm):
    confirm = forms.BooleanField(
        label=_(
            "We have talked this through with the family. After discharge the record is "
            "read-only and updates stop."
        ),
        error_messages={"required": _("Tick this to confirm the discharge.")},
    )

    class Meta:
        model = DischargeSummary
        fields = ["goals_achieved", "keep_practising", "coming_back"]
        widgets = {
            "goals_achieved": forms.Textarea(attrs={"rows": 4}),
            "keep_practising": forms.Textarea(attrs={"rows": 4}),
            "coming_back": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "goals_achieved": _("Started from the goals marked achieved; say it in your words."),
            "keep_practising": _("The strategies that worked, and how to keep them going."),
        }
        error_messages = {
            "goals_achieved": {"required": _("Tell the family what their child achieved.")},
            "keep_practising": {"required": _("Tell the family what to keep practising.")},
            "coming_back": {"required": _("Tell the family when and how to come back.")},
        }
