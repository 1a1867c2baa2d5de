from django.contrib import admin

from practice.admin import NoAdding

from .models import RescheduleRequest


@admin.register(RescheduleRequest)
class RescheduleRequestAdmin(NoAdding, admin.ModelAdmin):
    """State only: the family's times and the clinician's answer are not listed here."""

    list_display = ["pk", "session", "guardian", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    fields = ["session", "guardian", "status", "answered_by", "answered_at", "created_at"]
    readonly_fields = fields
