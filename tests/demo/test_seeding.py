import itertools
from datetime import date

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from demo.seeding import WEEKS, seed_demo
from kpis.models import Measurement
from plans.models import KPI, Membership, Objective, Plan, Stage, StageWorksheet, Tactic


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Plan, KPI, Objective, Tactic, Measurement, Membership, StageWorksheet)
    }


def test_seed_demo_builds_two_full_plans(db: None) -> None:
    call_command("seed_demo")
    plans = {p.audience: p for p in Plan.objects.filter(workspace__name="Demo")}
    assert set(plans) == {"b2c", "b2b"}
    assert "GreenStyle" in plans["b2c"].name and "FinTrack" in plans["b2b"].name
    for plan in plans.values():
        for worksheet in plan.worksheets.all():
            assert worksheet.opportunity and worksheet.strategy
            # GreenStyle's Engage actions are left empty on purpose: a health check finding.
            assert worksheet.actions or (plan.audience == "b2c" and worksheet.stage == "engage")
            assert worksheet.primary_kpi is not None and worksheet.primary_kpi.plan_id == plan.pk
        for stage in Stage.values:
            assert plan.objectives.filter(stage=stage).count() >= 2
            assert (
                plan.tactics.filter(stage=stage, budget_planned__gt=0).exclude(owner="").count()
                >= 2
            )
            assert plan.kpis.filter(stage=stage).count() >= 3
        for kpi in plan.kpis.all():
            dates = list(kpi.measurements.values_list("date", flat=True))
            assert len(dates) == WEEKS
            assert all((b - a).days == 7 for a, b in itertools.pairwise(dates))


def test_seed_demo_trends_move_towards_target(db: None) -> None:
    seed_demo(today=date(2026, 11, 23))
    visitors = KPI.objects.get(preset_key="b2c-reach-unique-visitors")
    values = list(visitors.measurements.order_by("date").values_list("value", flat=True))
    assert values[0] < values[-1] <= visitors.target * 2
    assert values[-1] > visitors.baseline


def test_seed_demo_is_idempotent(db: None) -> None:
    seed_demo()
    first = counts()
    report = seed_demo()
    assert counts() == first
    assert report.created_plans == 0 and report.created_users == 0


def test_demo_users_log_in_with_demo_password(client: Client, db: None, settings) -> None:
    seed_demo()
    login = {"username": "marketer", "password": settings.DEMO_PASSWORD}
    assert client.post(reverse("login"), login)["Location"] == reverse("plans-list")
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"marketer": "editor", "manager": "viewer"}
