"""The plan health check's rules: each a small function over a plan's facts giving findings.

A finding names one thing to fix in a plain sentence, links to where it is fixed and says which
advisor area it belongs to: its stage for what a stage lacks, governance for owners, budgets and
dates, measurement for baselines, targets and missing actuals (the 90-day plan suggests actions
by area). `RULES` is the whole list, in the order the page explains them; `score.py` weighs them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from django.db import models

from kpis.advisor.areas import Area
from kpis.advisor.health.facts import PlanFacts
from kpis.dashboards.funnel import FUNNEL_STAGES, build_funnel
from kpis.formatting import kpi_value
from plans.models import (
    KPI,
    Cadence,
    Direction,
    ItemAudience,
    Stage,
    Tactic,
    TacticStatus,
    Unit,
    name_key,
)
from plans.presets import stage_preset


class Severity(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


@dataclass(frozen=True)
class Finding:
    rule: str  # the rule's key, "kpi.no_baseline"
    severity: Severity
    sentence: str  # "KPI “Orders” has no baseline"
    url: str  # where it is fixed
    area: Area


@dataclass(frozen=True)
class Rule:
    key: str
    severity: Severity
    summary: str  # what it checks, for the page that explains the score
    check: Callable[[PlanFacts], Iterator[tuple[str, str, Area]]]  # (sentence, url, area)

    def findings(self, facts: PlanFacts) -> list[Finding]:
        return [
            Finding(self.key, self.severity, sentence, url, area)
            for sentence, url, area in self.check(facts)
        ]


Found = Iterator[tuple[str, str, Area]]


def _label(stage: str) -> str:
    return str(Stage(stage).label)


def _quoted(name: str) -> str:
    return f"“{name}”"


def _kpi_measurement(facts: PlanFacts, kpi: KPI, sentence: str) -> tuple[str, str, Area]:
    """A finding about how a KPI is measured: it links to the KPI and counts for Measurement."""
    return sentence, facts.links.item("kpi", kpi.pk), Area.MEASUREMENT


def _money(amount: Decimal, currency: str) -> str:
    """Whole units, as the review writes budgets: EUR 1,250."""
    return f"{currency} {amount:,.0f}"


# --- stages ------------------------------------------------------------------------------------


def stage_without_objective(facts: PlanFacts) -> Found:
    with_objectives = {objective.stage for objective in facts.objectives}
    for stage in Stage:
        if stage.value not in with_objectives:
            yield f"{stage.label} has no objective", facts.links.stage(stage), Area(stage)


def stage_without_kpi(facts: PlanFacts) -> Found:
    with_kpis = {kpi.stage for kpi in facts.kpis}
    for stage in Stage:
        if stage.value not in with_kpis:
            yield f"{stage.label} has no KPI", facts.links.stage(stage), Area(stage)


def _primary(facts: PlanFacts, stage: str) -> KPI | None:
    worksheet = facts.worksheets.get(stage)
    return facts.kpis_by_id.get(worksheet.primary_kpi_id or 0) if worksheet else None


def stage_without_primary_kpi(facts: PlanFacts) -> Found:
    """Only stages that have KPIs: one without any is already told to add one."""
    for stage in Stage:
        if facts.kpis_in(stage) and _primary(facts, stage) is None:
            yield f"{stage.label} has no primary KPI", facts.links.notes(stage), Area(stage)


def stage_text_empty(facts: PlanFacts) -> Found:
    for stage in Stage:
        worksheet = facts.worksheets.get(stage.value)
        fields = ("opportunity", "strategy", "actions")
        empty = [name for name in fields if not getattr(worksheet, name, "").strip()]
        if empty:
            named = empty[0] if len(empty) == 1 else f"{', '.join(empty[:-1])} and {empty[-1]}"
            yield f"{stage.label} notes leave {named} empty", facts.links.notes(stage), Area(stage)


# --- objectives and KPIs -----------------------------------------------------------------------


def objective_not_measured(facts: PlanFacts) -> Found:
    live = facts.kpis_by_id
    for objective in facts.objectives:
        if objective.kpi_id not in live:
            yield (
                f"Objective {_quoted(objective.title)} is not measured by a KPI",
                facts.links.item("objective", objective.pk),
                Area(objective.stage),
            )


def kpi_without_baseline(facts: PlanFacts) -> Found:
    """A baseline of 0 is the form's default: nobody wrote down where the KPI starts from."""
    for kpi in facts.kpis:
        if kpi.baseline == 0 and kpi.target != 0:
            yield _kpi_measurement(facts, kpi, f"KPI {_quoted(kpi.name)} has no baseline")


