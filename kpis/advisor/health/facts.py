"""What the health check knows of a plan, read in five queries whatever the plan's size.

The rules (`rules.py`) are plain functions over these facts, so they are tested without HTTP
and never query on their own; `Links` says where each finding's link goes, for editors (the
item's edit page, the stage's notes) or for readers (the worksheet at the item's row).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.urls import reverse

from kpis.models import Measurement
from plans.models import KPI, ItemAudience, Objective, Plan, StageWorksheet, Tactic


@dataclass(frozen=True)
class Links:
    """Each URL reversed once a report: a plan of 200 KPIs links 200 findings."""

    worksheet: str  # "/plans/7/"
    edit_prefix: str  # "/plans/7/" + "<kind>/<id>/edit/"; empty for readers
    dashboard: str

    @classmethod
    def for_plan(cls, plan: Plan, *, editable: bool) -> Links:
        worksheet = reverse("plans-detail", args=[plan.pk])
        return cls(
            worksheet=worksheet,
            edit_prefix=worksheet if editable else "",
            dashboard=reverse("kpis-dashboard", args=[plan.pk]),
        )

    def item(self, kind: str, item_id: int) -> str:
        """The item's edit page for editors; its row on the worksheet for everyone else."""
        if self.edit_prefix:
            return f"{self.edit_prefix}{kind}/{item_id}/edit/"
        return f"{self.worksheet}#{kind}-{item_id}"

    def stage(self, stage: str) -> str:
        return f"{self.worksheet}#stage-{stage}"

    def notes(self, stage: str) -> str:
        """The stage's notes form (opportunity, strategy, actions, primary KPI) when editable."""
        return f"{self.worksheet}#ws-form-{stage}" if self.edit_prefix else self.stage(stage)


@dataclass
class PlanFacts:
    plan: Plan
    today: date
    links: Links
    worksheets: dict[str, StageWorksheet]
    objectives: list[Objective]
    tactics: list[Tactic]
    kpis: list[KPI]  # live ones only, in worksheet order
    audiences: list[str]  # the plan's, or the one a review narrows it to
    actual_dates: dict[int, list[date]] = field(default_factory=dict)  # KPI id -> sorted dates

    def kpis_in(self, stage: str) -> list[KPI]:
        return [kpi for kpi in self.kpis if kpi.stage == stage]

    @property
    def kpis_by_id(self) -> dict[int, KPI]:
        return {kpi.pk: kpi for kpi in self.kpis}


def read_facts(
    plan: Plan, *, today: date, editable: bool, audience: str | None = None
) -> PlanFacts:
    """Worksheets, objectives, tactics, KPIs and the dates of their actuals: five queries.
    `audience` ("b2c"/"b2b") keeps the items that serve it, as a review narrowed to it does."""
    serving = Q(audience__in=[ItemAudience.ALL, audience]) if audience else Q()
    worksheets = {w.stage: w for w in StageWorksheet.objects.filter(plan=plan)}
    objectives = list(Objective.objects.filter(serving, plan=plan).only(*_OBJECTIVE_FIELDS))
    tactics = list(Tactic.objects.filter(serving, plan=plan))
    kpis = list(KPI.objects.filter(serving, plan=plan).only(*_KPI_FIELDS))
    dates: dict[int, list[date]] = defaultdict(list)
    rows = Measurement.objects.filter(kpi__plan=plan, kpi__deleted_at__isnull=True)
    for kpi_id, day in rows.order_by("kpi_id", "date").values_list("kpi_id", "date"):
        dates[kpi_id].append(day)
    return PlanFacts(
        plan=plan,
        today=today,
        links=Links.for_plan(plan, editable=editable),
        worksheets=worksheets,
        objectives=objectives,
        tactics=tactics,
        kpis=kpis,
        audiences=[audience] if audience else plan.audiences,
        actual_dates=dict(dates),
    )


_OBJECTIVE_FIELDS = ("plan", "stage", "audience", "title", "kpi", "position")
_KPI_FIELDS = (
    "plan",
    "stage",
    "audience",
    "name",
    "unit",
    "direction",
    "baseline",
    "target",
    "preset_key",
    "cadence",
    "position",
    "deleted_at",
)
