"""OutgoingEmail: the outbox row of every email the practice sends.

Delivery is at least once per row, always with the row's Message-ID, so a repeat after a
crash is recognisable as the same message.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_message_id() -> str:
    domain = settings.EMAIL_MESSAGE_ID_DOMAIN
    return f"<{uuid.uuid4().hex}@{domain}>"


class OutgoingEmail(models.Model):
    bumps_record_version = False  # no cached fragment shows delivery

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        PASSWORD_RESET = "password_reset", _("Password reset")
        PROGRESS_UPDATE = "progress_update", _("Progress update")
        MESSAGE_NOTICE = "message_notice", _("New message notice")
        SAFETY_NOTICE = "safety_notice", _("Important message notice")
        SESSION_REMINDER = "session_reminder", _("Session reminder")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    class SkipReason(models.TextChoices):
        NO_NEWS = "no_news", _("Nothing new to tell since the last update, so no email was needed.")
        NO_TIME = "no_time", _("The quiet hours and the parent's own times leave no time to send.")
        READ = "read", _("They read the message in the portal before the notice went.")
        NO_LONGER_SEES = (
            "no_longer_sees",
            _(
                "They can no longer see the conversation: their access changed, or they left the "
                "care team or the practice."
            ),
        )
        REMINDER_STALE = (
            "reminder_stale",
            _("The session was moved or cancelled, or they no longer get reminders for it."),
        )

    # What makes this email unique in the world ("reminder:<session>:<guardian>", ...): a
    # second attempt to create it finds the first instead.
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    recipient = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outgoing_emails",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Why a skipped email was not sent, in words the delivery page shows.
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)
    message_id = models.CharField(max_length=255, unique=True, default=new_message_id)
    subject = models.CharField(max_length=255, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    # Extra headers (List-Unsubscribe, List-Unsubscribe-Post, ...).
    headers = models.JSONField(default=dict, blank=True)
    # Not before this instant (quiet hours hold a notice; retries back off).
    send_after = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "send_after"], name="outbox_due"),
            models.Index(fields=["state", "claimed_at"], name="outbox_claimed"),
            models.Index(fields=["kind", "-created_at"], name="outbox_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient} ({self.state})"
