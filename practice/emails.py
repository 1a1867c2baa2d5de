"""The one email helper: renders emails/<name>-subject.txt, -body.txt and -body.html.

Sending is the outbox's job (practice/outbox/services.py: email_queue renders with this and
stores the result as an OutgoingEmail row).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from .models import Practice


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    context = {"practice": Practice.get(), "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html
