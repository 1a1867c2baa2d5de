"""Operator's view of goals: structure and state only. Goal texts are the family's words and
clinical content, so they are not listed here."""

from django.contrib import admin

from practice.admin import NoAdding, NoChanging

from .models import Goal, GoalChange, GoalComment, GoalRating, Milestone


@admin.register(Goal)
class GoalAdmin(NoAdding, admin.ModelAdmin):
    list_display = ["pk", "child", "domain", "status", "weight", "review_date", "private_to_child"]
    list_filter = ["status", "domain"]
    fields = ["child", "domain", "status", "weight", "review_date", "private_to_child"]
    readonly_fields = ["child"]


@admin.register(GoalRating)
class GoalRatingAdmin(NoChanging, admin.ModelAdmin):
    list_display = ["pk", "goal_id", "level", "rated_on", "source", "perspective"]
    list_filter = ["source", "perspective"]
    fields = ["level", "rated_on", "source", "perspective"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["pk", "goal_id", "kind", "reached_on"]


@admin.register(GoalChange)
class GoalChangeAdmin(NoChanging, admin.ModelAdmin):
    list_display = ["pk", "goal_id", "at", "summary"]
    fields = ["goal", "at", "summary"]
    readonly_fields = ["goal", "at", "summary"]


@admin.register(GoalComment)
class GoalCommentAdmin(NoChanging, admin.ModelAdmin):
    list_display = ["pk", "goal_id", "author", "created_at"]
    fields = ["goal", "author", "created_at"]
    readonly_fields = ["goal", "author", "created_at"]
