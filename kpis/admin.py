from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kpis.models import Measurement


@admin.register(Measurement)
class MeasurementAdmin(SimpleHistoryAdmin):
    list_display = ["kpi", "date", "value", "source", "recorded_by", "recorded_at"]
    list_filter = ["source", "kpi__stage", "kpi__plan__workspace"]
    search_fields = ["kpi__name", "kpi__plan__name", "note"]
    date_hierarchy = "date"
    raw_id_fields = ["kpi", "recorded_by"]
