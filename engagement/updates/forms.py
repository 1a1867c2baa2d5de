from django import forms
from django.utils.translation import gettext_lazy as _

from practice.models import CommunicationPolicy

from .models import Weekday
from .schedule import allowed_cadences, effective_cadence

Cadence = CommunicationPolicy.Cadence

CADENCE_HELP = {
    Cadence.WEEKLY: _("Once a week, on the day and at the time you choose below."),
    Cadence.FORTNIGHTLY: _("Every two weeks, on the day and at the time you choose below."),
    Cadence.MONTHLY: _("Every four weeks, on the day and at the time you choose below."),
    Cadence.OFF: _("No progress emails. Everything is still in the portal whenever you look."),
}
HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class UpdatePreferenceForm(forms.Form):
    cadence = forms.ChoiceField(label=_("How often"), widget=forms.RadioSelect)
    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    hour = forms.TypedChoiceField(label=_("Time"), choices=HOURS, coerce=int)
    paused = forms.BooleanField(
        label=_("Pause progress emails for now"),
        required=False,
        help_text=_("Your choices are kept; untick this to start again."),
    )
    no_contact_start = forms.TimeField(
        label=_("Do not email me from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    no_contact_end = forms.TimeField(
        label=_("until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    no_contact_days = forms.TypedMultipleChoiceField(
        label=_("Days not to email me"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, pref, communication, **kwargs):
        cadence = effective_cadence(pref, communication)
        kwargs.setdefault(
            "initial",
            {
                "cadence": cadence,
                "weekday": pref.weekday,
                "hour": pref.hour,
                "paused": pref.paused,
                "no_contact_start": pref.no_contact_start,
                "no_contact_end": pref.no_contact_end,
                "no_contact_days": pref.no_contact_days,
            },
        )
        super().__init__(*args, **kwargs)
        labels = dict(Cadence.choices)
        self.fields["cadence"].choices = [(c, labels[c]) for c in allowed_cadences(communication)]
        self.cadence_help = CADENCE_HELP

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("no_contact_start"), cleaned.get("no_contact_end")
        if (start is None) != (end is None) and "no_contact_end" not in self.errors:
            self.add_error("no_contact_end", _("Give both times, or neither."))
        elif start is not None and start == end:
            self.add_error("no_contact_end", _("The end must differ from the start."))
        return cleaned
