"""Loading a plan's stages with everything in them, in a fixed number of queries.

Every first view after a change reads the same four queries, so their SQL is written once per
process (`race_planner.prepared`): Django compiling them cost more than SQLite running them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet

from plans.extensions import KPIReading
from plans.models import KPI, Objective, Plan, Stage, StageWorksheet, Tactic, person
from plans.presets import StagePreset, stage_preset
from race_planner.prepared import PLAN_ID, Prepared


@dataclass
class StageContent:
    stage: Stage
    worksheet: StageWorksheet
    objectives: list[Objective] = field(default_factory=list)
    tactics: list[Tactic] = field(default_factory=list)
    kpis: list[KPI] = field(default_factory=list)
    presets: list[tuple[str, StagePreset]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.objectives) + len(self.tactics) + len(self.kpis)

    def shows(self, readings: dict[int, KPIReading]) -> tuple[Any, ...]:
        """Everything the stage's HTML is written from beyond the plan row: every stored value
        of its worksheet and rows and of the rows each shows a line of (an objective's KPI, a
        tactic's objective; a KPI owner's name), and its KPIs' readings. Equal, the HTML is
        too."""
        rows = (self.worksheet, *self.objectives, *self.tactics, *self.kpis)
        return (
            tuple(
                (stored_values(row), stored_values(getattr(row, RELATED[type(row)])))
                for row in rows
            ),
            tuple(readings.get(kpi.pk) for kpi in self.kpis),
        )


# The row each kind's line shows a part of, read in the same query.
RELATED: dict[type[Model], str] = {
    StageWorksheet: "primary_kpi",
    Objective: "kpi",
    Tactic: "objective",
    KPI: "owner",
}


@cache
def _reader(model: type[Model]) -> Callable[[Model], tuple[Any, ...]]:
    return attrgetter(*(column.attname for column in model._meta.concrete_fields))


def stored_values(row: Model | None) -> Any:
    """A row's stored values (what `getattr` gives for each of its columns); of a person, the
    name a line shows (their last login and password are none of the page's business)."""
    if row is None:
        return None
    if isinstance(row, get_user_model()):
        return person(row)
    return _reader(type(row))(row)


def _rows_of(model: type[Model]) -> Prepared[Any]:
    """What `plan.worksheets`, `plan.objectives` … ask (live rows only), with the row each
    shows a part of."""

    def rows(plan: int) -> QuerySet[Any]:
        return model._default_manager.filter(plan=plan).select_related(RELATED[model])

    return Prepared(model, rows, plan=PLAN_ID)


_WORKSHEETS, _OBJECTIVES, _TACTICS, _KPIS = map(_rows_of, (StageWorksheet, Objective, Tactic, KPI))


def _of_plan(query: Prepared[Any], plan: Plan) -> list[Any]:
    """The plan's rows, each knowing its plan (as `plan.kpis` gives them): no query for it."""
    rows = query.objects(plan=plan.pk)
    for row in rows:
        row._state.fields_cache["plan"] = plan
    return rows


def load_stages(plan: Plan) -> list[StageContent]:
    """Every stage of the plan in RACE order with its worksheet, items and preset guidance.

    Four queries whatever the number of items: worksheets, objectives, tactics, KPIs.
    """
    worksheets = {w.stage: w for w in _of_plan(_WORKSHEETS, plan)}
    stages: dict[str, StageContent] = {}
    for stage in Stage:
        worksheet = worksheets.get(stage.value) or StageWorksheet(plan=plan, stage=stage.value)
        presets = [(audience, stage_preset(audience, stage.value)) for audience in plan.audiences]
        stages[stage.value] = StageContent(stage=stage, worksheet=worksheet, presets=presets)
    for objective in _of_plan(_OBJECTIVES, plan):
        stages[objective.stage].objectives.append(objective)
    for tactic in _of_plan(_TACTICS, plan):
        stages[tactic.stage].tactics.append(tactic)
    for kpi in _of_plan(_KPIS, plan):
        stages[kpi.stage].kpis.append(kpi)
    return list(stages.values())
