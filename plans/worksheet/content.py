"""Loading a plan's stages with everything in them, in a fixed number of queries.

Every first view after a change reads the same four queries, so their SQL is written once per
process (`race_planner.prepared`): Django compiling them cost more than SQLite running them.
"""

from dataclasses import dataclass, field
from typing import Any

from plans.models import KPI, Objective, Plan, Stage, StageWorksheet, Tactic
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


# What `plan.worksheets`, `plan.objectives` … ask, with what each row shows of another row.
_WORKSHEETS = Prepared(
    StageWorksheet,
    lambda plan: StageWorksheet.objects.filter(plan=plan).select_related("primary_kpi"),
    plan=PLAN_ID,
)
_OBJECTIVES = Prepared(
    Objective, lambda plan: Objective.objects.filter(plan=plan).select_related("kpi"), plan=PLAN_ID
)
_TACTICS = Prepared(
    Tactic, lambda plan: Tactic.objects.filter(plan=plan).select_related("objective"), plan=PLAN_ID
)
_KPIS = Prepared(
    KPI, lambda plan: KPI.objects.filter(plan=plan).select_related("owner"), plan=PLAN_ID
)


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