def kpi_without_target(facts: PlanFacts) -> Found:
    """A target of 0 only makes sense when lower is better (no complaints at all)."""
    for kpi in facts.kpis:
        if kpi.target == 0 and kpi.direction == Direction.UP:
            yield _kpi_measurement(facts, kpi, f"KPI {_quoted(kpi.name)} has no target")


def kpi_target_is_baseline(facts: PlanFacts) -> Found:
    for kpi in facts.kpis:
        if kpi.target == kpi.baseline and kpi.target != 0:
            value = kpi_value(kpi.target, kpi.unit, facts.plan.currency)
            yield _kpi_measurement(
                facts,
                kpi,
                f"KPI {_quoted(kpi.name)} aims for its baseline ({value}): nothing to improve",
            )


def primary_kpi_not_a_volume(facts: PlanFacts) -> Found:
    """The funnel divides one stage's volume by the one before: a rate or an amount as a
    volume gives conversions that mean nothing (see kpis/dashboards/funnel.py)."""
    for stage in FUNNEL_STAGES:
        kpi = _primary(facts, stage)
        if kpi is not None and kpi.unit != Unit.COUNT:
            unit = Unit(kpi.unit).label.lower()
            yield (
                f"{_label(stage)}’s primary KPI {_quoted(kpi.name)} is a {unit}, not a count "
                "of people or deals, so the funnel cannot use it",
                facts.links.notes(stage),
                Area(stage),
            )


# Engage counts returning customers of the whole base, not only this period's new ones, so it
# may rightly be larger than Convert: the chain is checked from Reach to Convert.
CHAINED = ("reach", "act", "convert")


def _count(value: Decimal | None) -> str:
    return kpi_value(value, Unit.COUNT, "")


def funnel_targets_do_not_chain(facts: PlanFacts) -> Found:
    volumes = {}
    for stage in CHAINED:
        kpi = _primary(facts, stage)
        if kpi is not None and kpi.unit == Unit.COUNT:
            volumes[stage] = (kpi.name, kpi.target, None)
    steps = [step for step in build_funnel(volumes) if step.stage in CHAINED]
    for before, step in pairwise(steps):
        if step.target_rate is not None and step.target_rate > 1:
            yield (
                f"{_label(step.stage)}’s target ({_count(step.target)} {step.kpi_name}) is "
                f"larger than {_label(before.stage)}’s ({_count(before.target)} "
                f"{before.kpi_name}): "
                f"an implied conversion of {step.target_rate * 100:,.0f} %",
                facts.links.notes(step.stage),
                Area(step.stage),
            )


