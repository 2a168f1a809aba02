"""Export time, pages and size of the demo plans' quarterly review PDF, made in this process
(the steps of the job; benchmarks/review_pdf.py measures the job on real processes).

Runs against a throw-away SQLite database filled by seed_demo and a 40-KPI plan, so it never
touches yours:
    python benchmarks/review_render.py
"cold" is the first export in a fresh process (Chromium starts, every section is laid out);
"warm" repeats it with the chart browser running and the unchanged charts and laid-out
sections kept; "warm, one actual changed" changes the latest actual of one KPI before each
export, as the job sees after an edit (its chart is drawn again and the sections that show it
are laid out again, the others are kept); "same, no section kept" does the same with the
laid-out sections dropped first (the whole review laid out, as before sections were kept),
interleaved with it; "warm, charts redrawn" empties the chart cache first, as after new
actuals were recorded for every KPI. Each line ends with the last run's steps and the sections
it laid out. The last lines of a plan give the PDF's size, how many SVG elements WeasyPrint
paints for its charts, and what the layout cache holds.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_db = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
os.environ["DATABASE_URL"] = f"sqlite:///{_db.name}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "race_planner.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from harness import build  # noqa: E402  (benchmarks/, beside this script)

from demo.seeding import seed_demo  # noqa: E402
from kpis.models import Measurement  # noqa: E402
from kpis.review import charts as review_charts  # noqa: E402
from kpis.review import layout  # noqa: E402
from kpis.review.export import Review, export_review  # noqa: E402
from plans.models import Plan  # noqa: E402

WARM_RUNS = 3


def timed(plan: Plan) -> tuple[float, float, Review]:
    """Wall time and this process's CPU time (the CPU time does not grow when other work
    shares the machine; Chromium's own time is not in it, so compare it on warm runs)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = export_review(plan, timeout=300)  # a busy machine is slow, not broken
    return time.perf_counter() - start, time.process_time() - cpu, result


def line(label: str, runs: list[tuple[float, float, Review]]) -> None:
    wall = [w for w, _, _ in runs]
    cpu = statistics.median(c for _, c, _ in runs)
    parts = ", ".join(f"{k} {v:.2f}" for k, v in runs[-1][2].timings.items())
    parts += "; laid out: " + (", ".join(runs[-1][2].laid_out) or "nothing")
    if len(wall) == 1:
        shown = f"{wall[0]:.2f} s"
    else:
        median = statistics.median(wall)
        shown = f"median {median:.2f} s (best {min(wall):.2f}, worst {max(wall):.2f})"
    print(f"  {label:<26} {shown}, CPU {cpu:.2f} s   [{parts}]")


def rss_mb() -> float:
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return 0.0


def change_one_actual(plan: Plan) -> None:
    """A value the chart has never shown, so it is drawn again."""
    latest = Measurement.objects.filter(kpi__plan=plan).order_by("-date", "kpi_id").first()
    assert latest is not None
    latest.value += 1
    latest.save()


def main() -> None:
    call_command("migrate", verbosity=0)
    seed_demo()
    build(40, 13, name="Forty KPIs")  # the 40-KPI plan of benchmarks/review_pdf.py
    print(f"Quarterly review PDF on {os.cpu_count()} cores")
    for plan in Plan.objects.select_related("workspace").order_by("name"):
        print(f"{plan.name}")
        cold = timed(plan)
        result = cold[2]
        line("cold", [cold])
        line("warm", [timed(plan) for _ in range(WARM_RUNS)])
        changed, whole = [], []
        for _ in range(WARM_RUNS):
            change_one_actual(plan)
            changed.append(timed(plan))
            change_one_actual(plan)
            layout.cache._documents.clear()  # page counts stay known: each section laid out once
            whole.append(timed(plan))
        line("warm, one actual changed", changed)
        line("same, no section kept", whole)
        redrawn = []
        for _ in range(WARM_RUNS):
            review_charts.clear_cache()
            redrawn.append(timed(plan))
        line("warm, charts redrawn", redrawn)
        charts = sum(1 for url in result.fetcher.served if url.startswith("data:image/svg"))
        elements = sum(svg.count("<") for svg in review_charts._cache.values())  # this plan's
        print(
            f"  {result.pages} pages, {len(result.pdf) / 1024:.0f} KB, {charts} vector charts"
            f" of {elements} SVG elements"
        )
        print(
            f"  layout cache: {len(layout.cache)} sections kept (bound {layout.cache.bound}),"
            f" {dict(layout.cache.stats)}; this process {rss_mb():.0f} MB"
        )
    Path(_db.name).unlink()


if __name__ == "__main__":
    main()
