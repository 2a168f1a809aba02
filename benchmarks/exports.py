"""Exports of the demo plans and of a large plan: the .xlsx workbook beside the CSV of actuals.

Prints, for each plan, the file sizes, the SQL queries of each download and the median server
time of each against a trivial logged-in view measured in the same run (interleaved), then the
time to read the workbook's actuals sheet back and check it (the import's preview) beside the
same for the CSV. Times are printed, never asserted.

    python benchmarks/exports.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from harness import bench_settings, build, print_pages  # sets up Django on a throw-away database


def median_ms(work: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def measure(client: Client, plan_id: int, runs: int) -> None:
    from kpis.actuals import csv_import, xlsx_import
    from kpis.models import Measurement
    from plans.models import Plan

    plan = Plan.objects.get(pk=plan_id)
    kpis, actuals = plan.kpis.count(), Measurement.objects.filter(kpi__plan=plan).count()
    urls = {
        "xlsx": reverse("kpis-export-xlsx", args=[plan_id]),
        "csv": reverse("kpis-export", args=[plan_id]),
    }
    print(f"{plan.name}: {kpis} KPIs, {actuals} actuals, {plan.tactics.count()} tactics")
    print_pages(client, {f"export {kind}": url for kind, url in urls.items()}, runs)
    with bench_settings():
        workbook = client.get(urls["xlsx"]).content
        text = client.get(urls["csv"]).content.decode("utf-8-sig")
    read_xlsx = median_ms(lambda: xlsx_import.preview_upload(plan, "plan.xlsx", workbook), runs)
    read_csv = median_ms(lambda: csv_import.preview_actuals(plan, text), runs)
    print(
        f"  import preview: xlsx {read_xlsx:.1f} ms, csv {read_csv:.1f} ms "
        f"(median of {runs}; {read_xlsx / read_csv:.1f}x)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    from demo.seeding import DEMO_PLANS, seed_demo
    from plans.models import Plan

    seed_demo()
    client = Client()
    client.force_login(User.objects.get(username="manager"))  # a viewer may export
    for demo in DEMO_PLANS:
        measure(client, Plan.objects.get(name=demo.name).pk, args.runs)
    # The largest plan a workbook can carry back in: 9,880 actuals, under the 10,000 rows.
    plan_id, user = build(190, 52, name="190 KPIs x 52 weeks")
    client.force_login(user)
    measure(client, plan_id, max(3, args.runs // 4))
    return 0


if __name__ == "__main__":
    sys.exit(main())
