from django.contrib import admin
from django.http import HttpRequest

from kpis.models import (
    AuditAnswer,
    CapabilityAudit,
    ImprovementAction,
    Measurement,
    PlanRollup,
    ReviewExport,
)
from plans.admin import LinksToDeletedKPIs


@admin.register(Measurement)
class MeasurementAdmin(LinksToDeletedKPIs):
    list_display = ["kpi", "date", "value", "source", "recorded_by", "recorded_at"]
    list_filter = ["source", "kpi__stage", "kpi__plan__workspace", "kpi__deleted_at"]
    search_fields = ["kpi__name", "kpi__plan__name", "note"]
    date_hierarchy = "date"
    raw_id_fields = ["kpi", "recorded_by"]


@admin.register(ReviewExport)
class ReviewExportAdmin(admin.ModelAdmin[ReviewExport]):
    """Review PDFs made by the export jobs: read-only; delete one to have it made again."""

    list_display = ["plan", "as_of", "state", "pages", "size", "created_at", "finished_at"]
    list_filter = ["state", "as_of", "plan__workspace"]
    search_fields = ["plan__name", "filename", "fingerprint", "error"]
    date_hierarchy = "created_at"
    raw_id_fields = ["plan", "requested_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AnswerInline(admin.TabularInline[AuditAnswer, CapabilityAudit]):
    model = AuditAnswer
    extra = 0


@admin.register(CapabilityAudit)
class CapabilityAuditAdmin(admin.ModelAdmin[CapabilityAudit]):
    list_display = ["workspace", "quarter_start", "created_by", "updated_at"]
    list_filter = ["quarter_start"]
    search_fields = ["workspace__name"]
    inlines = [AnswerInline]


@admin.register(ImprovementAction)
class ImprovementActionAdmin(admin.ModelAdmin[ImprovementAction]):
    list_display = ["title", "plan", "area", "band", "tactic", "added_at"]
    list_filter = ["area", "band"]
    search_fields = ["title", "plan__name"]
    raw_id_fields = ["plan", "tactic"]


@admin.register(AuditAnswer)
class AuditAnswerAdmin(admin.ModelAdmin[AuditAnswer]):
    list_display = ["question", "score", "audit", "note"]
    list_filter = ["score"]
    search_fields = ["question", "note"]
    raw_id_fields = ["audit"]


@admin.register(PlanRollup)
class PlanRollupAdmin(admin.ModelAdmin[PlanRollup]):
    """Kept portfolio rows: read here, never written (the portfolio judges and keeps them)."""

    list_display = ["plan", "status", "on_track", "judged_on", "revision"]
    list_filter = ["status", "judged_on"]
    search_fields = ["plan__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PlanRollup | None = None) -> bool:
        return False
