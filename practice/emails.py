"""The one email helper: renders emails/<name>-subject.txt, -body.txt and -body.html.

Sending is the outbox's job (practice/outbox/services.py: email_queue renders with this and
stores the result as an OutgoingEmail row).

The subject and the text part are plain text, not HTML: they are rendered with autoescaping
off, so "Children's" stays Children's (not Children&#x27;s). Only the HTML part escapes. The
text comes back as a plain str, not marked safe, so a page that shows it escapes it.
"""

from __future__ import annotations

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string

from .models import Practice


def render_text(template_name: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping."""
    template = get_template(template_name).template  # the engine's own Template
    return str.__str__(template.render(Context(context, autoescape=False)))


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    context = {"practice": Practice.get(), "site_url": settings.SITE_URL, **context}
    # One line: a header can hold no line break.
    subject = " ".join(render_text(f"emails/{name}-subject.txt", context).split())
    text = render_text(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html
