"""Dashboard size and server time, for a plan with 40 KPIs x 13 weekly actuals.

Prints the page's bytes (HTML with the figure JSON embedded), the figure JSON alone, the SQL
query count, and the median server time as a ratio to a trivial logged-in view measured in the
same run (so the figure means the same on a fast laptop and a slow CI box).

    python benchmarks/dashboard.py [--runs 30]
"""

from __future__ import annotations

import argparse
import re
import sys

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from harness import (  # sets up Django on a throw-away database
    bench_settings,
    build,
    get_with_queries,
    interleaved,
    kb,
)

KPIS, WEEKS = 40, 13
BUDGET_BYTES = 200 * 1024
QUERY_BUDGET = 15


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    plan_id, user = build(KPIS, WEEKS)
    client = Client()
    client.force_login(user)
    with bench_settings():
        url = reverse("kpis-dashboard", args=[plan_id])
        filtered_url = url + "?audience=b2c&start=2026-08-03"
        client.get(url)
        page, queries = get_with_queries(client, url)
        html = page.content
        figures = re.findall(
            rb'<script id="fig-[^"]+" type="application/json">(.*?)</script>', html, re.S
        )
        figure_bytes = sum(len(f) for f in figures)
        ratio = interleaved(client, [url, filtered_url], args.runs)
    print(f"Dashboard of {KPIS} KPIs x {WEEKS} weekly actuals ({len(figures)} figures)")
    print(f"  page bytes (HTML + figure JSON): {kb(len(html))}; budget {BUDGET_BYTES // 1024} KB")
    print(f"  of which figure JSON:            {kb(figure_bytes)}")
    print(f"  SQL queries:                     {len(queries)} (budget {QUERY_BUDGET})")
    print(
        f"  server time, median of {args.runs}:      {ratio.median(url):.1f} ms "
        f"(filtered: {ratio.median(filtered_url):.1f} ms)"
    )
    print(f"  trivial logged-in view:          {ratio.floor:.2f} ms")
    print(
        f"  ratio dashboard / trivial:       {ratio.of(url):.1f}x "
        f"(fastest runs: {ratio.fastest(url):.1f}x)"
    )
    ok = len(html) <= BUDGET_BYTES and len(queries) <= QUERY_BUDGET
    print("  within budget" if ok else "  OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
