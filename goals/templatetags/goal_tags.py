import uuid

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from goals.models import Goal

register = template.Library()

PERSPECTIVES = {"clinician": _("Clinician"), "parent": _("Parent"), "child": _("Child")}


@register.filter
def gas_sign(level) -> str:
    if level is None or level == "":
        return "—"
    level = int(level)
    return f"+{level}" if level > 0 else ("0" if level == 0 else f"−{abs(level)}")


@register.filter
def t_score(value) -> str:
    return "—" if value is None else f"{value:.0f}"


@register.filter
def perspective_label(value: str) -> str:
    return PERSPECTIVES.get(value, value)


@register.filter
def field_label(name: str) -> str:
    try:
        return str(Goal._meta.get_field(name).verbose_name).capitalize()
    except FieldDoesNotExist:
        return name


@register.simple_tag
def new_once_key() -> str:
    """A fresh key for a hand-written form's hidden `once_key` (see practice/once.py)."""
    return str(uuid.uuid4())
