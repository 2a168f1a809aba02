"""Each health rule with a plan that trips it and one that does not.

`healthy_plan` passes every rule; each test breaks one thing in it and expects exactly that
rule to say so, with a sentence that names the thing and a link that opens it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from kpis.advisor.areas import Area
from kpis.advisor.health.facts import read_facts
from kpis.advisor.health.report import health_report
from kpis.advisor.health.rules import RULES, Finding, Severity, check
from kpis.advisor.health.score import RULE_CAP, WEIGHTS, health_score
from kpis.models import Measurement
from plans.models import KPI, Plan, Stage, StageWorksheet, Tactic
from plans.presets import stage_preset
from tests.factories import (
    make_kpi,
    make_measurement,
    make_objective,
    make_plan,
    make_tactic,
    make_workspace,
)

START, END = date(2026, 7, 6), date(2026, 10, 4)  # thirteen weeks from a Monday
TODAY = date(2026, 8, 3)  # four weeks in


def _typical(audience: str, stage: str) -> tuple[str, str]:
    """The preset's primary KPI of a stage: its key and name (B2B Act: MQLs)."""
    preset = stage_preset(audience, stage)
    kpi = next(k for k in preset.kpis if k.key == preset.primary_kpi_key)
    return kpi.key, kpi.name


# Funnel volumes that chain: each stage's target no larger than the one before.
VOLUMES = {"plan": ("1000", "2000"), "reach": ("9000", "12000"), "act": ("200", "400")}
VOLUMES |= {"convert": ("100", "150"), "engage": ("30", "40")}


def healthy_plan(*, audience: str = "b2c") -> Plan:
    plan = make_plan(workspace=make_workspace(), audience=audience)
    Plan.objects.filter(pk=plan.pk).update(period_start=START, period_end=END)
    plan.refresh_from_db()
    for stage in Stage:
        baseline, target = VOLUMES[stage]
        kpis = []
        for who in plan.audiences:
            key, name = _typical(who, stage) if stage != Stage.PLAN else ("", f"Revenue {who}")
            kpi = make_kpi(
                plan=plan,
                stage=stage,
                name=name if len(plan.audiences) == 1 else f"{name} ({who})",
                audience="all" if len(plan.audiences) == 1 else who,
                baseline=baseline,
                target=target,
            )
            KPI.objects.filter(pk=kpi.pk).update(preset_key=key)
            for week in range(4):
                make_measurement(kpi=kpi, on=START + timedelta(weeks=week), value=baseline)
            kpis.append(kpi)
        objective = make_objective(plan=plan, stage=stage, kpi=kpis[0])
        tactic = make_tactic(plan=plan, stage=stage, objective=objective)
        Tactic.objects.filter(pk=tactic.pk).update(start_date=START, end_date=END)
        StageWorksheet.objects.filter(plan=plan, stage=stage).update(
            opportunity="Where we stand.",
            strategy="How we win.",
            actions="Who does what by when.",
            primary_kpi=kpis[0],
        )
    return plan


def findings(plan: Plan, *, today: date = TODAY, editable: bool = True) -> list[Finding]:
    return check(read_facts(plan, today=today, editable=editable))


def tripped(plan: Plan, rule: str, **kwargs: object) -> list[Finding]:
    found = findings(plan, **kwargs)  # type: ignore[arg-type]
    others = {f.rule for f in found} - {rule}
    assert not others, f"other rules tripped too: {others}"
    return [f for f in found if f.rule == rule]


@pytest.mark.parametrize("audience", ["b2c", "b2b", "both"])
def test_a_complete_plan_has_no_findings(db: None, audience: str) -> None:
    plan = healthy_plan(audience=audience)
    assert findings(plan) == []
    assert health_report(plan, today=TODAY, editable=True).score == 100


def quiet_kpi(**fields: object) -> KPI:
    """A KPI added by a test, without check-ins, so missing actuals do not count against it."""
    kpi = make_kpi(**fields)  # type: ignore[arg-type]
    KPI.objects.filter(pk=kpi.pk).update(cadence="none")
    return kpi


def kpi_of(plan: Plan, stage: str) -> KPI:
    return plan.kpis.filter(stage=stage).first()  # type: ignore[return-value]


# --- stages ----------------------------------------------------------------------------------


def test_a_stage_without_objectives(db: None) -> None:
    plan = healthy_plan()
    plan.objectives.filter(stage="engage").delete()
    [finding] = tripped(plan, "stage.no_objective")
    assert finding.sentence == "Engage has no objective"
    assert finding.url == f"/plans/{plan.pk}/#stage-engage"
    assert (finding.severity, finding.area) == (Severity.MEDIUM, Area.ENGAGE)


