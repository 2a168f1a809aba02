"""One `send_nudges` run over 100 plans: SQL queries and time, the first run (everything to make
and email) and a quiet run (everything already claimed: what every run in between costs), with
50 plans beside it to show the queries do not grow with plans or KPIs, only with what is sent.
Times are ratios to a trivial logged-in view measured interleaved in the same run. Emails go to
Django's in-memory backend.

    python benchmarks/send_nudges.py [--runs 5]
    bash scripts/with-postgres.sh python benchmarks/send_nudges.py   # the same on PostgreSQL
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from harness import bench_settings  # sets up Django on a throw-away database

START = date(2026, 7, 1)
NOW = datetime(2026, 7, 20, 9, tzinfo=ZoneInfo("UTC"))  # a Monday: digests go out too
KPIS, MEMBERS, PLANS_PER_WORKSPACE = 10, 5, 10


def build(plans: int, prefix: str) -> Any:
    """`plans` plans in workspaces of ten, five members each (an owner of every KPI, editors
    who want alerts, viewers); ten KPIs a plan with weekly actuals, some behind, some missing."""
    from django.contrib.auth.models import User

    from kpis.models import Measurement
    from nudges.models import Preference
    from plans.models import KPI, Membership, Plan, Role, Tactic, Workspace

    users = []
    for w in range(plans // PLANS_PER_WORKSPACE):
        workspace = Workspace.objects.create(name=f"{prefix} {w}", slug=f"{prefix}-{w}")
        members = []
        for m in range(MEMBERS):
            user = User.objects.create_user(f"{prefix}-{w}-{m}", f"{prefix}-{w}-{m}@example.com")
            Membership.objects.create(
                workspace=workspace, user=user, role=(Role.EDITOR if m < 3 else Role.VIEWER)
            )
            Preference.objects.create(user=user, alerts=m < 3)
            members.append(user)
        users += members
        for p in range(PLANS_PER_WORKSPACE):
            plan = Plan.objects.create(
                workspace=workspace,
                name=f"Plan {w}-{p}",
                period_start=START,
                period_end=START + timedelta(days=90),
                status="active",
                created_by=members[0],
            )
            rows = []
            for k in range(KPIS):
                kpi = KPI.objects.create(
                    plan=plan,
                    stage="reach",
                    name=f"KPI {k}",
                    baseline=Decimal(100),
                    target=Decimal(200),
                    position=k,
                    owner=members[k % 3],
                )
                if k % 4 == 3:
                    continue  # never checked in: reminders
                behind = k % 4 == 2  # stuck at the baseline: off track
                for week in range(3):
                    on = START + timedelta(days=7 * week)
                    value = Decimal(100) if behind else Decimal(100) + 8 * week
                    rows.append(Measurement(kpi=kpi, date=on, value=value))
            Measurement.objects.bulk_create(rows)
            Tactic.objects.create(
                plan=plan, stage="reach", title="Ads", budget_planned=1000, budget_spent=400
            )
    return users


def counted(now: datetime) -> tuple[Any, int]:
    from nudges.runner import run

    queries: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        report = run(now)
    return report, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    with (
        bench_settings(),
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
    ):
        mail.outbox = []
        client = Client()
        client.force_login(User.objects.create_user("bench-floor"))
        trivial = reverse("bench-trivial")
        for plans, prefix in ((50, "small"), (100, "large")):
            if prefix == "large":
                from plans.models import Plan

                Plan.objects.filter(name__startswith="Plan").update(
                    status="archived"
                )  # only the 100 count
            build(plans, prefix)
            began = time.perf_counter()
            report, first = counted(NOW)
            first_ms = (time.perf_counter() - began) * 1000
            quiet_ms, floor_ms = [], []
            for _ in range(args.runs):  # interleaved with the trivial view
                began = time.perf_counter()
                _, quiet = counted(NOW)
                quiet_ms.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                client.get(trivial)
                floor_ms.append((time.perf_counter() - began) * 1000)
            floor = statistics.median(floor_ms)
            print(
                f"{connection.vendor}, {plans} plans, {plans * KPIS} KPIs: first run {first} queries, "
                f"{first_ms:.0f} ms ({report}); quiet run {quiet} queries, "
                f"median {statistics.median(quiet_ms):.0f} ms = {statistics.median(quiet_ms) / floor:.0f}x "
                f"the trivial view ({floor:.2f} ms); {len(mail.outbox)} emails in the outbox"
            )
            mail.outbox = []


if __name__ == "__main__":
    main()
