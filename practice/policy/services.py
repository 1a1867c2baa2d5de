"""Writes for the practice's CommunicationPolicy: the rules a policy must keep, and the one
service that changes it (validated, saved under a lock, every change audited with its before
and after, and `communication_policy_changed` sent once the change is committed)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practice.audit import audit
from practice.models import CommunicationPolicy, Practice, User
from practice.timing import ContactRules, NeverAllowed, next_allowed

from .signals import communication_policy_changed

Policy = CommunicationPolicy

EDITABLE_FIELDS = (
    "allowed_channels",
    "response_time_business_days",
    "quiet_hours_start",
    "quiet_hours_end",
    "quiet_on_weekends",
    "daily_message_limit",
    "allowed_cadences",
    "default_cadence",
    "email_detail",
    "portal_guidance",
    "emergency_notice",
)
RESPONSE_DAYS = (1, 20)
DAILY_LIMIT = (1, 50)
# Quiet hours may not leave less than this each day for the emails that must reach families.
MIN_SENDING_HOURS = 4
DAY = datetime.timedelta(days=1)
GUIDANCE_MISSING = gettext_lazy(
    "Write a few words on what the portal is and is not for: parents see it above their messages."
)
EMERGENCY_NOTICE_MISSING = gettext_lazy(
    "Write what a family should do in an emergency: it is shown on every message form."
)


def communication_policy_for(practice: Practice) -> CommunicationPolicy:
    """The practice's policy; a practice created before its policy gets the defaults."""
    communication, _created = CommunicationPolicy.objects.get_or_create(practice=practice)
    return communication


def quiet_length(start: datetime.time, end: datetime.time) -> datetime.timedelta:
    """How long the daily quiet hours last; they may cross midnight (20:00 to 08:00)."""
    day = datetime.date(2000, 1, 1)
    length = datetime.datetime.combine(day, end) - datetime.datetime.combine(day, start)
    return length if length >= datetime.timedelta(0) else length + DAY


def sending_hours(start: datetime.time | None, end: datetime.time | None) -> float:
    """Hours a day outside quiet hours (the whole day when start and end are the same)."""
    if start is None or end is None or start == end:
        return 24.0
    return (DAY - quiet_length(start, end)).total_seconds() / 3600


def _in_range(value, bounds: tuple[int, int]) -> bool:
    return value is not None and bounds[0] <= value <= bounds[1]


# Each check reads only its own fields and skips when one is missing (a form field that
# failed on its own), so a form can show every problem at once and the service the same.
def _channel_errors(values: dict) -> dict[str, str]:
    if "allowed_channels" in values and Policy.Channel.PORTAL not in values["allowed_channels"]:
        return {
            "allowed_channels": _(
                "Portal messages must stay allowed: the portal is where families write to the "
                "care team, and every email the practice sends links to it."
            )
        }
    return {}


def _number_errors(values: dict) -> dict[str, str]:
    errors = {}
    days = values.get("response_time_business_days", RESPONSE_DAYS[0])
    if not _in_range(days, RESPONSE_DAYS):
        errors["response_time_business_days"] = _(
            "Choose between %(low)d and %(high)d business days."
        ) % {"low": RESPONSE_DAYS[0], "high": RESPONSE_DAYS[1]}
    if not _in_range(values.get("daily_message_limit", DAILY_LIMIT[0]), DAILY_LIMIT):
        errors["daily_message_limit"] = _("Choose between %(low)d and %(high)d messages a day.") % {
            "low": DAILY_LIMIT[0],
            "high": DAILY_LIMIT[1],
        }
    return errors


def _quiet_hours_errors(values: dict) -> dict[str, str]:
    start, end = values.get("quiet_hours_start"), values.get("quiet_hours_end")
    if start is None or end is None:
        return {}
    if start == end:
        return {
            "quiet_hours_end": _(
                "Quiet hours that start and end at the same time could mean the whole day or "
                "no quiet hours at all. Choose an end time different from the start."
            )
        }
    hours = sending_hours(start, end)
    if hours < MIN_SENDING_HOURS:
        return {
            "quiet_hours_end": _(
                "These quiet hours leave only %(hours)s hours a day to send emails. Keep at "
                "least %(minimum)d hours a day outside quiet hours, so updates and reminders "
                "can reach families."
            )
            % {"hours": f"{hours:g}", "minimum": MIN_SENDING_HOURS}
        }
    return {}


