from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Child, Guardianship, SafetyConcern, User
from ..once import OnceKeyField


class SafetyConcernForm(forms.ModelForm):
    not_to_be_told = forms.ModelMultipleChoiceField(
        label=_("Guardians not to be told"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For example the alleged source of harm. Everyone else with access is told."),
    )
    not_told_reason = forms.CharField(
        label=_("Why they are not told"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the record for the care team; never shown to the family."),
    )
    once_key = OnceKeyField()

    class Meta:
        model = SafetyConcern
        fields = ["kind", "clinical_record", "family_statement"]
        widgets = {
            "clinical_record": forms.Textarea(attrs={"rows": 5}),
            "family_statement": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "clinical_record": _("For the care team only. Never shown to the family."),
            "family_statement": _(
                "In plain language, for the family: what happened, what the practice is doing "
                "and how to reach it. Shown in the portal at once."
            ),
        }

    def __init__(self, *args, child: Child, **kwargs):
        super().__init__(*args, **kwargs)
        # Guardians with access none are never told anyway, so they are not offered.
        guardianships = Guardianship.objects.filter(child=child).exclude(
            access=Guardianship.Access.NONE
        )
        self.fields["not_to_be_told"].queryset = User.objects.filter(
            guardianships__in=guardianships
        ).order_by("full_name")
        relationships = {g.guardian_id: g.get_relationship_display() for g in guardianships}
        self.fields["not_to_be_told"].label_from_instance = (
            lambda user: f"{user.full_name} ({relationships.get(user.pk, '')})"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("not_to_be_told") and not (cleaned.get("not_told_reason") or "").strip():
            self.add_error("not_told_reason", _("Say why these guardians are not to be told."))
        record, statement = cleaned.get("clinical_record"), cleaned.get("family_statement")
        if record and statement and record.strip() == statement.strip():
            self.add_error(
                "family_statement",
                _("Write the family's statement apart from the clinical record, in plain words."),
            )
        return cleaned
