import datetime
import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from .auditlog.services import client_ip
from .models import Child, ConfidentialityAgreement, Guardianship, Practice, User
from .once import OnceKeyField
from .password_reset import password_reset_request
from .throttle import reset_allowed

TOO_LONG = _(
    "Please shorten this to %(limit_value)s characters or fewer (it has %(show_value)s). "
    "Your text is kept here so you can shorten it."
)
OUT_OF_DATE = _("This form is out of date: reload the page and make your change again.")


def state_text_limits(form: forms.BaseForm) -> None:
    """Every free-text box says its limit, and a longer text (a whole document pasted in) gets
    a clear error with the text kept. The browser's own maxlength is left off the text areas:
    it would cut a paste short without a word."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField) or not field.max_length:
            continue
        field.error_messages["max_length"] = TOO_LONG
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs.pop("maxlength", None)
            limit = _("Up to %(count)s characters.") % {
                "count": number_format(field.max_length, force_grouping=True)
            }
            field.help_text = f"{field.help_text} {limit}".strip()


def once_key_field() -> OnceKeyField:
    return OnceKeyField(error_messages={"invalid": OUT_OF_DATE})


class HiddenErrorsShown:
    """A form mixin: an error on a hidden field (a garbled once key or version) is shown at
    the top of the form, where a person can read it, instead of on a field nobody sees."""

    def full_clean(self):
        super().full_clean()
        for field in self.hidden_fields():
            if field.errors and field.name in self.fields:
                self._errors.setdefault(NON_FIELD_ERRORS, self.error_class(error_class="nonfield"))
                for error in field.errors:
                    if error not in self._errors[NON_FIELD_ERRORS]:
                        self._errors[NON_FIELD_ERRORS].append(error)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "That email address and password do not match an active account. "
            "Check both and try again."
        ),
        "inactive": _("This account is not active. Contact the practice."),
    }


class OutboxPasswordResetForm(auth_forms.PasswordResetForm):
    """Asking for a new password: the same page, the same queries and the same rows whether or
    not the address has an account (practice/password_reset.py), throttled per address and per
    IP (practice/throttle.py). Resets go through the outbox like every other email."""

    throttled_message = _(
        "We have had several requests for a new password for this address, or from this "
        "network, in the last hour. Please wait an hour and try again: a link already sent "
        "still works. If you need help now, contact the practice."
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_email(self):
        address = self.cleaned_data["email"]
        allowed = reset_allowed(
            address=address, ip_address=client_ip(self.request), now=timezone.now()
        )
        if not allowed:
            raise forms.ValidationError(self.throttled_message, code="throttled")
        return address

    def save(self, request=None, **kwargs):
        password_reset_request(
            address=self.cleaned_data["email"], ip_address=client_ip(request or self.request)
        )


def login_username(request, credentials=None) -> str:
    """The address axes counts failures against, spelt as the account stores it, so that
    changing the case of an address does not buy more attempts."""
    data = credentials or getattr(request, "POST", {})
    return (data.get("username") or "").strip().lower()


def clinicians():
    return User.objects.filter(role=User.Role.CLINICIAN, is_active=True).order_by("full_name")


class ChildForm(forms.ModelForm):
    primary_clinician = forms.ModelChoiceField(
        label=_("Primary clinician"), queryset=User.objects.none()
    )
    care_team = forms.ModelMultipleChoiceField(
        label=_("Other clinicians on the care team"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Child
        fields = ["first_name", "last_name", "preferred_name", "date_of_birth", "stage"]
        widgets = {"date_of_birth": DateInput()}
        help_texts = {"preferred_name": _("What the child likes to be called, if different.")}

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["primary_clinician"].queryset = clinicians()
        self.fields["care_team"].queryset = clinicians()
        self.fields["care_team"].label_from_instance = (
            lambda user: f"{user.full_name} ({user.get_discipline_display()})"
        )
        if self.instance.pk:
            # After intake the stage moves only through the child page's stage form, so each
            # move is recorded and told to the family.
            del self.fields["stage"]
            memberships = list(self.instance.memberships.all())
            primary = next((m.clinician_id for m in memberships if m.is_primary), None)
            self.initial.setdefault("primary_clinician", primary)
            self.initial.setdefault(
                "care_team", [m.clinician_id for m in memberships if not m.is_primary]
            )

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if self.today and born > self.today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if self.today and born.year < self.today.year - 25:
            raise forms.ValidationError(_("Check the year: this practice sees children."))
        return born

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        data["primary_clinician"] = self.cleaned_data["primary_clinician"]
        data["care_team"] = list(self.cleaned_data["care_team"])
        return data


class GuardianshipAccessForm(forms.ModelForm):
    class Meta:
        model = Guardianship
        fields = [
            "relationship",
            "access",
            "is_primary_contact",
            "access_reason",
            "court_order_reference",
            "court_order_date",
            "court_order_expires",
        ]
        widgets = {
            "court_order_date": DateInput(),
            "court_order_expires": DateInput(),
            "access_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "access": _(
                "Limited: attendance, safety and their own messages only. None: the child does "
                "not exist for this person in the portal or in emails."
            ),
            "access_reason": _("Required unless access is full."),
        }

    def clean(self):
        cleaned = super().clean()
        access = cleaned.get("access")
        if access and access != Guardianship.Access.FULL and not cleaned.get("access_reason"):
            self.add_error(
                "access_reason", _("Say why this guardian's access is limited or withheld.")
            )
        starts, ends = cleaned.get("court_order_date"), cleaned.get("court_order_expires")
        if starts and ends and ends <= starts:
            self.add_error(
                "court_order_expires", _("The order must expire after the date it was made.")
            )
        return cleaned

    def warnings(self, *, today: datetime.date) -> list[str]:
        """Said after saving, not refused: a clinician may enter an old order for the record."""
        expires = self.cleaned_data.get("court_order_expires")
        if not expires or expires >= today or "court_order_expires" not in self.changed_data:
            return []
        return [
            _(
                "The court order entered expired on %(date)s. It is saved for the record; the "
                "access set here applies until it is changed."
            )
            % {"date": date_format(expires, "j F Y")}
        ]


class GuardianAddForm(GuardianshipAccessForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    send_invitation = forms.BooleanField(
        label=_("Email an invitation to the parent portal now"), required=False, initial=True
    )

    field_order = ["full_name", "email", "phone", "relationship", "access", "is_primary_contact"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("send_invitation") and cleaned.get("access") == Guardianship.Access.NONE:
            self.add_error(
                "send_invitation",
                _("A guardian with no access is not invited: the portal would show them nothing."),
            )
        return cleaned


class AgreementForm(forms.ModelForm):
    class Meta:
        model = ConfidentialityAgreement
        fields = ["sharing_level", "effective_date", "child_assent", "child_assent_notes"]
        widgets = {
            "effective_date": DateInput(),
            "child_assent_notes": forms.Textarea(attrs={"rows": 2}),
        }


class StaffInviteForm(forms.ModelForm):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (User.Role.CLINICIAN, _("Clinician")),
            (User.Role.ADMIN, _("Practice administrator (office)")),
        ],
    )

    class Meta:
        model = User
        fields = ["full_name", "email", "role", "discipline", "is_practice_admin"]
        help_texts = {"discipline": _("Required for clinicians.")}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == User.Role.CLINICIAN and not cleaned.get("discipline"):
            self.add_error("discipline", _("Choose the clinician's discipline."))
        return cleaned


class PracticeSettingsForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = [
            "name",
            "timezone",
            "sharing_age_threshold",
            "default_sharing_level_under_threshold",
            "default_sharing_level_from_threshold",
            "missed_sessions_allowance",
            "contact_phone",
            "contact_email",
            "emergency_number",
            "require_staff_mfa",
        ]

    def clean_emergency_number(self):
        number = self.cleaned_data["emergency_number"].strip()
        if number and not re.fullmatch(r"\+?[0-9]{2,15}", number):
            raise forms.ValidationError(
                _("Type the number as it is dialled, in digits only, for example 999 or 112.")
            )
        return number

    def clean_sharing_age_threshold(self):
        age = self.cleaned_data["sharing_age_threshold"]
        if not 5 <= age <= 18:
            raise forms.ValidationError(_("Choose an age between 5 and 18."))
        return age


def add_service_errors(form, error) -> None:
    """Put a service's ValidationError on the form, so the page re-renders with what was typed:
    field errors on their fields, the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def form_saved(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str] = "",
) -> bool:
    """Whether the request POSTed a valid form and the service call `save(cleaned_data)` went
    through; then `success` is shown (when given; a callable makes it from what the service
    returned) and the view redirects. A ValidationError from the service goes onto the form
    (add_service_errors), so the page re-renders with what was typed."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        saved = save(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    if success:
        messages.success(request, success(saved) if callable(success) else success)
    return True
