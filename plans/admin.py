from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from plans.models import KPI, Membership, Objective, Plan, StageWorksheet, Tactic, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    list_filter = ["created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "workspace", "role"]
    list_filter = ["role", "workspace"]
    search_fields = ["user__username", "user__email", "workspace__name"]
    autocomplete_fields = ["user", "workspace"]


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["name", "workspace", "audience", "period_start", "period_end", "status"]
    list_filter = ["status", "audience", "workspace"]
    search_fields = ["name", "summary", "workspace__name"]
    date_hierarchy = "period_start"
    raw_id_fields = ["rolled_from", "created_by"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(StageWorksheet)
class StageWorksheetAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "stage", "primary_kpi", "version"]
    list_filter = ["stage", "plan__workspace"]
    search_fields = ["plan__name", "opportunity", "strategy", "actions"]
    raw_id_fields = ["plan", "primary_kpi"]


class StageItemAdmin(SimpleHistoryAdmin):
    list_filter = ["stage", "audience", "plan__workspace"]
    raw_id_fields = ["plan"]
    readonly_fields = ["version"]


@admin.register(Objective)
class ObjectiveAdmin(StageItemAdmin):
    list_display = ["title", "plan", "stage", "audience", "kpi", "target_date"]
    search_fields = ["title", "description", "plan__name"]
    raw_id_fields = ["plan", "kpi"]


@admin.register(Tactic)
class TacticAdmin(StageItemAdmin):
    list_display = [
        "title",
        "plan",
        "stage",
        "audience",
        "channel",
        "media",
        "owner",
        "budget_planned",
        "budget_spent",
        "status",
    ]
    list_filter = [*StageItemAdmin.list_filter, "media", "status"]
    search_fields = ["title", "description", "channel", "owner", "plan__name"]
    raw_id_fields = ["plan", "objective"]


@admin.register(KPI)
class KPIAdmin(StageItemAdmin):
    list_display = ["name", "plan", "stage", "audience", "unit", "direction", "baseline", "target"]
    list_filter = [*StageItemAdmin.list_filter, "unit", "direction"]
    search_fields = ["name", "definition", "plan__name"]
