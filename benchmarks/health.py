"""The plan health check: its page and its panel, and what the panel's placeholder costs the
worksheet, at two sizes (40 KPIs x 13 weekly actuals, 200 KPIs x 52).

Prints page bytes, SQL queries and median server times as ratios to a trivial logged-in view,
measured interleaved in the same run. The worksheet is timed with and without its panel
placeholder (the extension point emptied for every other turn), so the placeholder's cost shows
against the page it sits on. Nothing is asserted: times depend on the machine.

    python benchmarks/health.py [--runs 30]
"""

from __future__ import annotations

import statistics
import sys

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from harness import bench_settings, build, each_size, print_pages, timings_ms  # sets up Django

SIZES = ((40, 13), (200, 52))


def _worksheet_with_and_without_panel(client: Client, url: str, runs: int) -> tuple[float, float]:
    from plans import extensions

    registered = list(extensions._worksheet_panels)
    with_panel: list[float] = []
    without: list[float] = []
    client.get(url)
    for _ in range(runs):
        with_panel += timings_ms(client, url, 1)
        extensions._worksheet_panels.clear()
        without += timings_ms(client, url, 1)
        extensions._worksheet_panels.extend(registered)
    return statistics.median(with_panel), statistics.median(without)


def measure(kpis: int, weeks: int, runs: int) -> None:
    call_command("flush", interactive=False, verbosity=0)
    plan_id, user = build(kpis, weeks)
    client = Client()
    client.force_login(user)
    with bench_settings():
        urls = {
            "health page": reverse("kpis-health", args=[plan_id]),
            "health panel": reverse("kpis-health-panel", args=[plan_id]),
            "worksheet": reverse("plans-detail", args=[plan_id]),
            "dashboard": reverse("kpis-dashboard", args=[plan_id]),
        }
        print(f"Plan of {kpis} KPIs x {weeks} weekly actuals")
        print_pages(client, urls, runs)
        worksheet = urls["worksheet"]
        with_panel, without = _worksheet_with_and_without_panel(client, worksheet, runs)
        print(
            f"  worksheet with its panel placeholder {with_panel:.1f} ms, without {without:.1f} ms:"
            f" {with_panel / without:.3f}"
        )


if __name__ == "__main__":
    sys.exit(each_size(measure, SIZES, doc=__doc__, runs=30))
