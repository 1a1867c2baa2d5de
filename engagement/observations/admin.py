"""Observations and replies are between one parent and the care team: the operator sees who and
when, never the text (minimum necessary)."""

from django.contrib import admin

from practice.admin import NoChanging

from .models import HomeObservation, ObservationReply


@admin.register(HomeObservation)
class HomeObservationAdmin(NoChanging, admin.ModelAdmin):
    list_display = ["pk", "child", "guardian", "goal_id", "rating_id", "created_at"]
    fields = ["child", "guardian", "goal", "rating", "created_at"]
    readonly_fields = fields


@admin.register(ObservationReply)
class ObservationReplyAdmin(NoChanging, admin.ModelAdmin):
    list_display = ["pk", "observation_id", "author", "created_at"]
    fields = ["observation", "author", "created_at"]
    readonly_fields = fields
