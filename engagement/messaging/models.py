"""Message threads between one guardian and a child's care team (DESIGN.md, "Message").

A message is a record: once sent it is never edited or deleted, so the model refuses both and
the foreign keys protect it from cascades. Each side's read marker lives on the thread.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practice.models import AppendOnly, Child
from practice.once import once_key_field

MAX_SUBJECT = 120
MAX_BODY = 5000


class MessageThread(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="message_threads")
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="message_threads"
    )
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    # Who spoke last: a family message still waiting is what the caseload watches.
    last_from_family = models.BooleanField(default=True)
    family_read_at = models.DateTimeField(null=True, blank=True)
    care_team_read_at = models.DateTimeField(null=True, blank=True)
    once_key = once_key_field()  # a double-clicked "Send" starts one thread

    class Meta:
        indexes = [models.Index(fields=["child", "last_from_family", "last_message_at"])]

    def __str__(self):
        return f"Thread {self.pk} ({self.child_id}, guardian {self.guardian_id})"


class Message(AppendOnly):
    EDIT_REFUSED = "A message is never edited once sent."
    DELETE_REFUSED = "A message is never deleted once sent."

    thread = models.ForeignKey(MessageThread, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_family = models.BooleanField()
    body = models.TextField(_("message"), max_length=MAX_BODY)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    once_key = once_key_field()  # a double-clicked reply is sent once

    class Meta:
        indexes = [models.Index(fields=["author", "sent_at"])]

    def __str__(self):
        return f"Message {self.pk} in thread {self.thread_id}"
