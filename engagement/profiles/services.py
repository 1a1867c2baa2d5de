"""A parent keeps their own profile (DESIGN.md: ParentProfile)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from practice.audit import saved_and_audited
from practice.models import User

from .forms import PROFILE_FIELDS
from .models import ParentProfile


@transaction.atomic
def parent_profile_update(*, parent: User, **fields) -> ParentProfile:
    if not parent.is_parent:
        raise PermissionDenied(_("Only a parent has a parent profile."))
    profile, _created = ParentProfile.objects.select_for_update().get_or_create(parent=parent)
    changed = [
        name for name in PROFILE_FIELDS if name in fields and getattr(profile, name) != fields[name]
    ]
    for name in changed:
        value = fields[name]
        setattr(profile, name, value.strip() if isinstance(value, str) else value)
    # Which fields changed, never what they say.
    return saved_and_audited(profile, actor=parent, action="parent_profile.update", fields=changed)