def _cadence_errors(values: dict) -> dict[str, str]:
    if "allowed_cadences" not in values:
        return {}
    allowed = values["allowed_cadences"]
    if not allowed:
        return {"allowed_cadences": _("Allow at least one cadence.")}
    if "default_cadence" in values and values["default_cadence"] not in allowed:
        return {
            "default_cadence": _(
                "The default cadence must be one of the allowed cadences: tick it above, or "
                "choose another default."
            )
        }
    return {}


def _text_errors(values: dict) -> dict[str, str]:
    errors = {}
    if not str(values.get("portal_guidance", "-")).strip():
        errors["portal_guidance"] = str(GUIDANCE_MISSING)
    if not str(values.get("emergency_notice", "-")).strip():
        errors["emergency_notice"] = str(EMERGENCY_NOTICE_MISSING)
    return errors


def _never_allowed_errors(values: dict, tz) -> dict[str, str]:
    # The rules as the senders will combine them: if no minute of the week were left, no
    # email but a safety notice could ever go out.
    rules = ContactRules(
        quiet_start=values.get("quiet_hours_start"),
        quiet_end=values.get("quiet_hours_end"),
        quiet_weekends=bool(values.get("quiet_on_weekends")),
    )
    try:
        next_allowed(rules, timezone.now(), tz)
    except NeverAllowed:
        return {"quiet_hours_end": _("These rules leave no time in the week to send emails.")}
    return {}


def policy_errors(values: dict, tz) -> dict[str, str]:
    """{field: message} for each rule the values break; {} when they keep them all."""
    errors: dict[str, str] = {}
    for check in (_channel_errors, _number_errors, _quiet_hours_errors, _cadence_errors):
        errors.update(check(values))
    errors.update(_text_errors(values))
    if "quiet_hours_end" not in errors:
        errors.update(_never_allowed_errors(values, tz))
    return errors


def _normalised(name: str, value: Any) -> Any:
    """Values as the policy keeps them, so the same choice typed again is not a change."""
    if name == "allowed_channels":
        return [c for c in Policy.Channel.values if c in (value or [])]
    if name == "allowed_cadences":
        return [c for c in Policy.Cadence.values if c in (value or [])]
    if name in ("portal_guidance", "emergency_notice"):
        return str(value or "").replace("\r\n", "\n").strip()
    return value


def _plain(value: Any) -> Any:
    """A value as the audit's JSON keeps it."""
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return value


def _record(*, communication: CommunicationPolicy, changes: dict, user: User, request) -> None:
    """Audit each changed field's before and after; tell the other layers once committed."""
    audit(
        actor=user,
        action="communication_policy.update",
        target=communication,
        request=request,
        fields=sorted(changes),
        changes={
            name: {"before": _plain(old), "after": _plain(new)}
            for name, (old, new) in changes.items()
        },
    )
    changed = set(changes)
    transaction.on_commit(
        lambda: communication_policy_changed.send(
            sender=CommunicationPolicy, communication=communication, changed=changed
        )
    )


def communication_policy_update(
    *, communication: CommunicationPolicy, user: User, request=None, **fields: Any
) -> dict[str, tuple[Any, Any]]:
    """Change the policy; returns {field: (before, after)} for what changed, {} for nothing.

    Raises ValidationError (by field) and saves nothing when the result breaks a rule."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable on the communication policy: {sorted(unknown)}")
    with transaction.atomic():
        locked = CommunicationPolicy.objects.select_for_update().get(pk=communication.pk)
        before = {name: getattr(locked, name) for name in fields}
        for name, value in fields.items():
            setattr(locked, name, _normalised(name, value))
        errors = policy_errors(
            {name: getattr(locked, name) for name in EDITABLE_FIELDS}, locked.practice.tz
        )
        if errors:
            raise ValidationError(errors)
        locked.full_clean()
        changes = {
            name: (before[name], getattr(locked, name))
            for name in fields
            if _plain(before[name]) != _plain(getattr(locked, name))
        }
        if not changes:
            return {}
        locked.save(update_fields=list(changes))
        _record(communication=locked, changes=changes, user=user, request=request)
    for name in changes:
        setattr(communication, name, getattr(locked, name))
    return changes
