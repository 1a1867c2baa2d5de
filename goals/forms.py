from django import forms
from django.utils.translation import gettext_lazy as _

from practice.forms import (
    OUT_OF_DATE,
    DateInput,
    HiddenErrorsShown,
    once_key_field,
    state_text_limits,
)

from .models import GAS_LEVELS, LEVEL_FIELDS, MAX_GOAL_TEXT, Goal, GoalRating, Perspective


class GoalForm(HiddenErrorsShown, forms.ModelForm):
    """Adding a goal (with a once key: a double click makes one) or editing one (with the
    version it was shown at: a save over someone else's newer save is refused)."""

    agree = forms.BooleanField(
        label=_("Agreed with the family: make it active now"), required=False, initial=True
    )
    once_key = once_key_field()
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
    )

    class Meta:
        model = Goal
        fields = [
            "title",
            "domain",
            "child_words",
            "why_it_matters",
            "proposed_by",
            "measurement",
            "baseline",
            "baseline_level",
            "level_minus_2",
            "level_minus_1",
            "level_0",
            "level_plus_1",
            "level_plus_2",
            "weight",
            "review_date",
            "private_to_child",
        ]
        widgets = {
            "review_date": DateInput(),
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in [
                    "child_words",
                    "why_it_matters",
                    "measurement",
                    "baseline",
                    "level_minus_2",
                    "level_minus_1",
                    "level_0",
                    "level_plus_1",
                    "level_plus_2",
                ]
            },
        }

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        state_text_limits(self)
        if editing:
            del self.fields["agree"], self.fields["once_key"]
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("agree"):
            for name in LEVEL_FIELDS.values():
                if not (cleaned.get(name) or "").strip():
                    self.add_error(
                        name, _("Describe this level: all five are needed for an active goal.")
                    )
        return cleaned


class GoalProposalForm(HiddenErrorsShown, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "domain", "why_it_matters", "child_words", "level_0"]
        labels = {
            "title": _("What would you like your child to work on?"),
            "why_it_matters": _("Why does it matter to your family?"),
            "child_words": _("How would your child say it? (optional)"),
            "level_0": _("What would success look like in a few months? (optional)"),
            "domain": _("Which area is it about?"),
        }
        widgets = {
            "why_it_matters": forms.Textarea(attrs={"rows": 3}),
            "child_words": forms.Textarea(attrs={"rows": 2}),
            "level_0": forms.Textarea(attrs={"rows": 2}),
        }

    once_key = once_key_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["why_it_matters"].required = True
        state_text_limits(self)


class RatingForm(forms.ModelForm):
    level = forms.TypedChoiceField(
        label=_("How is it going?"), choices=GAS_LEVELS, coerce=int, widget=forms.RadioSelect
    )

    class Meta:
        model = GoalRating
        fields = ["level", "rated_on", "perspective", "note"]
        widgets = {"rated_on": DateInput()}
        labels = {"perspective": _("Whose view is this?")}

    def __init__(self, *args, for_parent=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].error_messages["invalid_choice"] = _("Choose a level from −2 to +2.")
        state_text_limits(self)
        if for_parent:
            del self.fields["perspective"]
        else:
            self.fields["perspective"].choices = [
                (Perspective.CLINICIAN, _("Mine (clinician)")),
                (Perspective.CHILD, _("The child's own rating")),
            ]


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Add a comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_GOAL_TEXT,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        state_text_limits(self)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Goal.Status.choices)
