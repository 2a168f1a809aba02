"""Keyword-only factories: each makes one valid row with sensible defaults."""

import itertools
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User

from kpis.models import Measurement
from plans.models import KPI, Membership, Objective, Plan, Role, Tactic, Workspace

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_user(*, username: str | None = None, password: str = PASSWORD) -> User:
    return User.objects.create_user(username=username or f"user{next(_seq)}", password=password)


def make_workspace(*, name: str | None = None) -> Workspace:
    n = next(_seq)
    return Workspace.objects.create(name=name or f"Workspace {n}", slug=f"workspace-{n}")


def make_member(
    *, workspace: Workspace, role: str = Role.EDITOR, username: str | None = None
) -> User:
    user = make_user(username=username)
    Membership.objects.create(workspace=workspace, user=user, role=role)
    return user


def make_plan(
    *,
    workspace: Workspace | None = None,
    name: str | None = None,
    audience: str = "b2c",
    period_start: date = date(2026, 7, 1),
    period_end: date = date(2026, 9, 30),
    status: str = "active",
    currency: str = "EUR",
) -> Plan:
    return Plan.objects.create(
        workspace=workspace or make_workspace(),
        name=name or f"Plan {next(_seq)}",
        audience=audience,
        period_start=period_start,
        period_end=period_end,
        status=status,
        currency=currency,
    )


def make_kpi(
    *,
    plan: Plan,
    stage: str = "reach",
    name: str | None = None,
    audience: str = "all",
    unit: str = "count",
    direction: str = "up",
    baseline: Decimal | str = "100",
    target: Decimal | str = "200",
    position: int = 0,
) -> KPI:
    return KPI.objects.create(
        plan=plan,
        stage=stage,
        name=name or f"KPI {next(_seq)}",
        audience=audience,
        unit=unit,
        direction=direction,
        baseline=Decimal(baseline),
        target=Decimal(target),
        position=position,
    )


def make_objective(
    *,
    plan: Plan,
    stage: str = "reach",
    title: str | None = None,
    audience: str = "all",
    kpi: KPI | None = None,
    position: int = 0,
) -> Objective:
    return Objective.objects.create(
        plan=plan,
        stage=stage,
        title=title or f"Objective {next(_seq)}",
        audience=audience,
        kpi=kpi,
        position=position,
    )


def make_tactic(
    *,
    plan: Plan,
    stage: str = "reach",
    title: str | None = None,
    audience: str = "all",
    channel: str = "Instagram",
    media: str = "paid",
    owner: str = "Sam",
    budget_planned: Decimal | str = "1000",
    budget_spent: Decimal | str = "250",
    objective: Objective | None = None,
    position: int = 0,
) -> Tactic:
    return Tactic.objects.create(
        plan=plan,
        stage=stage,
        title=title or f"Tactic {next(_seq)}",
        audience=audience,
        channel=channel,
        media=media,
        owner=owner,
        budget_planned=Decimal(budget_planned),
        budget_spent=Decimal(budget_spent),
        objective=objective,
        position=position,
    )


def make_measurement(
    *, kpi: KPI, on: date, value: Decimal | str, note: str = "", source: str = "manual"
) -> Measurement:
    return Measurement.objects.create(
        kpi=kpi, date=on, value=Decimal(value), note=note, source=source
    )


def fill_worksheet(plan: Plan, *, per_stage: int) -> None:
    """`per_stage` KPIs, objectives measured by them and tactics serving those, in every stage."""
    for stage in ("plan", "reach", "act", "convert", "engage"):
        for i in range(per_stage):
            kpi = make_kpi(plan=plan, stage=stage, name=f"{stage} KPI {i}", position=i)
            objective = make_objective(plan=plan, stage=stage, kpi=kpi, position=i)
            make_tactic(plan=plan, stage=stage, objective=objective, position=i)


def make_demo_plan(*, name: str = "GreenStyle – online boutique growth") -> Plan:
    """The seeded demo plan, for tests that need a full quarter of data."""
    from demo.seeding import seed_demo

    seed_demo(today=date(2026, 11, 23))
    return Plan.objects.select_related("workspace").get(name=name)
