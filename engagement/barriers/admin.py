from django.contrib import admin

from practice.admin import NoAdding, NoClinicalTextAdmin

from .models import Barrier


@admin.register(Barrier)
class BarrierAdmin(NoAdding, NoClinicalTextAdmin):
    # The clinician's notes and actions taken are clinical: never listed or shown here.
    list_display = ["pk", "child", "kind", "reporter_role", "status", "created_at", "updated_at"]
    list_filter = ["kind", "status", "reporter_role"]
    fields = ["child", "kind", "reporter_role", "status", "session", "reported_by", "created_at"]
    readonly_fields = ["child", "session", "reported_by", "created_at"]
