"""Worksheet page size, queries and server time, on the dashboard benchmark's plan
(40 KPIs and 40 tactics across the stages, both audiences).

Prints the median server time as a ratio to a trivial logged-in view measured in the same run.

    python benchmarks/worksheet.py [--runs 30]
"""

from __future__ import annotations

import argparse
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

QUERY_BUDGET = 12


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    plan_id, user = build()
    user.memberships.update(role="editor")  # editors see every form
    client = Client()
    client.force_login(user)
    with bench_settings():
        url = reverse("plans-detail", args=[plan_id])
        client.get(url)
        page, queries = get_with_queries(client, url)
        ratio = interleaved(client, [url], args.runs)
    print("Worksheet of a plan for both audiences: 40 KPIs, 40 tactics, an editor's view")
    print(f"  page bytes:                  {kb(len(page.content))}")
    print(f"  SQL queries:                 {len(queries)} (budget {QUERY_BUDGET})")
    print(f"  server time, median of {args.runs}:  {ratio.median(url):.1f} ms")
    print(f"  trivial logged-in view:      {ratio.floor:.2f} ms")
    print(
        f"  ratio worksheet / trivial:   {ratio.of(url):.1f}x "
        f"(fastest runs: {ratio.fastest(url):.1f}x)"
    )
    return 0 if len(queries) <= QUERY_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
