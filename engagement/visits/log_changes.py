"""What changed in a session log since a form was opened, for the conflict message.

The log form carries a fingerprint of the saved log as it was when the form was opened (a
short hash per field, never the text itself). When a save conflicts, the fields whose saved
value no longer matches their hash are the ones someone else changed; the page shows them
with their saved value beside what the user typed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import SessionLog

FIELDS = [
    "status",
    "duration_minutes",
    "modality",
    "location",
    "child_attended",
    "guardians_attended",
    "guardian_participation",
    "stage",
    "activities",
    "shared_summary",
    "summary_shared",
    "private_note",
    "next_steps",
]


@dataclass
class LogChange:
    label: str
    saved: str


def _values(session: SessionLog) -> dict[str, str]:
    """The saved log, field by field, as text (goal ratings as `goal_<pk>`)."""
    values = {
        name: _text(getattr(session, name)) for name in FIELDS if name != "guardians_attended"
    }
    attendees = sorted(session.guardians_attended.values_list("pk", flat=True))
    values["guardians_attended"] = ",".join(str(pk) for pk in attendees)
    for rating in session.ratings.all():
        values[f"goal_{rating.goal_id}"] = str(rating.level)
    return values


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(sorted(str(item) for item in value))
    return str(value)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprint(session: SessionLog) -> str:
    return json.dumps({name: _digest(text) for name, text in _values(session).items()})


def parse_fingerprint(raw: str) -> dict[str, str]:
    try:
        parsed = json.loads(raw or "{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def changes_since(started: dict[str, str], current: SessionLog, form) -> list[LogChange]:
    """The fields of `current` that differ from the fingerprint `started`, in the form's
    order, each with its label and its saved value in words."""
    values = _values(current)
    empty = _digest("")
    changed = [
        name
        for name in [*FIELDS, *sorted(set(values) - set(FIELDS))]
        if started.get(name, empty) != _digest(values.get(name, ""))
    ]
    changed += [name for name in started if name not in values and started[name] != empty]
    return [_change(name, current, form) for name in dict.fromkeys(changed) if name in form.fields]


def _change(name: str, current: SessionLog, form) -> LogChange:
    field = form.fields[name]
    return LogChange(str(field.label or name), _saved_words(name, current, field))


def _saved_words(name: str, current: SessionLog, field) -> str:
    if name == "guardians_attended":
        names = current.guardians_attended.order_by("full_name").values_list("full_name", flat=True)
        return ", ".join(names) or _("nobody")
    if name.startswith("goal_"):
        rating = next((r for r in current.ratings.all() if f"goal_{r.goal_id}" == name), None)
        return dict(field.choices).get(str(rating.level), "") if rating else _("Not addressed")
    value = getattr(current, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = dict(getattr(field, "choices", None) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value) or "—"
    return str(choices.get(value, value)) if value not in (None, "") else "—"
