"""A plan's life: made from the audience presets, rolled forward into the next period.

Rolling forward sends `rolling_forward` so the measuring side can set the copied KPIs'
baselines from their last actuals without this side knowing what an actual is.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import transaction

from plans.models import (
    KPI,
    Audience,
    ItemAudience,
    Objective,
    Plan,
    PlanStatus,
    Stage,
    StageWorksheet,
    Tactic,
    TacticStatus,
    Workspace,
)
from plans.presets import StagePreset, stage_preset
from plans.quarters import Quarter, next_period
from plans.signals import rolling_forward
from race_planner.dates import LAST_DAY


def preset_item_keys(audiences: Collection[str]) -> set[str]:
    """Every key of a suggested objective, tactic and KPI for these audiences."""
    keys: set[str] = set()
    for audience in audiences:
        for stage in Stage.values:
            preset = stage_preset(audience, stage)
            keys.update(k.key for k in preset.kpis)
            keys.update(o.key for o in preset.objectives)
            keys.update(t.key for t in preset.tactics)
    return keys


def kpi_names(audiences: list[str], chosen: Collection[str]) -> dict[str, str]:
    """KPI names by preset key. Names are unique in a plan: in a plan for both audiences a name
    that both audiences' chosen KPIs share gets its audience after it, "Unique visitors (B2B)"."""
    by_name: dict[str, list[tuple[str, str]]] = {}
    for audience in audiences:
        for stage in Stage.values:
            for kpi in stage_preset(audience, stage).kpis:
                if kpi.key in chosen:
                    by_name.setdefault(kpi.name, []).append((audience, kpi.key))
    names = {}
    for name, owners in by_name.items():
        shared = len({audience for audience, _ in owners}) > 1
        for audience, key in owners:
            names[key] = f"{name} ({audience.upper()})" if shared else name
    return names


# Completes a suggested objective, tactic or KPI before it is saved (the demo's numbers).
FillIn = Callable[[KPI | Objective | Tactic], None]


def _as_suggested(row: KPI | Objective | Tactic) -> None:
    """New plans take the suggestions as they are."""


@transaction.atomic
def create_plan(
    *,
    workspace: Workspace,
    name: str,
    audience: str,
    period_start: date,
    period_end: date,
    currency: str,
    created_by: User | None,
    preset_keys: Collection[str] = (),
    status: str = PlanStatus.DRAFT,
    summary: str = "",
    fill_in: FillIn = _as_suggested,
) -> Plan:
    """A plan with the chosen suggestions of its audience's presets (none: a blank plan).

    Items are made stage by stage in RACE order, KPIs first, then objectives, then tactics,
    each passed to `fill_in` just before it is saved.
    """
    plan = Plan.objects.create(
        workspace=workspace,
        name=name,
        audience=audience,
        period_start=period_start,
        period_end=period_end,
        currency=currency,
        created_by=created_by,
        status=status,
        summary=summary,
    )
    chosen = set(preset_keys)
    audiences = plan.audiences
    names = kpi_names(audiences, chosen)
    worksheets = {w.stage: w for w in plan.worksheets.all()}
    for audience_key in audiences:
        tag = audience_key if plan.audience == Audience.BOTH else ItemAudience.ALL
        for stage in Stage.values:
            preset = stage_preset(audience_key, stage)
            suggested = _Suggested(plan, preset, tag, chosen, fill_in)
            suggested.add(names, worksheets[stage])
    return plan


Row = TypeVar("Row", KPI, Objective, Tactic)


@dataclass
class _Suggested:
    """The chosen suggestions of one stage's preset, added to a plan."""

    plan: Plan
    preset: StagePreset
    tag: str  # the items' audience
    chosen: set[str]
    fill_in: FillIn

    def add(self, names: dict[str, str], worksheet: StageWorksheet) -> None:
        kpis = self._save_chosen(
            self.preset.kpis,
            lambda k: KPI(
                name=names[k.key],
                unit=k.unit,
                direction=k.direction,
                baseline=k.baseline,
                target=k.target,
                definition=k.definition,
                cadence=k.cadence,
                preset_key=k.key,
            ),
        )
        self._save_chosen(
            self.preset.objectives,
            lambda o: Objective(
                title=o.title, description=o.description, kpi=kpis.get(o.kpi_key or "")
            ),
        )
        self._save_chosen(
            self.preset.tactics,
            lambda t: Tactic(
                title=t.title, description=t.description, channel=t.channel, media=t.media
            ),
        )
        primary = kpis.get(self.preset.primary_kpi_key)
        if primary and worksheet.primary_kpi_id is None:  # for both audiences: B2C's comes first
            worksheet.primary_kpi = primary
            worksheet.save()

    def _save_chosen(
        self, suggestions: Sequence[Any], make: Callable[[Any], Row]
    ) -> dict[str, Row]:
        """Save a row for each chosen suggestion, at the suggestion's place in the list."""
        saved = {}
        for position, suggestion in enumerate(suggestions):
            if suggestion.key in self.chosen:
                row = make(suggestion)
                row.plan, row.stage, row.audience = self.plan, self.preset.stage, self.tag
                row.position = position
                self.fill_in(row)
                row.save()
                saved[suggestion.key] = row
        return saved


