"""Loading a plan's stages with everything in them, in a fixed number of queries."""

from dataclasses import dataclass, field

from plans.models import KPI, Objective, Plan, Stage, StageWorksheet, Tactic
from plans.presets import StagePreset, stage_preset


@dataclass
class StageContent:
    stage: Stage
    worksheet: StageWorksheet
    objectives: list[Objective] = field(default_factory=list)
    tactics: list[Tactic] = field(default_factory=list)
    kpis: list[KPI] = field(default_factory=list)
    presets: list[tuple[str, StagePreset]] = field(default_factory=list)


def load_stages(plan: Plan) -> list[StageContent]:
    """Every stage of the plan in RACE order with its worksheet, items and preset guidance.

    Four queries whatever the number of items: worksheets, objectives, tactics, KPIs.
    """
    worksheets = {w.stage: w for w in plan.worksheets.select_related("primary_kpi")}
    stages: dict[str, StageContent] = {}
    for stage in Stage:
        worksheet = worksheets.get(stage.value) or StageWorksheet(plan=plan, stage=stage.value)
        presets = [(audience, stage_preset(audience, stage.value)) for audience in plan.audiences]
        stages[stage.value] = StageContent(stage=stage, worksheet=worksheet, presets=presets)
    for objective in plan.objectives.select_related("kpi"):
        stages[objective.stage].objectives.append(objective)
    for tactic in plan.tactics.select_related("objective"):
        stages[tactic.stage].tactics.append(tactic)
    for kpi in plan.kpis.select_related("owner"):
        stages[kpi.stage].kpis.append(kpi)
    return list(stages.values())
