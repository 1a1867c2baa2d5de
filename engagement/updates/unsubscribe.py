"""The one-click unsubscribe link in every progress email: a signed token naming the parent,
with no expiry and no login (RFC 8058: List-Unsubscribe and List-Unsubscribe-Post)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from practice.models import User

SALT = "engagement.updates.unsubscribe"


def unsubscribe_token(parent: User) -> str:
    return signing.Signer(salt=SALT).sign(str(parent.pk))


def parent_id_from_token(token: str) -> int:
    """The parent's id; raises signing.BadSignature for a tampered or made-up token."""
    value = signing.Signer(salt=SALT).unsign(token)
    try:
        return int(value)
    except ValueError as error:
        raise signing.BadSignature from error


def unsubscribe_url(parent: User) -> str:
    path = reverse("update_unsubscribe", args=[unsubscribe_token(parent)])
    return f"{settings.SITE_URL}{path}"


def unsubscribe_headers(parent: User) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(parent)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
