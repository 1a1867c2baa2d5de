from django.contrib import admin

from practice.admin import NoAdding, NoChanging, NoClinicalTextAdmin

from .models import CheckIn, HomePractice


@admin.register(CheckIn)
class CheckInAdmin(NoChanging, admin.ModelAdmin):
    # The parent's note is theirs and the care team's: not listed or shown here.
    list_display = ["pk", "home_practice_id", "guardian", "for_date", "done", "how_it_went"]
    list_filter = ["done", "difficulty"]
    fields = ["home_practice", "guardian", "for_date", "done", "how_it_went", "difficulty"]
    readonly_fields = fields


@admin.register(HomePractice)
class HomePracticeAdmin(NoAdding, NoClinicalTextAdmin):
    # The strategy, instructions and demonstration are written for one family: not listed here.
    list_display = ["pk", "child", "goal_id", "frequency", "until", "is_active", "assigned_at"]
    list_filter = ["is_active", "frequency"]
    fields = ["child", "goal", "frequency", "until", "is_active", "assigned_by", "assigned_at"]
    readonly_fields = ["child", "goal", "assigned_by", "assigned_at"]
