from django import forms
from django.utils.translation import gettext_lazy as _

from goals.models import GAS_LEVELS
from practice.forms import HiddenErrorsShown, once_key_field, state_text_limits

from .models import MAX_OBSERVATION


class ObservationForm(HiddenErrorsShown, forms.Form):
    text = forms.CharField(
        label=_("What did you notice at home?"),
        max_length=MAX_OBSERVATION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only you and the care team see this."),
    )
    goal = forms.TypedChoiceField(
        label=_("About a goal (optional)"), coerce=int, empty_value=None, required=False
    )
    level = forms.TypedChoiceField(
        label=_("How is it going with that goal? (optional)"),
        choices=[("", _("No rating"))] + [(value, label) for value, label in GAS_LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    once_key = once_key_field()  # a double-clicked "Share" shares once

    def __init__(self, *args, goals, **kwargs):
        """`goals`: the active goals this guardian may see (a list, so the portal page can
        reuse the goals it already loaded), or None without the goals right (limited access,
        sharing level safety only): then text only."""
        super().__init__(*args, **kwargs)
        state_text_limits(self)
        if goals is None:
            del self.fields["goal"], self.fields["level"]
            return
        self.goals = {goal.pk: goal for goal in goals}
        choices = [(goal.pk, goal.title) for goal in goals]
        self.fields["goal"].choices = [("", _("None"))] + choices

    def clean_goal(self):
        pk = self.cleaned_data.get("goal")
        return self.goals.get(pk) if pk is not None else None

    def clean(self):
        data = super().clean()
        if data.get("level") is not None and data.get("goal") is None:
            self.add_error("goal", _("Choose the goal this rating is about."))
        return data


class ReplyForm(HiddenErrorsShown, forms.Form):
    text = forms.CharField(
        label=_("Reply"), max_length=MAX_OBSERVATION, widget=forms.Textarea(attrs={"rows": 2})
    )
    once_key = once_key_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        state_text_limits(self)