def _period_starts(cadence: str, start: date, end: date) -> list[date]:
    """The first days of the check-in periods from `start` that are over by `end`, and the day
    after the last of them: weeks, or months from the plan's day of the month."""
    starts = [start]
    number = 1
    while True:
        if cadence == Cadence.WEEKLY:
            after = start + timedelta(weeks=number)
        else:
            month = start.month - 1 + number
            after = _clamped(start.year + month // 12, month % 12 + 1, start.day)
        if after - timedelta(days=1) > end:
            return starts
        starts.append(after)
        number += 1


def _clamped(year: int, month: int, day: int) -> date:
    """The day in that month, or its last day (a plan starting on the 31st)."""
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


MISSED_PERIODS = 2


def kpi_missing_actuals(facts: PlanFacts) -> Found:
    """Periods over by today (or the plan's end), from the plan's start, without an actual."""
    plan = facts.plan
    until = min(facts.today, plan.period_end)
    bounds = {
        cadence: _period_starts(cadence, plan.period_start, until)
        for cadence in (Cadence.WEEKLY, Cadence.MONTHLY)
    }
    for kpi in facts.kpis:
        if kpi.cadence == Cadence.NONE:
            continue
        starts = bounds[Cadence(kpi.cadence)]
        over = len(starts) - 1
        # The period of each actual, by where its date falls among the periods' bounds.
        measured = {bisect_right(starts, day) - 1 for day in facts.actual_dates.get(kpi.pk, [])}
        missed = over - len({period for period in measured if 0 <= period < over})
        if missed >= MISSED_PERIODS:
            period = "week" if kpi.cadence == Cadence.WEEKLY else "month"
            yield _kpi_measurement(
                facts,
                kpi,
                f"KPI {_quoted(kpi.name)} has no actual for {missed} {period}s of the plan",
            )


# --- tactics and budget ------------------------------------------------------------------------


def _open_tactics(facts: PlanFacts) -> list[Tactic]:
    return [t for t in facts.tactics if t.status != TacticStatus.DROPPED]


def tactic_without_owner(facts: PlanFacts) -> Found:
    for tactic in _open_tactics(facts):
        if not tactic.owner.strip():
            yield (
                f"Tactic {_quoted(tactic.title)} has no owner",
                facts.links.item("tactic", tactic.pk),
                Area.GOVERNANCE,
            )


def tactic_without_dates(facts: PlanFacts) -> Found:
    for tactic in _open_tactics(facts):
        if tactic.start_date is None or tactic.end_date is None:
            missing = "dates" if tactic.start_date == tactic.end_date else "start or end date"
            yield (
                f"Tactic {_quoted(tactic.title)} has no {missing}",
                facts.links.item("tactic", tactic.pk),
                Area.GOVERNANCE,
            )


def tactic_without_budget(facts: PlanFacts) -> Found:
    for tactic in _open_tactics(facts):
        if tactic.budget_planned == 0 and tactic.budget_spent == 0:
            yield (
                f"Tactic {_quoted(tactic.title)} has no budget",
                facts.links.item("tactic", tactic.pk),
                Area.GOVERNANCE,
            )


def tactic_over_budget(facts: PlanFacts) -> Found:
    currency = facts.plan.currency
    for tactic in facts.tactics:
        over = tactic.budget_spent - tactic.budget_planned
        if over > 0:
            yield (
                f"Tactic {_quoted(tactic.title)} has spent {_money(over, currency)} "
                "more than planned",
                facts.links.item("tactic", tactic.pk),
                Area.GOVERNANCE,
            )


def plan_over_budget(facts: PlanFacts) -> Found:
    planned = sum((t.budget_planned for t in facts.tactics), Decimal(0))
    spent = sum((t.budget_spent for t in facts.tactics), Decimal(0))
    if spent > planned:
        currency = facts.plan.currency
        yield (
            f"The plan has spent {_money(spent, currency)} of {_money(planned, currency)} planned",
            facts.links.dashboard,
            Area.GOVERNANCE,
        )


# --- what the audience's preset expects --------------------------------------------------------

# What each funnel stage's typical KPI does for the audience, in words; which KPI it is comes
# from the audience's preset (the stage's primary KPI there: B2B Act counts MQLs).
TYPICAL_ROLE = {
    "b2c": {
        "reach": "visitor",
        "act": "sign-up or lead",
        "convert": "order or sale",
        "engage": "repeat-customer",
    },
    "b2b": {
        "reach": "visitor",
        "act": "lead-qualification",
        "convert": "won-deal",
        "engage": "renewal or retention",
    },
}


def _serves(kpi: KPI, audience: str) -> bool:
    return kpi.audience in (ItemAudience.ALL, audience)


def audience_stage_missing(facts: PlanFacts) -> Found:
    """Each audience the plan serves should count in each funnel stage what its preset counts
    there: the preset's primary KPI, found by preset key or by name. A stage without any KPI
    is left to `stage_without_kpi`."""
    for audience in facts.audiences:
        for stage in FUNNEL_STAGES:
            preset = stage_preset(audience, stage)
            typical = next(k for k in preset.kpis if k.key == preset.primary_kpi_key)
            in_stage = facts.kpis_in(stage)
            kpis = [k for k in in_stage if _serves(k, audience)]
            if not in_stage or any(
                k.preset_key == typical.key or name_key(k.name) == name_key(typical.name)
                for k in kpis
            ):
                continue
            role = TYPICAL_ROLE[audience][stage]
            yield (
                f"This {audience.upper()} plan has no {role} KPI in {_label(stage)} "
                f"(such as {_quoted(typical.name)})",
                facts.links.stage(stage),
                Area(stage),
            )


RULES: tuple[Rule, ...] = (
    Rule("stage.no_kpi", Severity.HIGH, "A stage has no KPI.", stage_without_kpi),
    Rule(
        "stage.no_primary_kpi",
        Severity.HIGH,
        "A stage with KPIs has none chosen as its primary KPI (its funnel volume).",
        stage_without_primary_kpi,
    ),
    Rule(
        "funnel.primary_not_a_volume",
        Severity.HIGH,
        "A funnel stage’s primary KPI is a percentage, ratio, amount or score instead of a count.",
        primary_kpi_not_a_volume,
    ),
    Rule(
        "funnel.targets_do_not_chain",
        Severity.HIGH,
        "From Reach to Convert, a stage’s primary target is larger than the stage’s before it "
        "(an implied conversion over 100 %).",
        funnel_targets_do_not_chain,
    ),
    Rule(
        "plan.over_budget",
        Severity.HIGH,
        "The plan’s tactics have spent more than they planned, all together.",
        plan_over_budget,
    ),
    Rule(
        "stage.no_objective", Severity.MEDIUM, "A stage has no objective.", stage_without_objective
    ),
    Rule(
        "objective.not_measured",
        Severity.MEDIUM,
        "An objective is not measured by a KPI.",
        objective_not_measured,
    ),
    Rule(
        "kpi.no_target",
        Severity.MEDIUM,
        "A KPI where higher is better has a target of 0.",
        kpi_without_target,
    ),
    Rule(
        "kpi.target_is_baseline",
        Severity.MEDIUM,
        "A KPI’s target equals its baseline.",
        kpi_target_is_baseline,
    ),
    Rule(
        "kpi.missing_actuals",
        Severity.MEDIUM,
        "A KPI has no actual for two or more of its check-in periods (weeks or months, from the "
        "plan’s start to today).",
        kpi_missing_actuals,
    ),
    Rule(
        "tactic.over_budget",
        Severity.MEDIUM,
        "A tactic has spent more than its planned budget.",
        tactic_over_budget,
    ),
    Rule(
        "audience.stage_missing",
        Severity.MEDIUM,
        "A funnel stage counts nothing for one of the plan’s audiences (B2B: visitors, qualified "
        "leads, won deals, renewals; B2C: visitors, sign-ups, orders, repeat customers).",
        audience_stage_missing,
    ),
    Rule(
        "kpi.no_baseline",
        Severity.LOW,
        "A KPI has a baseline of 0 (where it starts from was never written down).",
        kpi_without_baseline,
    ),
    Rule(
        "stage.text_empty",
        Severity.LOW,
        "A stage’s opportunity, strategy or actions are left empty.",
        stage_text_empty,
    ),
    Rule(
        "tactic.no_owner", Severity.LOW, "A tactic not dropped has no owner.", tactic_without_owner
    ),
    Rule(
        "tactic.no_dates",
        Severity.LOW,
        "A tactic not dropped has no start or end date.",
        tactic_without_dates,
    ),
    Rule(
        "tactic.no_budget",
        Severity.LOW,
        "A tactic not dropped has no planned budget.",
        tactic_without_budget,
    ),
)


def check(facts: PlanFacts) -> list[Finding]:
    """Every rule's findings, the most severe first, each rule's in the plan's order."""
    order = list(Severity)
    found = [finding for rule in RULES for finding in rule.findings(facts)]
    return sorted(found, key=lambda finding: order.index(finding.severity))
