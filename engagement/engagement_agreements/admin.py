from django.contrib import admin

from .models import EngagementAcknowledgement, EngagementAgreement


@admin.register(EngagementAgreement)
class EngagementAgreementAdmin(admin.ModelAdmin):
    list_display = ["child", "version", "parent_sessions", "recorded_by", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["child", "recorded_by"]


@admin.register(EngagementAcknowledgement)
class EngagementAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["agreement", "guardian", "acknowledged_at"]
    raw_id_fields = ["agreement", "guardian"]

    def has_change_permission(self, request, obj=None):
        return False  # an acknowledgement is a record of what was agreed: never edited
