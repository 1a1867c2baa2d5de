import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from practice.forms import DateInput, state_text_limits

from .models import CheckIn, HomePractice
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
        state_text_limits(self)

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until < self.today:
            raise forms.ValidationError(PAST_ERROR)
        return until


class CheckInForm(forms.Form):
    """One tap posts only `done`; the fuller "how did it go" form adds the rest."""

    done = forms.TypedChoiceField(
        label=_("Did you practise?"),
        choices=[("yes", _("Done")), ("no", _("Not today"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    how_it_went = forms.TypedChoiceField(
        label=_("How did it go?"),
        choices=[("", _("Skip"))] + CheckIn.HowItWent.choices,
        coerce=int,
        empty_value=None,
        required=False,
    )
    difficulty = forms.ChoiceField(
        label=_("How hard was it?"),
        choices=[("", _("Skip"))] + CheckIn.Difficulty.choices,
        required=False,
    )
    note = forms.CharField(
        label=_("Anything to add (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    for_date = forms.DateField(label=_("Day"), required=False, widget=DateInput())

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["for_date"].widget.attrs["max"] = today.isoformat()
        state_text_limits(self)
