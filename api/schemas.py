"""What the API reads and writes, as typed schemas: django-ninja turns them into the OpenAPI
document and checks requests against them. Numbers go out as strings ("1250.5"), exactly as
stored; they come in as JSON numbers or strings."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import StrictFloat, StrictInt, StrictStr

BULK_LIMIT = 500

Number = StrictInt | StrictFloat | StrictStr


class Message(Schema):
    message: str = Field(description="What went wrong and what to do about it.")


class RowError(Schema):
    row: int = Field(description="Index of the row in `actuals`, from 0.")
    errors: list[str]


class Refused(Schema):
    message: str
    rows: list[RowError] = Field(default_factory=list, description="Each faulty row's problems.")


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str
    role: str = Field(description="Your role: admin and editor write, viewer reads.")


class PlanOut(Schema):
    id: int
    workspace_id: int
    name: str
    audience: str
    status: str
    period_start: date
    period_end: date
    currency: str
    can_write: bool = Field(description="Whether your token may record actuals in this plan.")


class PlanPage(Schema):
    count: int = Field(description="How many plans there are on all pages.")
    page: int
    page_size: int
    items: list[PlanOut]


class KpiOut(Schema):
    id: int
    stage: str
    audience: str
    name: str
    unit: str
    direction: str
    baseline: str
    target: str
    definition: str
    owner_id: int | None = Field(
        description="The member who records its actuals; null means the plan's creator."
    )
    cadence: str = Field(description="How often an actual is expected: weekly, monthly or none.")


class ObjectiveOut(Schema):
    id: int
    audience: str
    title: str
    description: str
    kpi_id: int | None
    target_date: date | None


class TacticOut(Schema):
    id: int
    audience: str
    title: str
    channel: str
    media: str
    status: str
    owner: str
    budget_planned: str | None
    budget_spent: str | None
    start_date: date | None
    end_date: date | None
    objective_id: int | None


class StageOut(Schema):
    stage: str
    opportunity: str
    strategy: str
    actions: str
    primary_kpi_id: int | None
    objectives: list[ObjectiveOut]
    tactics: list[TacticOut]
    kpis: list[KpiOut]


class PlanDetailOut(PlanOut):
    summary: str
    stages: list[StageOut]


class ActualOut(Schema):
    kpi_id: int
    date: date
    value: str
    note: str
    source: str = Field(description="manual, csv or api.")
    recorded_at: datetime


class StatusOut(Schema):
    status: str = Field(description="on_track, at_risk, off_track, stale or no_data.")
    label: str
    expected: str | None
    latest: str | None
    latest_date: date | None


class KpiDetailOut(KpiOut):
    plan_id: int
    status: StatusOut
    actuals: list[ActualOut]


class ActualIn(Schema):
    date: date
    value: Number = Field(
        description='A number, or a string such as "1250.5" (point for decimals).'
    )
    note: StrictStr = Field(
        "", description="Up to 300 characters; left out, an earlier note stays."
    )


class BulkActualIn(ActualIn):
    kpi: StrictInt = Field(description="The KPI's id, within this plan.")


class BulkIn(Schema):
    actuals: list[BulkActualIn] = Field(
        min_length=1, max_length=BULK_LIMIT, description=f"1 to {BULK_LIMIT} rows."
    )


class Written(Schema):
    created: int
    updated: int
    unchanged: int
