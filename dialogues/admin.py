from django.contrib import admin

from dialogues.models import Dialogue, Membership, Programme


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
class ProgrammeAdmin(admin.ModelAdmin):
    """A plain ModelAdmin: object permissions change only through the team services, so the
    roles and the django-guardian rows never drift apart."""

    list_display = ["name", "country", "starts_on", "ends_on"]
    search_fields = ["name", "country"]
    inlines = [MembershipInline]


@admin.register(Dialogue)
class DialogueAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "status", "track_level", "starts_on"]
    list_filter = ["status", "track_level", "programme"]
    search_fields = ["title"]
