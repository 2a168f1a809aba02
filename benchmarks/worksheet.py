"""Worksheet page size, queries and server time, on the dashboard benchmark's plan
(40 KPIs and 40 tactics across the stages, both audiences).

Prints the median server time as a ratio to a trivial logged-in view measured in the same run.

    python benchmarks/worksheet.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys

from dashboard import (  # sets up Django on a throw-away database
    bench_settings,
    build,
    get_with_queries,
    timings_ms,
)
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

QUERY_BUDGET = 12


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    plan_id, user = build()
    user.memberships.update(role="editor")  # type: ignore[attr-defined]  # editors see every form
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    with bench_settings():
        url = reverse("plans-detail", args=[plan_id])
        trivial_url = reverse("bench-trivial")
        client.get(url), client.get(trivial_url)
        page, queries = get_with_queries(client, url)
        worksheet: list[float] = []
        trivial: list[float] = []
        for _ in range(args.runs):
            worksheet += timings_ms(client, url, 1)
            trivial += timings_ms(client, trivial_url, 1)
    median_ms, trivial_ms = statistics.median(worksheet), statistics.median(trivial)
    print("Worksheet of a plan for both audiences: 40 KPIs, 40 tactics, an editor's view")
    print(
        f"  page bytes:                  {len(page.content):,} ({len(page.content) / 1024:.1f} KB)"
    )
    print(f"  SQL queries:                 {len(queries)} (budget {QUERY_BUDGET})")
    print(f"  server time, median of {args.runs}:  {median_ms:.1f} ms")
    print(f"  trivial logged-in view:      {trivial_ms:.2f} ms")
    print(
        f"  ratio worksheet / trivial:   {median_ms / trivial_ms:.1f}x (fastest runs: {min(worksheet) / min(trivial):.1f}x)"
    )
    return 0 if len(queries) <= QUERY_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
