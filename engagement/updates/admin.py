from django.contrib import admin

from practice.admin import ReadOnlyAdmin

from .models import ProgressUpdate, UpdatePreference
from .services import PREFERENCE_FIELDS


@admin.register(UpdatePreference)
class UpdatePreferenceAdmin(ReadOnlyAdmin):
    # The parent's own choices: changed only by them, in the portal (audited there).
    list_display = ["parent", "cadence", "weekday", "hour", "paused", "next_update_at"]
    list_filter = ["cadence", "paused"]
    fields = ["parent", *PREFERENCE_FIELDS, "unsubscribed_at", "first_login_at", "next_update_at"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin):
    # The email's state only, never its body.
    list_display = ["pk", "parent", "period_start", "period_end", "email_state"]
    fields = ["parent", "period_start", "period_end", "email_state", "created_at"]
    list_select_related = ["parent", "email"]
    date_hierarchy = "period_end"

    @admin.display(description="email state")
    def email_state(self, obj):
        return obj.email.get_state_display() if obj.email else "-"
