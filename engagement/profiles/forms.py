from django import forms

from .models import ParentProfile

PROFILE_FIELDS = [
    "preferred_channel",
    "language",
    "learning_style",
    "availability",
    "do_not_contact",
    "hopes",
    "knows_best",
]


class ParentProfileForm(forms.ModelForm):
    class Meta:
        model = ParentProfile
        fields = PROFILE_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ["availability", "do_not_contact", "hopes", "knows_best"]
        }
