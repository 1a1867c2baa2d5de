"""Sent after an outbox row changes state (sent, failed, back to pending for a retry), with
``sender=OutgoingEmail`` and ``email=<the row>``. Whatever follows an email's delivery (an
invitation's "sent" or "not delivered") listens here, so the outbox knows nothing of it."""

from django.dispatch import Signal

email_state_changed = Signal()
