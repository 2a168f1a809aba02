"""Export time, pages and size of the demo plans' quarterly review PDF, made in this process
(the steps of the job; benchmarks/review_pdf.py measures the job on real processes).

Runs against a throw-away SQLite database filled by seed_demo, so it never touches yours:
    python benchmarks/review_render.py
"cold" is the first export in a fresh process (Chromium starts); "warm" repeats it with the
chart browser running and the unchanged charts cached; "warm, one actual changed" changes
the latest actual of one KPI before each export, as the job sees after an edit (its chart is
drawn again, the others come from the cache); "warm, charts redrawn" empties the chart cache
first, as after new actuals were recorded for every KPI. The last line of a plan gives the
PDF's size and how many SVG elements WeasyPrint paints for its charts.
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

from demo.seeding import seed_demo  # noqa: E402
from kpis.models import Measurement  # noqa: E402
from kpis.review import charts as review_charts  # noqa: E402
from kpis.review.export import Review, export_review  # noqa: E402
from plans.models import Plan  # noqa: E402

WARM_RUNS = 3


def timed(plan: Plan) -> tuple[float, float, Review]:
    """Wall time and this process's CPU time (the CPU time does not grow when other work
    shares the machine; Chromium's own time is not in it, so compare it on warm runs)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = export_review(plan)
    return time.perf_counter() - start, time.process_time() - cpu, result


def line(label: str, runs: list[tuple[float, float, Review]]) -> None:
    wall = [w for w, _, _ in runs]
    cpu = statistics.median(c for _, c, _ in runs)
    parts = ", ".join(f"{k} {v:.2f}" for k, v in runs[-1][2].timings.items())
    if len(wall) == 1:
        shown = f"{wall[0]:.2f} s"
    else:
        median = statistics.median(wall)
        shown = f"median {median:.2f} s (best {min(wall):.2f}, worst {max(wall):.2f})"
    print(f"  {label:<26} {shown}, CPU {cpu:.2f} s   [{parts}]")


def change_one_actual(plan: Plan) -> None:
    """A value the chart has never shown, so it is drawn again."""
    latest = Measurement.objects.filter(kpi__plan=plan).order_by("-date", "kpi_id").first()
    assert latest is not None
    latest.value += 1
    latest.save()


def main() -> None:
    call_command("migrate", verbosity=0)
    seed_demo()
    print(f"Quarterly review PDF on {os.cpu_count()} cores")
    for plan in Plan.objects.select_related("workspace").order_by("name"):
        print(f"{plan.name}")
        cold = timed(plan)
        result = cold[2]
        line("cold", [cold])
        line("warm", [timed(plan) for _ in range(WARM_RUNS)])
        changed = []
        for _ in range(WARM_RUNS):
            change_one_actual(plan)
            changed.append(timed(plan))
        line("warm, one actual changed", changed)
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
    Path(_db.name).unlink()


if __name__ == "__main__":
    main()
