"""What the page benchmarks share: Django on a throw-away SQLite database with DEBUG off, a
trivial logged-in view measured in the same run (the floor every ratio is against), the plan
builder, and interleaved timing.

Import it before anything from Django: importing sets Django up.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_db = Path(tempfile.mkdtemp(prefix="race-bench-")) / "bench.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_db}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "race_planner.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Measure as deployed: DEBUG off (templates without debug bookkeeping), plain HTTP test client.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-used-anywhere-else-0123456789")
for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ[name] = "0"

import django  # noqa: E402

# whitenoise looks for STATIC_ROOT, which only collectstatic fills; the benchmarks serve from finders.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

STAGES = ("plan", "reach", "act", "convert", "engage")


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


# This module doubles as the URL conf: the project's URLs plus the trivial view.
urlpatterns = [
    path("__trivial__/", trivial, name="bench-trivial"),
    path("", include("race_planner.urls")),
]


def bench_settings() -> override_settings:
    """This module's URLs, and un-hashed static names: the benchmarks do not run collectstatic."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"], STORAGES=storages)


def build(kpis: int = 40, weeks: int = 13, *, name: str = "Forty KPIs") -> tuple[int, Any]:
    """A plan for both audiences with `kpis` KPIs (weekly actuals for `weeks` weeks) and as
    many tactics, and a viewer of its workspace."""
    from django.contrib.auth.models import User

    from kpis.models import Measurement
    from plans.models import KPI, Membership, Plan, Role, Tactic, Workspace

    workspace = Workspace.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user("bench", password="bench-password-123")
    Membership.objects.create(workspace=workspace, user=user, role=Role.VIEWER)
    start = date(2026, 7, 6)
    plan = Plan.objects.create(
        workspace=workspace,
        name=name,
        audience="both",
        period_start=start,
        period_end=start + timedelta(weeks=weeks, days=-1),
        status="active",
    )
    rows = []
    for n in range(kpis):
        kpi = KPI.objects.create(
            plan=plan,
            stage=STAGES[n % 5],
            audience=("all", "b2c", "b2b")[n % 3],
            name=f"Key performance indicator number {n}",
            unit=("count", "percent", "currency")[n % 3],
            baseline=Decimal("1000.5"),
            target=Decimal("2000.25"),
            position=n,
        )
        if n < 5 and n % 5:
            plan.worksheets.filter(stage=STAGES[n % 5]).update(primary_kpi=kpi)
        for week in range(weeks):
            value = Decimal("1000.5") + Decimal("77.1234") * week + n
            rows.append(
                Measurement(
                    kpi=kpi, date=start + timedelta(weeks=week), value=value, note="check-in"
                )
            )
        Tactic.objects.create(
            plan=plan,
            stage=STAGES[n % 5],
            title=f"Tactic {n}",
            channel=f"Channel {n % 8}",
            budget_planned=Decimal(1000 + n),
            budget_spent=Decimal(500 + n),
        )
    Measurement.objects.bulk_create(rows)
    return plan.pk, user


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


def timings_ms(
    client: Client, url: str, runs: int, *, before: Callable[[], None] | None = None
) -> list[float]:
    """`runs` server times of `url`; `before` runs ahead of each, outside the timing."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


@dataclass(frozen=True)
class Ratio:
    """Median server times of pages and of the trivial view, measured interleaved."""

    times_ms: dict[str, list[float]]
    trivial_ms: list[float]

    def median(self, url: str) -> float:
        return statistics.median(self.times_ms[url])

    @property
    def floor(self) -> float:
        return statistics.median(self.trivial_ms)

    def of(self, url: str) -> float:
        return self.median(url) / self.floor

    def fastest(self, url: str) -> float:
        return min(self.times_ms[url]) / min(self.trivial_ms)


def interleaved(
    client: Client,
    urls: list[str],
    runs: int,
    *,
    trivial_url: str = "",
    clients: dict[str, Client] | None = None,
    before: dict[str, Callable[[], None]] | None = None,
) -> Ratio:
    """Each page and the trivial view in turn, `runs` times, so a busy moment on a shared
    machine hits both sides alike. `clients` asks some pages as someone else (a visitor who is
    not logged in); the trivial view is always asked by `client`. `before` runs ahead of each
    view of a page, outside its timing (a change the view then shows)."""
    from django.urls import reverse

    floor_url = trivial_url or reverse("bench-trivial")
    by = clients or {}
    for url in [*urls, floor_url]:
        by.get(url, client).get(url)  # warm up templates and caches
    times: dict[str, list[float]] = {url: [] for url in urls}
    floor: list[float] = []
    for _ in range(runs):
        for url in urls:
            prepare = (before or {}).get(url)
            times[url] += timings_ms(by.get(url, client), url, 1, before=prepare)
        floor += timings_ms(client, floor_url, 1)
    return Ratio(times, floor)


def kb(size: int) -> str:
    return f"{size:,} B ({size / 1024:.1f} KB)"


def print_pages(client: Client, pages: dict[str, str], runs: int) -> Ratio:
    """Each page's bytes and queries, then its time interleaved with the trivial view's: a line a
    page ("label: 4.2x trivial (8.1 ms), 7 queries, 23 KB") and the floor's line."""
    with bench_settings():
        found = {label: get_with_queries(client, url) for label, url in pages.items()}
        ratio = interleaved(client, list(pages.values()), runs)
    width = max(len(label) for label in pages) + 2
    for label, url in pages.items():
        page, queries = found[label]
        print(
            f"  {label + ':':{width}} {ratio.of(url):5.1f}x trivial ({ratio.median(url):.1f} ms), "
            f"{len(queries)} queries, {kb(len(page.content))}"
        )
    print(f"  trivial logged-in view: {ratio.floor:.2f} ms")
    return ratio


def each_size(
    measure: Callable[[int, int, int], None],
    sizes: tuple[tuple[int, int], ...],
    *,
    doc: str,
    runs: int,
) -> int:
    """A benchmark's command line over plan sizes: `--runs N`, `--sizes 40x13 200x52` (KPIs x
    weeks of actuals; `sizes` by default); migrates, then `measure(kpis, weeks, runs)` a size."""
    import argparse

    from django.core.management import call_command

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--sizes", nargs="+", default=[f"{k}x{w}" for k, w in sizes])
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    for size in args.sizes:
        kpis, weeks = (int(part) for part in size.split("x"))
        measure(kpis, weeks, args.runs)
    return 0
