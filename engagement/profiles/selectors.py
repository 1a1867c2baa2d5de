"""Reads for parent profiles: a parent reads their own; the care team reads those of the
child's guardians beside the family. Never another guardian."""

from __future__ import annotations

from practice.access import ChildPolicy
from practice.models import Guardianship, User

from .models import ParentProfile


def own_profile(parent: User) -> ParentProfile:
    return ParentProfile.objects.filter(parent=parent).first() or ParentProfile(parent=parent)


def _profile_of(guardian: User) -> ParentProfile | None:
    try:
        return guardian.parent_profile
    except ParentProfile.DoesNotExist:
        return None


def with_profiles(child_policy: ChildPolicy | None, guardianships: list[Guardianship]) -> list:
    """Each guardianship with its guardian's profile, for the care team only (None for anyone
    else). The guardianships come with `guardian__parent_profile` selected: no query here."""
    shown = child_policy is not None and child_policy.clinical
    for guardianship in guardianships:
        guardianship.profile = _profile_of(guardianship.guardian) if shown else None
    return guardianships
