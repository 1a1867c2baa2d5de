from django import forms
from django.utils.translation import gettext_lazy as _

from ..barriers.models import Barrier
from ..visits.forms import BookAnywayField, StartForm
from .models import RescheduleRequest


class FamilyCancelForm(forms.Form):
    """Asked gently: what got in the way helps the care team make sessions easier."""

    kind = forms.ChoiceField(
        label=_("What got in the way?"),
        choices=[("", _("Choose one"))] + Barrier.Kind.choices,
    )
    note = forms.CharField(
        label=_("Anything you would like us to know (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RescheduleRequestForm(forms.ModelForm):
    class Meta:
        model = RescheduleRequest
        fields = ["preferred_times"]
        widgets = {"preferred_times": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "preferred_times": _("For example: Tuesday or Thursday after 4pm, or any morning."),
        }


class RescheduleAnswerForm(StartForm):
    status = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (RescheduleRequest.Status.ANSWERED, _("Move it (or offer another time)")),
            (RescheduleRequest.Status.DECLINED, _("It cannot be moved")),
        ],
        widget=forms.RadioSelect,
        initial=RescheduleRequest.Status.ANSWERED,
    )
    answer = forms.CharField(
        label=_("Note to the family (they see this)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    book_anyway = BookAnywayField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].required = False
        self.fields["start_time"].required = False
        self.fields["start_date"].help_text = _("Optional: the new time, which moves the session.")

    def clean(self):
        data = super().clean()
        if bool(data.get("start_date")) != bool(data.get("start_time")):
            raise forms.ValidationError(_("Give both the date and the time, or neither."))
        return data

    def new_start(self):
        return self.start() if self.cleaned_data.get("start_date") else None
