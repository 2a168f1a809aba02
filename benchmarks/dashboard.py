"""Dashboard size and server time at two sizes: 40 KPIs x 13 weekly actuals, 200 KPIs x 52.

For each size it prints the page's bytes (HTML with the figure data embedded), the figure data
alone, the SQL query count, and the median server time as a ratio to a trivial logged-in view
measured in the same run (so the figure means the same on a fast laptop and a slow CI box),
each beside its goal: for a view after no change (the board kept by the process,
kpis/dashboards/cache.py), for the first view after an edit (an actual corrected just before,
outside the timing: the board built again, the other KPIs' cards kept) and for a view in a new
process (nothing kept). For the smaller size it also prints the bytes of a first visit on the
wire: the page as sent to a browser that accepts gzip and brotli, and every static file it links,
compressed as whitenoise serves them. It exits 1 when a size or the query count is over its goal;
server times are printed beside their goals (they depend on the machine and its load).

    python benchmarks/dashboard.py [--runs 40]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.staticfiles import finders
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

from kpis.dashboards import cache
from kpis.models import Measurement

# 7, and the header's unread count (one query on every page that draws the header since
# nudges added it), as pinned in tests/kpis/dashboards/test_views.py; a kept board reads none
# of the plan's content (session, user, plan and role, unread count).
QUERY_GOAL = 8
FIRST_VISIT_GOAL = 450 * 1024
FIGURE_DATA = re.compile(rb'<script[^>]*type="application/json"[^>]*>(.*?)</script>', re.S)
STATIC_LINK = re.compile(rb'(?:src|href)="/static/([^"?#]+)"')


@dataclass(frozen=True)
class Size:
    kpis: int
    weeks: int
    ratio_goal: float
    bytes_goal: int


# The middle size is a point on the curve, held to the large one's goals.
SIZES = (
    Size(40, 13, 6.0, 200 * 1024),
    Size(100, 26, 25.0, 200 * 1024),
    Size(200, 52, 25.0, 200 * 1024),
)


def compressed(data: bytes) -> int:
    """Bytes on the wire as whitenoise serves a static file: brotli when installed, else gzip."""
    try:
        import brotli
    except ImportError:
        return len(gzip.compress(data, 9))
    return len(brotli.compress(data))


def first_visit_bytes(client: Client, url: str, html: bytes) -> tuple[int, int, int]:
    """(page as sent, linked static files as served, total) for a browser with an empty cache."""
    sent = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br").content
    assets = 0
    for name in dict.fromkeys(STATIC_LINK.findall(html)):
        found = finders.find(name.decode())
        assert found, name
        with open(found, "rb") as file:
            assets += compressed(file.read())
    return len(sent), assets, len(sent) + assets


def an_actual_corrected(plan_id: int) -> Callable[[], None]:
    """A change as an editor makes one: the latest actual of the plan's first KPI corrected."""
    actual = Measurement.objects.filter(kpi__plan_id=plan_id).order_by("kpi_id", "-date").first()
    assert actual is not None

    def change() -> None:
        actual.value += 1
        actual.save()

    return change


class FirstViewClient(Client):
    """Asks every page as the first view after a change: with no board kept."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        cache.clear()
        return super().get(*args, **kwargs)


def measure(size: Size, runs: int) -> bool:
    call_command("flush", interactive=False, verbosity=0)
    plan_id, user = build(size.kpis, size.weeks)
    client = Client()
    client.force_login(user)
    with bench_settings():
        url = reverse("kpis-dashboard", args=[plan_id])
        filtered_url = url + "?audience=b2c&start=2026-08-03"
        cache.clear()
        page, first_queries = get_with_queries(client, url)
        _, queries = get_with_queries(client, url)
        html = page.content
        figure_bytes = sum(len(data) for data in FIGURE_DATA.findall(html))
        visit = first_visit_bytes(client, url, html) if size is SIZES[0] else None
        kept = interleaved(client, [url, filtered_url], runs)
        edit = dict.fromkeys([url, filtered_url], an_actual_corrected(plan_id))
        edited = interleaved(client, [url, filtered_url], runs, before=edit)
        first_client = FirstViewClient()
        first_client.force_login(user)
        first = interleaved(
            client,
            [url, filtered_url],
            runs,
            clients=dict.fromkeys([url, filtered_url], first_client),
        )
    # Sizes and counts decide the exit status; times depend on the machine and are only printed.
    ok = len(html) <= size.bytes_goal and len(first_queries) <= QUERY_GOAL
    print(f"Dashboard of {size.kpis} KPIs x {size.weeks} weekly actuals")
    print(f"  page bytes (HTML + figure data): {kb(len(html))}; goal {size.bytes_goal // 1024} KB")
    print(f"  of which figure data:            {kb(figure_bytes)}")
    print(
        f"  SQL queries:                     {len(first_queries)} first view, "
        f"{len(queries)} after no change (goal {QUERY_GOAL})"
    )
    for name, ratio in (
        ("after no change", kept),
        ("after an edit", edited),
        ("in a new process", first),
    ):
        fast = ratio.of(url) <= size.ratio_goal
        print(
            f"  {name}: server time, median of {runs}: {ratio.median(url):.1f} ms "
            f"(filtered: {ratio.median(filtered_url):.1f} ms); trivial view {ratio.floor:.2f} ms"
        )
        print(
            f"    ratio dashboard / trivial:     {ratio.of(url):.1f}x "
            f"(fastest runs: {ratio.fastest(url):.1f}x; filtered {ratio.of(filtered_url):.1f}x); "
            f"goal {size.ratio_goal:g}x{'' if fast else ' (over)'}"
        )
    if visit is not None:
        sent, assets, total = visit
        print(
            f"  first visit on the wire:         {kb(total)} (page {kb(sent)}, "
            f"static files {kb(assets)}); goal {FIRST_VISIT_GOAL // 1024} KB"
        )
        ok = ok and total <= FIRST_VISIT_GOAL
    print("  sizes and queries within goals" if ok else "  OVER A SIZE OR QUERY GOAL")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    results = [measure(size, args.runs) for size in SIZES]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
