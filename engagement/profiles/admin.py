from django.contrib import admin

from .models import ParentProfile


@admin.register(ParentProfile)
class ParentProfileAdmin(admin.ModelAdmin):
    list_display = ["parent", "preferred_channel", "language"]
    # Free-text answers are the family's own words: listed nowhere here.
    fields = ["parent", "preferred_channel", "language", "learning_style"]
    autocomplete_fields = ["parent"]
