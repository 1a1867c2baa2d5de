import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from goals.models import GAS_LEVELS
from practice.forms import DateInput
from practice.models import User
from practice.once import OnceKeyField

from .log_changes import FIELDS as LOG_FIELDS
from .log_changes import LogChange, changes_since, fingerprint, parse_fingerprint
from .models import (
    MAX_SESSION_MINUTES,
    NOTE_MAX_LENGTH,
    Activity,
    Addendum,
    Modality,
    SessionLog,
)

NOTE_LIMIT_HELP = _("Up to 20,000 characters.")
NOTE_TOO_LONG = _(
    "Keep this to 20,000 characters or fewer (it has %(show_value)s). Nothing was saved; "
    "your text is still here."
)


def limit_notes(form: forms.BaseForm, *names: str) -> None:
    """Say the notes' limit on the form, and give a clear message past it."""
    for name in names:
        field = form.fields[name]
        field.max_length = NOTE_MAX_LENGTH
        field.error_messages["max_length"] = NOTE_TOO_LONG
        # No maxlength in the page: a browser would cut a long paste short without a word.
        field.widget.attrs.pop("maxlength", None)
        field.help_text = f"{field.help_text} {NOTE_LIMIT_HELP}".strip()


class BookAnywayField(forms.BooleanField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Book anyway, even if it overlaps another session"),
            required=False,
            help_text=_("Only if the overlap is intended (a joint session, a planned handover)."),
            **kwargs,
        )


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
    book_anyway = BookAnywayField()
    once_key = OnceKeyField()


class RescheduleForm(StartForm):
    book_anyway = BookAnywayField()


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
        # The fields a conflict message compares (log_changes.FIELDS), and the version.
        fields = [*LOG_FIELDS, "version"]
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

    # What the saved log was when this form was opened, field by field (log_changes.py): on a
    # conflict, the fields whose saved value differs from it are the ones someone else changed.
    started_from = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, guardians, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardians_attended"].queryset = guardians
        self.fields["stage"].required = False
        limit_notes(self, "shared_summary", "private_note", "next_steps")
        # Every page carries the version; a post without one (a script) is not checked.
        self.fields["version"].required = False
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

    def clean_version(self) -> int | None:
        return self.cleaned_data["version"] if self.data.get("version") else None

    def changes_since_opened(self, current: SessionLog) -> list[LogChange]:
        """What someone else saved since this form was opened: the saved log's fields that
        differ from what the form started from."""
        started = parse_fingerprint(self.data.get("started_from", ""))
        return changes_since(started, current, self)

    def reopened_at(self, current: SessionLog) -> dict:
        """This form's data (what was typed) as if opened at `current`: its version and
        fingerprint, so the next save is checked against it, not the stale one."""
        data = self.data.copy()
        data["version"] = self.fields["version"].prepare_value(current.version).value
        data["started_from"] = fingerprint(current)
        return data

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_notes(self, "text")
