"""The one email helper: renders emails/<name>-subject.txt, -body.txt and -body.html.

Sending is direct for now; the outbox (OutgoingEmail) replaces the transport later without
changing callers.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Practice

logger = logging.getLogger(__name__)


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    context = {"practice": Practice.get(), "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def send_email(*, to: str, name: str, context: dict) -> None:
    """Render and send one email; raises on failure so the caller can show it."""
    subject, text, html = render_email(name, context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()
    # Never log bodies: they may carry clinical content.
    logger.info("sent a %s email", name)
