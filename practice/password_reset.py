"""Asking for a new password does the same work whether or not the address has an account: the
request counts the throttle, records the ask in the audit and queues one task, and only the
task (in the worker, out of the asker's sight) looks the address up and queues the email. So
neither the page, nor its timing, nor the rows written tell an asker whether an account exists.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .audit import audit
from .commit import after_commit
from .models import User
from .outbox.models import OutgoingEmail
from .outbox.services import email_queue
from .throttle import RESET_ACTION, address_digest


def password_reset_request(*, address: str, request) -> None:
    """Record the ask (it counts towards the throttle) and queue the lookup and email."""
    from .tasks import password_reset_send_task

    audit(actor=None, action=RESET_ACTION, request=request, address=address_digest(address))
    # robust: a broker that is down loses this ask (the person asks again), never the page.
    after_commit(password_reset_send_task.delay, address, robust=True)


def password_reset_send(*, address: str) -> int:
    """Queue a reset email to each account at this address that may reset its password
    (Django's rule: active, with a usable password); how many (0 for none)."""
    users: list[User] = list(PasswordResetForm().get_users(address))
    for user in users:
        email_queue(
            to=user.email,
            kind=OutgoingEmail.Kind.PASSWORD_RESET,
            name="password-reset",
            context={
                "user": user,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
            user=user,
        )
    return len(users)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, with the request handed to the form (its throttle counts by IP)."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