def test_a_stage_without_kpis_is_told_once(db: None) -> None:
    plan = healthy_plan()
    plan.objectives.filter(stage="plan").update(kpi=None)
    KPI.objects.filter(plan=plan, stage="plan").delete()
    found = findings(plan)
    rules = sorted(f.rule for f in found)
    # No KPI at all: not also "no primary KPI"; the objective it measured is now unmeasured.
    assert rules == ["objective.not_measured", "stage.no_kpi"]
    assert [f.sentence for f in found if f.rule == "stage.no_kpi"] == ["Plan has no KPI"]


def test_a_stage_without_a_primary_kpi(db: None) -> None:
    plan = healthy_plan()
    StageWorksheet.objects.filter(plan=plan, stage="act").update(primary_kpi=None)
    [finding] = tripped(plan, "stage.no_primary_kpi")
    assert finding.sentence == "Act has no primary KPI"
    assert finding.url == f"/plans/{plan.pk}/#ws-form-act"


def test_a_deleted_primary_kpi_counts_as_none(db: None) -> None:
    plan = healthy_plan()
    extra = quiet_kpi(plan=plan, stage="act", name="Quiz starts")
    StageWorksheet.objects.filter(plan=plan, stage="act").update(primary_kpi=extra)
    assert findings(plan) == []
    KPI.objects.filter(pk=extra.pk).update(deleted_at="2026-08-01T00:00Z")
    assert [f.rule for f in findings(plan)] == ["stage.no_primary_kpi"]


def test_empty_stage_texts_are_named(db: None) -> None:
    plan = healthy_plan()
    StageWorksheet.objects.filter(plan=plan, stage="reach").update(strategy=" ", actions="")
    StageWorksheet.objects.filter(plan=plan, stage="convert").update(opportunity="")
    found = tripped(plan, "stage.text_empty")
    assert [f.sentence for f in found] == [
        "Reach notes leave strategy and actions empty",
        "Convert notes leave opportunity empty",
    ]
    assert found[0].severity == Severity.LOW


# --- objectives and KPIs -----------------------------------------------------------------------


def test_an_objective_without_a_kpi(db: None) -> None:
    plan = healthy_plan()
    objective = make_objective(plan=plan, stage="reach", title="Be known for slow fashion")
    [finding] = tripped(plan, "objective.not_measured")
    assert finding.sentence == "Objective “Be known for slow fashion” is not measured by a KPI"
    assert finding.url == f"/plans/{plan.pk}/objective/{objective.pk}/edit/"
    assert finding.area == Area.REACH


def test_a_reader_is_linked_to_the_row_not_the_edit_page(db: None) -> None:
    plan = healthy_plan()
    objective = make_objective(plan=plan, stage="reach")
    [finding] = tripped(plan, "objective.not_measured", editable=False)
    assert finding.url == f"/plans/{plan.pk}/#objective-{objective.pk}"


def test_a_kpi_without_baseline(db: None) -> None:
    plan = healthy_plan()
    kpi = quiet_kpi(plan=plan, stage="reach", name="Impressions", baseline="0", target="5000")
    [finding] = tripped(plan, "kpi.no_baseline")
    assert finding.sentence == "KPI “Impressions” has no baseline"
    assert (finding.area, finding.url) == (Area.MEASUREMENT, f"/plans/{plan.pk}/kpi/{kpi.pk}/edit/")


def test_a_kpi_without_target_unless_lower_is_better(db: None) -> None:
    plan = healthy_plan()
    for name, direction in (("Shares", "up"), ("Complaints", "down")):
        quiet_kpi(
            plan=plan, stage="engage", name=name, direction=direction, baseline="4", target="0"
        )
    [finding] = tripped(plan, "kpi.no_target")
    assert finding.sentence == "KPI “Shares” has no target"


def test_a_kpi_whose_target_is_its_baseline(db: None) -> None:
    plan = healthy_plan()
    KPI.objects.filter(pk=kpi_of(plan, "engage").pk).update(unit="percent", target="30")
    found = findings(plan)
    flat = [f for f in found if f.rule == "kpi.target_is_baseline"]
    assert [f.sentence for f in flat] == [
        "KPI “Repeat customers” aims for its baseline (30 %): nothing to improve"
    ]


