"""Observations and replies are between one parent and the care team: the operator sees who and
when, never the text (minimum necessary)."""

from django.contrib import admin

from .models import HomeObservation, ObservationReply


@admin.register(HomeObservation)
class HomeObservationAdmin(admin.ModelAdmin):
    list_display = ["pk", "child", "guardian", "goal_id", "rating_id", "created_at"]
    fields = ["child", "guardian", "goal", "rating", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ObservationReply)
class ObservationReplyAdmin(admin.ModelAdmin):
    list_display = ["pk", "observation_id", "author", "created_at"]
    fields = ["observation", "author", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
