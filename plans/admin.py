from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest
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


class LinksToDeletedKPIs(SimpleHistoryAdmin):
    """Links may point at a KPI deleted from the worksheet, kept for a restore: the admin accepts
    them instead of refusing the whole row."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.related_model is KPI:
            kwargs["queryset"] = KPI.with_deleted.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(StageWorksheet)
class StageWorksheetAdmin(LinksToDeletedKPIs):
    list_display = ["plan", "stage", "primary_kpi", "version"]
    list_filter = ["stage", "plan__workspace"]
    search_fields = ["plan__name", "opportunity", "strategy", "actions"]
    raw_id_fields = ["plan", "primary_kpi"]


class StageItemAdmin(LinksToDeletedKPIs):
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
    list_display = [
        "name",
        "plan",
        "stage",
        "audience",
        "unit",
        "direction",
        "baseline",
        "target",
        "deleted_at",
    ]
    list_filter = [
        *StageItemAdmin.list_filter,
        "unit",
        "direction",
        "deleted_at",  # "No date" are the KPIs on the worksheet
    ]
    search_fields = ["name", "definition", "plan__name"]
    readonly_fields = [*StageItemAdmin.readonly_fields, "deleted_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[KPI]:
        return KPI.with_deleted.select_related("plan")