def test_a_primary_kpi_that_is_a_rate(db: None) -> None:
    plan = healthy_plan()
    rate = quiet_kpi(plan=plan, stage="convert", name="Conversion rate", unit="percent")
    StageWorksheet.objects.filter(plan=plan, stage="convert").update(primary_kpi=rate)
    [finding] = tripped(plan, "funnel.primary_not_a_volume")
    assert finding.sentence.startswith("Convert’s primary KPI “Conversion rate” is a percent")
    assert finding.severity == Severity.HIGH


def test_the_plan_stage_may_lead_with_a_rate(db: None) -> None:
    plan = healthy_plan()
    KPI.objects.filter(pk=kpi_of(plan, "plan").pk).update(unit="percent")
    assert findings(plan) == []


def test_funnel_targets_that_do_not_chain(db: None) -> None:
    plan = healthy_plan()
    KPI.objects.filter(pk=kpi_of(plan, "convert").pk).update(target="600")
    [finding] = tripped(plan, "funnel.targets_do_not_chain")
    assert finding.sentence == (
        "Convert’s target (600 Orders) is larger than Act’s (400 Sign-ups): "
        "an implied conversion of 150 %"
    )
    assert finding.url == f"/plans/{plan.pk}/#ws-form-convert"


def test_engage_may_count_more_than_convert(db: None) -> None:
    """Repeat customers come from the whole customer base, not only this quarter's orders."""
    plan = healthy_plan()
    KPI.objects.filter(pk=kpi_of(plan, "engage").pk).update(target="900")
    assert findings(plan) == []


def test_a_weekly_kpi_missing_two_weeks_of_actuals(db: None) -> None:
    plan = healthy_plan()
    kpi = kpi_of(plan, "reach")
    Measurement.objects.filter(kpi=kpi, date__gte=START + timedelta(weeks=2)).delete()
    [finding] = tripped(plan, "kpi.missing_actuals")
    assert finding.sentence == f"KPI “{kpi.name}” has no actual for 2 weeks of the plan"
    # One week missing is a late check-in, not yet a finding.
    assert findings(plan, today=TODAY - timedelta(weeks=1)) == []


def test_a_monthly_kpi_is_judged_by_months_and_none_never(db: None) -> None:
    plan = healthy_plan()
    KPI.objects.filter(plan=plan).update(cadence="none")  # only the two below are judged
    monthly = make_kpi(plan=plan, stage="engage", name="Reviews")  # cadence set below
    KPI.objects.filter(pk=monthly.pk).update(cadence="monthly")
    quiet = make_kpi(plan=plan, stage="engage", name="Awards")
    KPI.objects.filter(pk=quiet.pk).update(cadence="none")
    assert findings(plan, today=date(2026, 8, 20)) == []  # one month over: one missed
    # The plan ends on 4 Oct: two of its months are over by then, whatever today is.
    [finding] = tripped(plan, "kpi.missing_actuals", today=date(2026, 12, 20))
    assert finding.sentence == "KPI “Reviews” has no actual for 2 months of the plan"


def test_actuals_are_not_expected_before_the_plan_starts(db: None) -> None:
    plan = healthy_plan()
    Measurement.objects.filter(kpi__plan=plan).delete()
    assert findings(plan, today=START - timedelta(days=30)) == []
    assert findings(plan, today=START + timedelta(days=8)) == []  # one week over
    assert {f.rule for f in findings(plan, today=START + timedelta(days=14))} == {
        "kpi.missing_actuals"
    }


def test_the_audience_preset_stage_kpis(db: None) -> None:
    plan = healthy_plan(audience="b2b")
    mqls = KPI.objects.get(plan=plan, stage="act")
    KPI.objects.filter(pk=mqls.pk).update(name="Webinar sign-ups", preset_key="")
    [finding] = tripped(plan, "audience.stage_missing")
    assert finding.sentence == (
        "This B2B plan has no lead-qualification KPI in Act (such as “MQLs”)"
    )
    assert finding.area == Area.ACT
    # Named as the preset names it, a KPI the team typed in counts too.
    KPI.objects.filter(pk=mqls.pk).update(name="mqls")
    assert findings(plan) == []


def test_a_plan_for_both_audiences_needs_both(db: None) -> None:
    plan = healthy_plan(audience="both")
    KPI.objects.filter(plan=plan, stage="convert", audience="b2c").update(audience="b2b")
    found = tripped(plan, "audience.stage_missing")
    assert [f.sentence for f in found] == [
        "This B2C plan has no order or sale KPI in Convert (such as “Orders”)"
    ]


# --- tactics and budget --------------------------------------------------------------------


