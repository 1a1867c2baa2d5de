"""Messages in the admin: structure and state only, never a body; nothing can be changed."""

from django.contrib import admin

from practice.admin import ReadOnlyAdmin

from .models import Message, MessageThread


@admin.register(MessageThread)
class MessageThreadAdmin(ReadOnlyAdmin):
    # The subject is the family's own words: shown nowhere here either.
    list_display = ["pk", "child", "guardian", "status", "created_at", "last_message_at"]
    list_filter = ["status", "last_from_family"]
    fields = ["child", "guardian", "status", "created_at", "last_message_at", "last_from_family"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["pk", "thread", "author", "from_family", "sent_at"]
    fields = ["thread", "author", "from_family", "sent_at"]
