"""The site operator's tool. Minimum necessary: no clinical text is ever listed or shown here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    AuditEvent,
    BreakGlassGrant,
    CareTeamMembership,
    Child,
    CommunicationPolicy,
    ConfidentialityAgreement,
    Guardianship,
    Heartbeat,
    Invitation,
    NotToBeTold,
    OutgoingEmail,
    Practice,
    SafetyConcern,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "role", "is_practice_admin", "is_active"]
    list_filter = ["role", "is_active", "is_practice_admin"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "phone", "role", "discipline", "is_practice_admin"]}),
        ("Status", {"fields": ["is_active", "deactivated_at", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined", "deactivated_at"]
    filter_horizontal = []


class CareTeamInline(admin.TabularInline):
    model = CareTeamMembership
    extra = 0
    autocomplete_fields = ["clinician"]


class GuardianshipInline(admin.TabularInline):
    model = Guardianship
    extra = 0
    fields = ["guardian", "relationship", "access", "is_primary_contact"]
    autocomplete_fields = ["guardian"]


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ["__str__", "date_of_birth", "stage", "discharged_on"]
    list_filter = ["stage"]
    search_fields = ["first_name", "last_name", "preferred_name"]
    inlines = [CareTeamInline, GuardianshipInline]


@admin.register(Guardianship)
class GuardianshipAdmin(admin.ModelAdmin):
    list_display = ["guardian", "child", "relationship", "access", "court_order_expires"]
    list_filter = ["access", "relationship"]
    autocomplete_fields = ["guardian", "child"]
    readonly_fields = ["access_changed_by", "access_changed_at"]


@admin.register(ConfidentialityAgreement)
class ConfidentialityAgreementAdmin(admin.ModelAdmin):
    list_display = ["child", "version", "sharing_level", "effective_date", "child_assent"]
    list_filter = ["sharing_level"]
    autocomplete_fields = ["child"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "sent_at", "accepted_at", "superseded", "send_error"]
    readonly_fields = ["user", "created_by", "created_at", "email", "sent_at", "accepted_at"]


class NoAdding:
    """An admin (or inline) for rows only a service creates: the operator never adds one."""

    def has_add_permission(self, request, obj=None):
        return False


class NoChanging(NoAdding):
    """... nor changes one (deleting is left as for any row)."""

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnly(NoChanging):
    """... nor deletes one: the operator only looks."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """Rows a service writes with its audit events: the operator looks, never edits."""


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id", "child", "ip_address"]
    list_filter = ["action"]
    date_hierarchy = "at"


class NoClinicalTextAdmin(admin.ModelAdmin):
    """Minimum necessary: the operator sees structure and state, never clinical text."""


class NotToBeToldInline(ReadOnly, admin.TabularInline):
    model = NotToBeTold
    extra = 0
    fields = ["guardian"]  # the reason may name the alleged source of harm: not shown here


@admin.register(SafetyConcern)
class SafetyConcernAdmin(ReadOnlyAdmin):
    # Minimum necessary: the clinical record and the family's statement are never shown here.
    list_display = ["child", "kind", "recorded_at", "recorded_by"]
    list_filter = ["kind"]
    fields = ["child", "kind", "recorded_at", "recorded_by"]
    inlines = [NotToBeToldInline]


@admin.register(BreakGlassGrant)
class BreakGlassGrantAdmin(ReadOnlyAdmin):
    list_display = ["granted_at", "clinician", "child", "expires_at"]
    fields = ["clinician", "child", "reason", "granted_at", "expires_at"]
    date_hierarchy = "granted_at"


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    # Minimum necessary: delivery state only; the subject and bodies may carry clinical text.
    list_display = ["created_at", "kind", "recipient", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["recipient"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "recipient",
        "user",
        "state",
        "attempts",
        "last_error",
        "message_id",
        "send_after",
        "claimed_at",
        "sent_at",
        "created_at",
    ]


admin.site.register(Practice)
admin.site.register(CommunicationPolicy)
admin.site.register(CareTeamMembership)
admin.site.register(Heartbeat)
admin.site.site_header = "Site operator"
