"""The one audit service every feature calls."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from ..access import ChildPolicy
from ..models import AuditEvent, Child, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from: the audit, django-axes (AXES_CLIENT_IP_CALLABLE)
    and the password-reset throttle all count by it. Behind TRUSTED_PROXY_COUNT proxies it is
    the address the outermost trusted one saw, from X-Forwarded-For (each proxy appends the
    address it was reached from); otherwise every family would share the proxy's address, and
    one IP-wide lockout would lock everyone out."""
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops and _is_ip(hops[-min(proxies, len(hops))]):
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR") or None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def audit(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    child: Child | None = None,
    ip_address: str | None = None,
    reason: str = "",
    **details: Any,
) -> AuditEvent:
    """Record one append-only event. `details` must never carry clinical text. Unless named,
    `child` is the target's own child, when it has one. Of the request the audit keeps only
    the address (`client_ip(request)`, which the view passes in)."""
    if child is None and target is not None:
        # A row of a child's record (a barrier, a goal, a session...) is that child's.
        child = getattr(target, "child", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        child=child,
        ip_address=ip_address,
        reason=reason,
        details=details,
    )


def saved_and_audited(
    row: models.Model, *, actor: User | None, action: str, **audit_fields: Any
) -> models.Model:
    """Validate and save a row a service wrote, then record its event with the row as target
    and, unless told otherwise, the row's child (a row of a child's record): the write-and-audit
    every service does (the caller holds the transaction)."""
    row.full_clean()
    row.save()
    audit(actor=actor, action=action, target=row, **audit_fields)
    return row


def audit_read(
    *,
    reader: User,
    ip_address: str | None,
    child_policy: ChildPolicy | None,
    child: Child,
    action: str,
    target: models.Model | None = None,
    **details: Any,
) -> None:
    """A staff read of a part of the child's record ("session.view", "goal.view",
    "export.record", ...). A read under break-the-glass is marked so, for whoever reviews the
    log and for the family's access list."""
    if child_policy is not None and child_policy.is_emergency:
        details["break_glass"] = True
    audit(
        actor=reader,
        action=action,
        target=target if target is not None else child,
        child=child,
        ip_address=ip_address,
        **details,
    )


def audit_request(
    request: HttpRequest,
    *,
    child: Child,
    action: str,
    target: models.Model | None = None,
    child_policy: ChildPolicy | None = None,
    **details: Any,
) -> None:
    """audit_read by the request's user from the request's address: what a view records when it
    shows or hands out a part of the child's record."""
    audit_read(
        reader=request.user,
        ip_address=client_ip(request),
        child_policy=child_policy,
        child=child,
        action=action,
        target=target,
        **details,
    )


def audit_each(
    *,
    actor: User | None,
    action: str,
    children: list[Child],
    ip_address: str | None = None,
    **details: Any,
) -> None:
    """One event per child in a single insert: a page that shows several children (the portal
    home) is a view of each of them."""
    if not children:
        return
    if actor is not None and not actor.is_authenticated:
        actor = None
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action=action,
            target_type=child._meta.label,
            target_id=str(child.pk),
            child=child,
            ip_address=ip_address,
            details=details,
        )
        for child in children
    )
