from django.contrib import admin

from practice.admin import NoAdding, ReadOnly

from .models import Addendum, Barrier, HomePractice, ParentProfile, SessionLog, SessionSeries


@admin.register(ParentProfile)
class ParentProfileAdmin(admin.ModelAdmin):
    list_display = ["parent", "preferred_channel", "language"]
    # Free-text answers are the family's own words: listed nowhere here.
    fields = ["parent", "preferred_channel", "language", "learning_style"]
    autocomplete_fields = ["parent"]


class NoClinicalTextAdmin(admin.ModelAdmin):
    """Minimum necessary: the operator sees structure and state, never clinical text."""


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


@admin.register(HomePractice)
class HomePracticeAdmin(NoAdding, NoClinicalTextAdmin):
    # The strategy, instructions and demonstration are written for one family: not listed here.
    list_display = ["pk", "child", "goal_id", "frequency", "until", "is_active", "assigned_at"]
    list_filter = ["is_active", "frequency"]
    fields = ["child", "goal", "frequency", "until", "is_active", "assigned_by", "assigned_at"]
    readonly_fields = ["child", "goal", "assigned_by", "assigned_at"]


@admin.register(Barrier)
class BarrierAdmin(NoAdding, NoClinicalTextAdmin):
    # The clinician's notes and actions taken are clinical: never listed or shown here.
    list_display = ["pk", "child", "kind", "reporter_role", "status", "created_at", "updated_at"]
    list_filter = ["kind", "status", "reporter_role"]
    fields = ["child", "kind", "reporter_role", "status", "session", "reported_by", "created_at"]
    readonly_fields = ["child", "session", "reported_by", "created_at"]


from practice.admin import ReadOnlyAdmin  # noqa: E402

from .updates.models import ProgressUpdate, UpdatePreference  # noqa: E402
from .updates.services import PREFERENCE_FIELDS  # noqa: E402


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


from .engagement_agreements import admin as engagement_agreements_admin  # noqa: E402, F401
from .messaging import admin as messaging_admin  # noqa: E402, F401
from .observations import admin as observations_admin  # noqa: E402, F401
from .practice_at_home import admin as practice_at_home_admin  # noqa: E402, F401
from .rescheduling import admin as rescheduling_admin  # noqa: E402, F401
