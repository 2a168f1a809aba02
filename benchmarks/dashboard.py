"""Dashboard size and server time, for a plan with 40 KPIs x 13 weekly actuals.

Prints the page's bytes (HTML with the figure JSON embedded), the figure JSON alone, the SQL
query count, and the median server time as a ratio to a trivial logged-in view measured in the
same run (so the figure means the same on a fast laptop and a slow CI box).

    python benchmarks/dashboard.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_db = Path(tempfile.mkdtemp(prefix="race-bench-")) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{_db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "race_planner.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Measure as deployed: DEBUG off (templates without debug bookkeeping), plain HTTP test client.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-used-anywhere-else-0123456789")
for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ[name] = "0"

import warnings  # noqa: E402

import django  # noqa: E402

# whitenoise looks for STATIC_ROOT, which only collectstatic fills; the benchmarks serve from finders.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402

KPIS, WEEKS = 40, 13
BUDGET_BYTES = 200 * 1024


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


# This module doubles as the URL conf: the project's URLs plus the trivial view.
urlpatterns = [
    path("__trivial__/", trivial, name="bench-trivial"),
    path("", include("race_planner.urls")),
]


def build() -> tuple[int, object]:
    from django.contrib.auth.models import User

    from kpis.models import Measurement
    from plans.models import KPI, Membership, Plan, Role, Tactic, Workspace

    workspace = Workspace.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user("bench", password="bench-password-123")
    Membership.objects.create(workspace=workspace, user=user, role=Role.VIEWER)
    start = date(2026, 7, 6)
    plan = Plan.objects.create(
        workspace=workspace,
        name="Forty KPIs",
        audience="both",
        period_start=start,
        period_end=start + timedelta(weeks=WEEKS, days=-1),
        status="active",
    )
    stages = ("plan", "reach", "act", "convert", "engage")
    rows = []
    for n in range(KPIS):
        kpi = KPI.objects.create(
            plan=plan,
            stage=stages[n % 5],
            audience=("all", "b2c", "b2b")[n % 3],
            name=f"Key performance indicator number {n}",
            unit=("count", "percent", "currency")[n % 3],
            baseline=Decimal("1000.5"),
            target=Decimal("2000.25"),
            position=n,
        )
        if n < 5 and n % 5:
            plan.worksheets.filter(stage=stages[n % 5]).update(primary_kpi=kpi)
        for week in range(WEEKS):
            value = Decimal("1000.5") + Decimal("77.1234") * week + n
            rows.append(
                Measurement(
                    kpi=kpi, date=start + timedelta(weeks=week), value=value, note="check-in"
                )
            )
        Tactic.objects.create(
            plan=plan,
            stage=stages[n % 5],
            title=f"Tactic {n}",
            channel=f"Channel {n % 8}",
            budget_planned=Decimal(1000 + n),
            budget_spent=Decimal(500 + n),
        )
    Measurement.objects.bulk_create(rows)
    return plan.pk, user


def bench_settings() -> override_settings:
    """This module's URLs, and un-hashed static names: the benchmarks do not run collectstatic."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"], STORAGES=storages)


def get_with_queries(client: Client, url: str) -> tuple[Any, list[str]]:
    """One GET and the SQL it ran (execute_wrapper: CaptureQueriesContext resets per request)."""
    queries: list[str] = []

    def count(run: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return run(sql, *rest)

    with connection.execute_wrapper(count):
        page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return page, queries


def timings_ms(client: Client, url: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    plan_id, user = build()
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    with bench_settings():
        url = reverse("kpis-dashboard", args=[plan_id])
        trivial_url = reverse("bench-trivial")
        client.get(url), client.get(trivial_url)  # warm up templates and caches
        page, queries = get_with_queries(client, url)
        html = page.content
        figures = re.findall(
            rb'<script id="fig-[^"]+" type="application/json">(.*?)</script>', html, re.S
        )
        figure_bytes = sum(len(f) for f in figures)
        # Interleaved, so a busy moment on a shared machine hits both sides alike.
        dashboard: list[float] = []
        trivial_times: list[float] = []
        filtered: list[float] = []
        for _ in range(args.runs):
            dashboard += timings_ms(client, url, 1)
            trivial_times += timings_ms(client, trivial_url, 1)
            filtered += timings_ms(client, url + "?audience=b2c&start=2026-08-03", 1)
    dashboard_ms, trivial_ms = statistics.median(dashboard), statistics.median(trivial_times)
    filtered_ms = statistics.median(filtered)
    ratio = dashboard_ms / trivial_ms
    best_ratio = min(dashboard) / min(trivial_times)
    print(f"Dashboard of {KPIS} KPIs x {WEEKS} weekly actuals ({len(figures)} figures)")
    print(
        f"  page bytes (HTML + figure JSON): {len(html):,} ({len(html) / 1024:.1f} KB; budget {BUDGET_BYTES // 1024} KB)"
    )
    print(f"  of which figure JSON:            {figure_bytes:,} ({figure_bytes / 1024:.1f} KB)")
    print(f"  SQL queries:                     {len(queries)} (budget 15)")
    print(
        f"  server time, median of {args.runs}:      {dashboard_ms:.1f} ms (filtered: {filtered_ms:.1f} ms)"
    )
    print(f"  trivial logged-in view:          {trivial_ms:.2f} ms")
    print(f"  ratio dashboard / trivial:       {ratio:.1f}x (fastest runs: {best_ratio:.1f}x)")
    ok = len(html) <= BUDGET_BYTES and len(queries) <= 15
    print("  within budget" if ok else "  OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
