"""The measuring side: actual values recorded against a plan's KPIs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from plans.models import KPI, Versioned
from race_planner.dates import check_in_range
from race_planner.numbers import VALUE_DIGITS, VALUE_PLACES


class Source(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    CSV = "csv", "CSV import"


class MeasurementQuerySet(models.QuerySet["Measurement"]):
    def of_live_kpis(self) -> MeasurementQuerySet:
        """Leave out the values of KPIs deleted from the worksheet: kept for a restore, unseen."""
        return self.filter(kpi__deleted_at__isnull=True)


class Measurement(Versioned):
    """One actual value of a KPI on a date; a second value for the same date replaces the first."""

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField(validators=[check_in_range])
    value = models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES)
    note = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.MANUAL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["kpi", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "date"], name="measurement_one_per_kpi_and_date"
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="measurement_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi} on {self.date}: {self.value}"
