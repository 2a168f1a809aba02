"""The measuring side: actual values recorded against a plan's KPIs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plans.models import KPI, Plan, Versioned
from race_planner.dates import check_in_range
from race_planner.numbers import VALUE_DIGITS, VALUE_PLACES


class Source(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    CSV = "csv", "CSV import"
    API = "api", "Via API"


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
        # A dashboard reads a plan's actuals (kpi, date, value) off this index alone, never
        # the table's rows (kpis/dashboards/snapshot.py: `_series`).
        indexes = [models.Index(fields=["kpi", "date", "value"], name="measurement_kpi_date_value")]
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


class ExportState(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ReviewExport(models.Model):
    """One quarterly review PDF, made by a background job and kept in the "reviews" storage.

    `fingerprint` sums up everything that goes into the document (the plan's data, the options,
    the day it is made as of, the code that draws it): a second request with the same
    fingerprint joins this export instead of starting another (kpis/review/jobs.py).
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64, unique=True)
    options = models.JSONField()
    as_of = models.DateField()
    state = models.CharField(max_length=7, choices=ExportState.choices, default=ExportState.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)  # again on a retry
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.CharField(max_length=200, blank=True)  # its name in the "reviews" storage
    filename = models.CharField(max_length=200, blank=True)  # offered to the browser
    pages = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["queued_at", "id"]
        indexes = [models.Index(fields=["state", "queued_at"]), models.Index(fields=["created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ExportState.values), name="review_export_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.plan_id} as of {self.as_of} ({self.state})"


# The advisor's tables live beside their rules; imported here so Django finds them in this app.
from kpis.advisor.models import AuditAnswer, CapabilityAudit, ImprovementAction  # noqa: E402

__all__ = [
    "AuditAnswer",
    "CapabilityAudit",
    "ExportState",
    "ImprovementAction",
    "Measurement",
    "ReviewExport",
    "Source",
]


class PlanRollup(models.Model):
    """A plan's portfolio row (`progress.rollup` of its KPIs, the Overall colour, and each
    stage's worst status) as judged on `judged_on`, when the plan had `revision` and
    `plan_updated_at`. The portfolio and its status filter read it while all three still hold
    and judge the other plans again: every write to a KPI or an actual moves
    the plan's `content_revision` on (plans/revisions.py), a change of period its `updated_at`,
    and pace and staleness move with the day."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, primary_key=True, related_name="+")
    revision = models.PositiveBigIntegerField()
    plan_updated_at = models.DateTimeField()
    judged_on = models.DateField()
    status = models.CharField(max_length=9)
    on_track = models.PositiveIntegerField()  # of its KPIs
    # Each stage in order as "<worst status>:<number of KPIs>", the portfolio row's cells.
    stages = models.CharField(max_length=120)

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.status} on {self.judged_on}"
