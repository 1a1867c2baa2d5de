from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Barrier


class BarrierForm(forms.ModelForm):
    class Meta:
        model = Barrier
        fields = ["kind", "reporter_role", "status", "notes", "actions_taken"]
        widgets = {
            "reporter_role": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "actions_taken": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "notes": _("Clinical. Never shown to parents, in the portal or in emails."),
            "actions_taken": _("For the care team: what was offered or changed, and by whom."),
        }


class CancellationBarrierForm(forms.Form):
    """The gentle question after a family cancels: optional, one choice and a note."""

    kind = forms.ChoiceField(
        label=_("What got in the way?"),
        choices=[("", _("Choose what the family mentioned"))] + Barrier.Kind.choices,
    )
    note = forms.CharField(
        label=_("Anything they said (your notes, never shown to the family)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
