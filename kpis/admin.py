from django.contrib import admin

from kpis.models import Measurement
from plans.admin import LinksToDeletedKPIs


@admin.register(Measurement)
class MeasurementAdmin(LinksToDeletedKPIs):
    list_display = ["kpi", "date", "value", "source", "recorded_by", "recorded_at"]
    list_filter = ["source", "kpi__stage", "kpi__plan__workspace", "kpi__deleted_at"]
    search_fields = ["kpi__name", "kpi__plan__name", "note"]
    date_hierarchy = "date"
    raw_id_fields = ["kpi", "recorded_by"]
