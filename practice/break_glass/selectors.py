"""Reads for break-the-glass: names only for the search, grants for the admins."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from ..models import BreakGlassGrant, CareTeamMembership, Child, User

SEARCH_LIMIT = 20


def _outside_care_team(user: User) -> QuerySet[Child]:
    mine = CareTeamMembership.objects.filter(clinician=user).values("child_id")
    return Child.objects.exclude(pk__in=mine)


def break_glass_search(user: User, query: str) -> list[tuple[int, str]]:
    """Children outside the user's care team whose name matches: (pk, name) only, nothing else."""
    words = query.split()
    if not words:
        return []
    children = _outside_care_team(user)
    for word in words:
        children = children.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    rows = children.order_by("last_name", "first_name").values_list(
        "pk", "first_name", "preferred_name", "last_name"
    )[:SEARCH_LIMIT]
    return [(pk, f"{preferred or first} {last}") for pk, first, preferred, last in rows]


def child_for_break_glass(user: User, pk: int) -> Child:
    """A child outside the user's care team, for the break-the-glass request page; 404 otherwise."""
    child = (
        _outside_care_team(user)
        .filter(pk=pk)
        .only("pk", "first_name", "preferred_name", "last_name")
        .first()
    )
    if child is None:
        raise Http404
    return child


def grants_for_admins() -> QuerySet[BreakGlassGrant]:
    return BreakGlassGrant.objects.select_related("clinician", "child").order_by("-granted_at")
