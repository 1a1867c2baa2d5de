from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_BODY, MAX_SUBJECT


class ThreadStartForm(forms.Form):
    subject = forms.CharField(label=_("What is it about?"), max_length=MAX_SUBJECT)
    body = forms.CharField(
        label=_("Your message"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6})
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 4})
    )
