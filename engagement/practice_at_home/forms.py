import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from practice.forms import DateInput

from .models import HomePractice
from .services import GOAL_ERROR, PAST_ERROR


class HomePracticeForm(forms.ModelForm):
    class Meta:
        model = HomePractice
        fields = [
            "goal",
            "title",
            "instructions",
            "frequency",
            "frequency_detail",
            "until",
            "demonstration",
        ]
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 4}),
            "demonstration": forms.Textarea(attrs={"rows": 3}),
            "until": DateInput(),
        }
        labels = {"goal": _("For the goal")}
        help_texts = {
            "title": _("A short name the family will recognise, e.g. “Feelings chart at bedtime”."),
            "instructions": _("Plain language: the family reads this in the portal."),
        }
        error_messages = {"goal": {"invalid_choice": GOAL_ERROR, "required": GOAL_ERROR}}

    def __init__(self, *args, goals, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["goal"].queryset = goals
        self.fields["goal"].empty_label = _("Choose a goal")
        self.fields["until"].widget.attrs["min"] = today.isoformat()

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until < self.today:
            raise forms.ValidationError(PAST_ERROR)
        return until
