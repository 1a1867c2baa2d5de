import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from goals.models import GAS_LEVELS
from practice.forms import DateInput
from practice.models import User

from .models import MAX_SESSION_MINUTES, Activity, Addendum, Modality, SessionLog


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class StartForm(forms.Form):
    """A start in the practice's local time; `start()` gives the aware datetime."""

    start_date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Time"), widget=TimeInput())

    def __init__(self, *args, tz, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz

    def start(self) -> datetime.datetime:
        naive = datetime.datetime.combine(
            self.cleaned_data["start_date"], self.cleaned_data["start_time"]
        )
        return naive.replace(tzinfo=self.tz)


class ScheduleForm(StartForm):
    planned_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=5, max_value=MAX_SESSION_MINUTES, initial=50
    )
    modality = forms.ChoiceField(label=_("Where"), choices=Modality.choices)
    location = forms.CharField(label=_("Room, address or video link"), required=False)
    weeks = forms.IntegerField(
        label=_("Repeat weekly for how many weeks?"),
        min_value=1,
        max_value=52,
        initial=1,
        help_text=_("1 for a one-off session."),
    )


class RescheduleForm(StartForm):
    pass


class SessionLogForm(forms.ModelForm):
    guardians_attended = forms.ModelMultipleChoiceField(
        label=_("Guardians who took part"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    activities = forms.MultipleChoiceField(
        label=_("Activities"),
        choices=Activity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=1,
        max_value=MAX_SESSION_MINUTES,
        error_messages={
            "min_value": _("A session lasts between 1 minute and 8 hours."),
            "max_value": _("A session lasts between 1 minute and 8 hours."),
        },
    )

    class Meta:
        model = SessionLog
        fields = [
            "status",
            "duration_minutes",
            "modality",
            "location",
            "child_attended",
            "guardians_attended",
            "guardian_participation",
            "stage",
            "activities",
            "shared_summary",
            "summary_shared",
            "private_note",
            "next_steps",
        ]
        widgets = {
            "shared_summary": forms.Textarea(attrs={"rows": 4}),
            "private_note": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
            "guardian_participation": forms.Select(
                choices=[("", "—"), (1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")]
            ),
        }
        help_texts = {
            "shared_summary": _("Plain language, for the family. Only shared if ticked below."),
            "private_note": _("Clinical. Never shown to parents, in the portal or in emails."),
            "guardian_participation": _("1 = watched only, 5 = led the practice themselves."),
        }

    def __init__(self, *args, guardians, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardians_attended"].queryset = guardians
        self.fields["stage"].required = False
        self.goals = list(goals)
        level_choices = [("", _("Not addressed"))] + [(str(v), label) for v, label in GAS_LEVELS]
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}"] = forms.TypedChoiceField(
                label=goal.title,
                choices=level_choices,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def rating_fields(self):
        return [self[f"goal_{goal.pk}"] for goal in self.goals]

    def ratings(self) -> dict[int, int]:
        return {
            goal.pk: self.cleaned_data[f"goal_{goal.pk}"]
            for goal in self.goals
            if self.cleaned_data.get(f"goal_{goal.pk}") is not None
        }

    def clean(self):
        cleaned = super().clean()
        missing = not cleaned.get("duration_minutes") and "duration_minutes" not in self.errors
        if cleaned.get("status") == SessionLog.Status.ATTENDED and missing:
            self.add_error("duration_minutes", _("Enter how long the session lasted."))
        return cleaned


class AddendumForm(forms.ModelForm):
    class Meta:
        model = Addendum
        fields = ["text", "corrects_shared_summary"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
