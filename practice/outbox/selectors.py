"""Reads of the outbox for the admin's delivery page: state, never what an email says."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import OutgoingEmail

# Admins see delivery, not content (DESIGN.md: minimum necessary): the subject, the bodies
# and the headers are never even loaded for the delivery page.
DELIVERY_FIELDS = (
    "pk",
    "kind",
    "recipient",
    "state",
    "attempts",
    "last_error",
    "skip_reason",
    "send_after",
    "sent_at",
    "created_at",
)


def outbox_rows(*, state: str = "", kind: str = "") -> QuerySet[OutgoingEmail]:
    rows = OutgoingEmail.objects.only(*DELIVERY_FIELDS).order_by("-created_at", "-pk")
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def outbox_counts() -> list[tuple[str, str, int]]:
    """(state, label, how many) for every state, in the order a row moves through them."""
    counts = dict(
        OutgoingEmail.objects.order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return [(state, label, counts.get(state, 0)) for state, label in OutgoingEmail.State.choices]
