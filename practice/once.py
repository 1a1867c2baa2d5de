"""Nothing done twice: a double-clicked submit, or two tabs sending the same form, creates one
row. Each create form carries a key made when the form was shown (`OnceKeyField`); the row
stores it in a unique column (`once_key_field()`), and the service creates through
`create_once`, which returns the row already made with that key instead of a second one. The
unique constraint, not the check before it, is what holds when two requests arrive together.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.db import IntegrityError, models, transaction

T = TypeVar("T", bound=models.Model)


def once_key_field() -> models.UUIDField:
    """The model column: empty for rows made without a form (seeds, tasks), unique otherwise."""
    return models.UUIDField(null=True, blank=True, unique=True, editable=False)


class OnceKeyField(forms.UUIDField):
    """The form's hidden key, new each time the form is shown (kept when it re-renders)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)


def create_once(model: type[T], key: uuid.UUID | None, create: Callable[[], T]) -> tuple[T, bool]:
    """`create()` once per key: (row, True) the first time, (the first row, False) after.
    `create` sets the row's `once_key` itself. Runs inside a savepoint, so a create that loses
    the race is rolled back whole (its on_commit work, such as emails, with it)."""
    if key is None:
        return create(), True
    existing = model._default_manager.filter(once_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = model._default_manager.filter(once_key=key).first()
        if existing is None:
            raise
        return existing, False
