"""API server time: reads of the 40-KPI plan and bulk writes of 500 actuals, each as a ratio to
a trivial logged-in view measured interleaved in the same run, with size and SQL query count.
The API requests carry a token and no cookie, as a program's do.

A write alternates between two sets of values, so every timed request updates 500 actuals
(with their history rows); "repeat" sends the same values again (all unchanged).
Goal: reads within 10x the trivial view; 500 writes in one request within 100x.

    python benchmarks/api_endpoints.py [--runs 15]
    bash scripts/with-postgres.sh python benchmarks/api_endpoints.py   # the same on PostgreSQL
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from harness import bench_settings, build, kb  # sets up Django on a throw-away database

READ_GOAL, WRITE_GOAL = 10.0, 100.0
ROWS = 500


def timed(
    client: Client, url: str, payload: dict[str, Any] | None = None
) -> tuple[float, int, int]:
    """One GET (or POST of `payload` as JSON): milliseconds, response size and SQL queries."""
    queries: list[str] = []

    def count(run: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return run(sql, *rest)

    body = json.dumps(payload) if payload is not None else None
    began = time.perf_counter()
    with connection.execute_wrapper(count):
        if body is None:
            response = client.get(url)
        else:
            response = client.post(url, body, content_type="application/json")
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return elapsed, len(response.content), len(queries)


def line(label: str, runs: list[tuple[float, int, int]], trivial: float) -> float:
    ms = statistics.median(t for t, _, _ in runs)
    _, size, queries = runs[-1]
    print(
        f"  {label + ':':32} {ms / trivial:6.1f}x trivial ({ms:6.1f} ms), {queries:2} queries, {kb(size)}"
    )
    return ms / trivial


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from api import tokens
    from plans.models import KPI, Membership, Role

    settings.API_RATE_LIMIT = 1_000_000  # measure the work, not the limit
    plan_id, user = build()
    Membership.objects.filter(user=user).update(role=Role.EDITOR)
    secret = tokens.create_token(user, label="bench", expires_on=None).secret
    # A program sends its token and no cookie; the trivial view is a logged-in person's.
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    person = Client()
    person.force_login(user)
    kpis = list(KPI.objects.filter(plan_id=plan_id).values_list("pk", flat=True))
    start = date(2026, 7, 6)
    days = [start + timedelta(days=n) for n in range(ROWS // len(kpis) + 1)]
    pairs = [(k, d) for d in days for k in kpis][:ROWS]

    def payload(offset: int) -> dict[str, Any]:
        rows = [{"kpi": k, "date": d.isoformat(), "value": 1000 + offset} for k, d in pairs]
        return {"actuals": rows}

    reads = {
        "GET plan list": "/api/v1/plans",
        "GET plan, 5 stages": f"/api/v1/plans/{plan_id}",
        "GET KPI, actuals, status": f"/api/v1/plans/{plan_id}/kpis/{kpis[0]}",
    }
    write_url = f"/api/v1/plans/{plan_id}/actuals"
    times: dict[str, list[tuple[float, int, int]]] = {label: [] for label in reads}
    updates, repeats, floor = [], [], []
    with bench_settings():
        for url in reads.values():
            timed(client, url)  # warm up; the token's first request opens its rate window
        timed(person, "/__trivial__/")
        timed(client, write_url, payload(0))  # creates them: the timed ones update
        for run in range(args.runs):
            for label, url in reads.items():
                times[label].append(timed(client, url))
            updates.append(timed(client, write_url, payload(run % 2 + 1)))
            repeats.append(timed(client, write_url, payload(run % 2 + 1)))
            floor.append(timed(person, "/__trivial__/"))
    trivial = statistics.median(t for t, _, _ in floor)
    print(f"API on {connection.vendor} ({args.runs} runs, interleaved with a trivial view)")
    read_ratios = [line(label, runs, trivial) for label, runs in times.items()]
    write_ratios = [
        line(f"POST {ROWS} actuals, updated", updates, trivial),
        line(f"POST {ROWS} actuals, unchanged", repeats, trivial),
    ]
    print(f"  trivial logged-in view: {trivial:.2f} ms")
    met = max(read_ratios) <= READ_GOAL and max(write_ratios) <= WRITE_GOAL
    print(
        f"  goals reads <= {READ_GOAL:.0f}x, writes <= {WRITE_GOAL:.0f}x: {'met' if met else 'NOT MET'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