# --------------------------------------------------------------------------------------------
# Roll forward
# --------------------------------------------------------------------------------------------


def _moved(day: date, delta: timedelta) -> date:
    """A date moved on, never past the last date the app accepts."""
    try:
        return min(day + delta, LAST_DAY)
    except OverflowError:  # a date stored before the limits, near year 9999
        return LAST_DAY


def _shift(day: date | None, delta: timedelta, plan: Plan) -> date | None:
    """A date moved into the new period; dropped when it would fall outside it."""
    if day is None:
        return None
    moved = _moved(day, delta)
    return moved if plan.period_start <= moved <= plan.period_end else None


def _as_new_row(row: KPI | Objective | Tactic, plan: Plan) -> None:
    """Turn a loaded row into an unsaved copy for `plan`: save() then inserts it."""
    row.pk = None
    row._state.adding = True
    row.plan, row.version = plan, 1


def roll_forward_name(plan: Plan, start: date, end: date) -> str:
    quarter = Quarter.containing(start)
    if quarter.start == start and quarter.end == end:
        suffix = f"Q{quarter.number} {quarter.year}"
    else:
        suffix = f"from {start:%-d %b %Y}"
    return f"{plan.name} – {suffix}"[:120]


@transaction.atomic
def roll_forward(plan: Plan, *, user: User | None) -> Plan:
    """A new draft for the period after `plan`: same stages, objectives, tactics and KPIs.

    KPIs keep their baseline unless a `rolling_forward` receiver changes it (the measuring side
    makes it the last actual); no actuals are copied; tactics start again as planned with
    nothing spent; the new plan links back to the old one through `rolled_from`.
    """
    start, end = next_period(plan.period_start, plan.period_end)
    delta = start - plan.period_start
    new = Plan.objects.create(
        workspace=plan.workspace,
        name=roll_forward_name(plan, start, end),
        audience=plan.audience,
        period_start=start,
        period_end=end,
        currency=plan.currency,
        summary=plan.summary,
        status=PlanStatus.DRAFT,
        created_by=user,
        rolled_from=plan,
    )
    kpis: dict[int, KPI] = {}
    for kpi in plan.kpis.order_by("stage", "position"):
        old_id = kpi.pk
        _as_new_row(kpi, new)
        kpis[old_id] = kpi
    # Receivers may adjust the copies before they are saved (new baselines from actuals).
    rolling_forward.send(sender=Plan, old=plan, new=new, kpi_map=kpis)
    for kpi in kpis.values():
        kpi.save()
    objectives: dict[int, Objective] = {}
    for objective in plan.objectives.order_by("stage", "position"):
        old_id = objective.pk
        _as_new_row(objective, new)
        objective.kpi = kpis.get(objective.kpi_id or 0)
        if objective.target_date:  # goals may reach past the period: move, never drop
            objective.target_date = _moved(objective.target_date, delta)
        objective.save()
        objectives[old_id] = objective
    for tactic in plan.tactics.order_by("stage", "position"):
        _as_new_row(tactic, new)
        tactic.objective = objectives.get(tactic.objective_id or 0)
        tactic.budget_spent = Decimal(0)
        tactic.status = TacticStatus.PLANNED
        tactic.start_date = _shift(tactic.start_date, delta, new)
        tactic.end_date = _shift(tactic.end_date, delta, new)
        if tactic.start_date and tactic.end_date and tactic.end_date < tactic.start_date:
            tactic.end_date = None
        tactic.save()
    old_sheets = {w.stage: w for w in plan.worksheets.all()}
    for sheet in new.worksheets.all():
        old = old_sheets.get(sheet.stage)
        if old is None:
            continue
        sheet.opportunity, sheet.strategy, sheet.actions = (
            old.opportunity,
            old.strategy,
            old.actions,
        )
        sheet.primary_kpi = kpis.get(old.primary_kpi_id or 0)
        sheet.save()
    return new
