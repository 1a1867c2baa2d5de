"""The communication policy form. It checks each field on its own; the rules that join fields
(quiet hours, the default cadence) live in the service, which puts its errors on these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from practice.models import CommunicationPolicy

from .services import (
    DAILY_LIMIT,
    EMERGENCY_NOTICE_MISSING,
    GUIDANCE_MISSING,
    RESPONSE_DAYS,
    policy_errors,
)

Policy = CommunicationPolicy


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


EMAIL_DETAIL_CHOICES = [
    (
        Policy.EmailDetail.FULL,
        _(
            "Full: the progress email itself shows what the parent may see of each child: "
            "goal ratings and milestones, home practice, the next session and, where the "
            "child's agreement allows, shared session summaries."
        ),
    ),
    (
        Policy.EmailDetail.NOTICE_ONLY,
        _(
            "Notice only: the progress email says there is news and links to the portal, "
            "with no clinical content; the parent signs in to read it."
        ),
    ),
]


class CommunicationPolicyForm(forms.Form):
    allowed_channels = forms.MultipleChoiceField(
        label=_("Ways families may reach the care team"),
        choices=Policy.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Portal messages always stay allowed: every email the practice sends links there."
        ),
    )
    response_time_business_days = forms.IntegerField(
        label=_("Expected reply within (business days)"),
        min_value=RESPONSE_DAYS[0],
        max_value=RESPONSE_DAYS[1],
        help_text=_("Shown to parents on every message form; the caseload flags later replies."),
    )
    daily_message_limit = forms.IntegerField(
        label=_("Messages a parent may send a day"),
        min_value=DAILY_LIMIT[0],
        max_value=DAILY_LIMIT[1],
    )
    quiet_hours_start = forms.TimeField(label=_("Quiet hours start"), widget=TimeInput())
    quiet_hours_end = forms.TimeField(label=_("Quiet hours end"), widget=TimeInput())
    quiet_on_weekends = forms.BooleanField(
        label=_("Quiet all weekend: no emails on Saturdays and Sundays"), required=False
    )
    allowed_cadences = forms.MultipleChoiceField(
        label=_("Progress email cadences parents may choose"),
        choices=Policy.Cadence.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    default_cadence = forms.ChoiceField(
        label=_("Default cadence"),
        choices=Policy.Cadence.choices,
        help_text=_("What a parent gets until they choose for themselves."),
    )
    email_detail = forms.ChoiceField(
        label=_("What progress emails contain"),
        choices=EMAIL_DETAIL_CHOICES,
        widget=forms.RadioSelect,
        help_text=_(
            "Notices of new messages, safety notices and session reminders never carry "
            "clinical content, whichever you choose."
        ),
    )
    portal_guidance = forms.CharField(
        label=_("What the portal is and is not for"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": GUIDANCE_MISSING},
        help_text=_("Shown to parents at the top of their messages page."),
    )
    emergency_notice = forms.CharField(
        label=_("Emergency notice"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": EMERGENCY_NOTICE_MISSING},
        help_text=_("Shown on every message form, above the parent's message."),
    )

    def __init__(self, *args, communication: CommunicationPolicy, tz, **kwargs):
        initial = {name: getattr(communication, name) for name in self.base_fields}
        super().__init__(*args, initial=initial, **kwargs)
        self.tz = tz

    def clean(self):
        cleaned = super().clean()
        # The service's rules, run here too so every problem shows at once on its field.
        for field, message in policy_errors(cleaned, self.tz).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned
