from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from simple_history.admin import SimpleHistoryAdmin

from dialogues.models import Dialogue, Membership, Programme
from dialogues.services.teams import programme_update_settings


class AuditHistoryAdmin(SimpleHistoryAdmin):
    """An admin whose history page is the audit trail (dialogues.audit): every change to the
    object, made here, in Parley or by a command, with who made it and what changed.

    Read-only: simple-history's revert form is not routed (its POST saves an old version
    past the checks a change goes through), so the change form stays the one way to edit."""

    object_history_list_template = "admin/audit_history_list.html"

    def get_urls(self):
        # Every URL of the admins further along (UserAdmin's password page), without the one
        # SimpleHistoryAdmin adds.
        return super(SimpleHistoryAdmin, self).get_urls()

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # The audited admin models have no foreign keys to load for the diffs, only the actor.
        return history_manager.filter(**{pk_name: object_id}).select_related("history_user")

    def revert_disabled(self, request, obj=None):
        return True


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditHistoryAdmin, UserAdmin):
    """Staff and superuser flags, groups and permissions: their history is on the page."""


@admin.register(Group)
class AuditedGroupAdmin(AuditHistoryAdmin, GroupAdmin):
    pass


class MembershipInline(admin.TabularInline):
    """Read-only: team changes go through Parley's team page, whose service keeps the
    django-guardian permissions in step with the role."""

    model = Membership
    fk_name = "programme"
    extra = 0
    fields = ["user", "role", "is_admin", "added_at", "added_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Programme)
class ProgrammeAdmin(AuditHistoryAdmin):
    """Object permissions change only through the team services, so the roles and the
    django-guardian rows never drift apart: a change saved here goes through
    programme_update_settings, which re-grants officers' identity access from the setting."""

    list_display = ["name", "country", "starts_on", "ends_on"]
    search_fields = ["name", "country"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        programme_update_settings(
            programme=obj,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in form.changed_data},
        )


@admin.register(Dialogue)
class DialogueAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "status", "track_level", "starts_on"]
    list_filter = ["status", "track_level", "programme"]
    search_fields = ["title"]