def test_a_tactic_without_owner_dates_or_budget(db: None) -> None:
    plan = healthy_plan()
    bare = make_tactic(
        plan=plan,
        stage="reach",
        title="Podcast ads",
        owner="",
        budget_planned="0",
        budget_spent="0",
    )
    rules = sorted(f.rule for f in findings(plan))
    assert rules == ["tactic.no_budget", "tactic.no_dates", "tactic.no_owner"]
    assert {f.url for f in findings(plan)} == {f"/plans/{plan.pk}/tactic/{bare.pk}/edit/"}
    Tactic.objects.filter(pk=bare.pk).update(status="dropped")  # dropped: nothing to fix
    assert findings(plan) == []


def test_a_tactic_with_one_date_is_told_which(db: None) -> None:
    plan = healthy_plan()
    tactic = make_tactic(plan=plan, stage="reach", title="Pop-up shop")
    Tactic.objects.filter(pk=tactic.pk).update(start_date=START)
    [finding] = tripped(plan, "tactic.no_dates")
    assert finding.sentence == "Tactic “Pop-up shop” has no start or end date"


def test_a_tactic_over_budget(db: None) -> None:
    plan = healthy_plan()
    Tactic.objects.filter(plan=plan, stage="reach").update(
        budget_planned="1000", budget_spent="1200"
    )
    [finding] = tripped(plan, "tactic.over_budget")
    assert "has spent EUR 200 more than planned" in finding.sentence
    assert finding.area == Area.GOVERNANCE


def test_the_plan_over_budget(db: None) -> None:
    plan = healthy_plan()
    Tactic.objects.filter(plan=plan).update(budget_planned="100", budget_spent="1000")
    found = findings(plan)
    [whole] = [f for f in found if f.rule == "plan.over_budget"]
    assert whole.sentence == "The plan has spent EUR 5,000 of EUR 500 planned"
    assert whole.url == f"/plans/{plan.pk}/dashboard/"


# --- the score --------------------------------------------------------------------------------


def test_each_finding_weighs_by_severity_and_a_rule_is_capped(db: None) -> None:
    plan = healthy_plan()
    for i in range(8):  # eight unmeasured objectives: 40 points, capped at 20
        make_objective(plan=plan, stage="reach", title=f"Idea {i}")
    ownerless = make_tactic(plan=plan, stage="act", owner="", title="Ownerless")
    Tactic.objects.filter(pk=ownerless.pk).update(start_date=START, end_date=END)
    StageWorksheet.objects.filter(plan=plan, stage="act").update(primary_kpi=None)
    report = health_report(plan, today=TODAY, editable=True)
    assert report.penalties == {
        "objective.not_measured": RULE_CAP,
        "tactic.no_owner": WEIGHTS[Severity.LOW],
        "stage.no_primary_kpi": WEIGHTS[Severity.HIGH],
    }
    assert report.score == 100 - 20 - 2 - 10 == 68
    assert [f.severity for f in report.top] == [Severity.HIGH, Severity.MEDIUM, Severity.MEDIUM]


def test_the_score_never_goes_below_zero() -> None:
    many = [
        Finding(rule.key, Severity.HIGH, "x", "/", Area.PLAN) for rule in RULES for _ in range(3)
    ]
    assert health_score(many) == 0


def test_rule_keys_are_unique() -> None:
    keys = [rule.key for rule in RULES]
    assert len(keys) == len(set(keys)) >= 17


@pytest.mark.parametrize("size", [1, 6])
def test_facts_are_read_in_five_queries_whatever_the_size(
    db: None, size: int, django_assert_num_queries: object
) -> None:
    plan = healthy_plan()
    for i in range(size * 5):
        kpi = make_kpi(plan=plan, stage="reach", name=f"Extra {i}")
        make_measurement(kpi=kpi, on=START, value=Decimal(i))
        make_tactic(plan=plan, stage="act", title=f"Extra {i}")
        make_objective(plan=plan, stage="convert", kpi=kpi)
    with django_assert_num_queries(5):  # type: ignore[operator]
        health_report(plan, today=TODAY, editable=True)


def test_a_review_narrowed_to_one_audience_checks_only_its_items(db: None) -> None:
    plan = healthy_plan(audience="both")
    make_objective(plan=plan, stage="act", audience="b2b", title="Fill the trade fair stand")
    KPI.objects.filter(plan=plan, stage="engage", audience="b2b").delete()
    assert {f.rule for f in findings(plan)} == {"objective.not_measured", "audience.stage_missing"}
    b2c = check(read_facts(plan, today=TODAY, editable=False, audience="b2c"))
    assert b2c == []
