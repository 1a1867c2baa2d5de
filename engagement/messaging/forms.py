from django import forms
from django.utils.translation import gettext_lazy as _

from practice.forms import HiddenErrorsShown, once_key_field, state_text_limits

from .models import MAX_BODY, MAX_SUBJECT


class ThreadStartForm(HiddenErrorsShown, forms.Form):
    subject = forms.CharField(label=_("What is it about?"), max_length=MAX_SUBJECT)
    body = forms.CharField(
        label=_("Your message"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6})
    )
    once_key = once_key_field()  # a double-clicked "Send" starts one thread

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        state_text_limits(self)


class ReplyForm(HiddenErrorsShown, forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 4})
    )
    once_key = once_key_field()  # a double-clicked "Send" sends once

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        state_text_limits(self)
