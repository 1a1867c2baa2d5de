from django.contrib import admin

from practice.admin import NoAdding, NoClinicalTextAdmin, ReadOnly

from .models import Addendum, SessionLog, SessionSeries


@admin.register(SessionLog)
class SessionLogAdmin(NoAdding, NoClinicalTextAdmin):
    list_display = ["pk", "child", "clinician", "scheduled_start", "status", "signed_at"]
    list_filter = ["status", "modality"]
    date_hierarchy = "scheduled_start"
    fields = [
        "child",
        "clinician",
        "scheduled_start",
        "planned_minutes",
        "modality",
        "status",
        "duration_minutes",
        "signed_at",
        "signed_by",
    ]
    readonly_fields = ["child", "clinician", "signed_at", "signed_by"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_signed

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_signed


@admin.register(Addendum)
class AddendumAdmin(ReadOnly, NoClinicalTextAdmin):
    list_display = ["pk", "session", "author", "created_at", "corrects_shared_summary"]
    fields = ["session", "author", "created_at", "corrects_shared_summary"]
    readonly_fields = fields


@admin.register(SessionSeries)
class SessionSeriesAdmin(admin.ModelAdmin):
    list_display = ["pk", "child", "clinician", "first_start", "weeks"]
