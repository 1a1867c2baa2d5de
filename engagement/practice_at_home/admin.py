from django.contrib import admin

from practice.admin import NoChanging

from .models import CheckIn


@admin.register(CheckIn)
class CheckInAdmin(NoChanging, admin.ModelAdmin):
    # The parent's note is theirs and the care team's: not listed or shown here.
    list_display = ["pk", "home_practice_id", "guardian", "for_date", "done", "how_it_went"]
    list_filter = ["done", "difficulty"]
    fields = ["home_practice", "guardian", "for_date", "done", "how_it_went", "difficulty"]
    readonly_fields = fields
