"""Export time, pages and size of the demo plans' quarterly review PDF.

Runs against a throw-away SQLite database filled by seed_demo, so it never touches yours:
    python benchmarks/review_pdf.py
"cold" is the first export in a fresh process (Chromium starts); "warm" repeats it with the
chart browser running and the unchanged charts cached; "warm, charts redrawn" empties the
chart cache first, as after new actuals were recorded for every KPI.
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

from kpis import review_charts  # noqa: E402
from kpis.demo import seed_demo  # noqa: E402
from kpis.review import Review, export_review  # noqa: E402
from plans.models import Plan  # noqa: E402

WARM_RUNS = 3


def timed(plan: Plan) -> tuple[float, Review]:
    start = time.perf_counter()
    result = export_review(plan)
    return time.perf_counter() - start, result


def line(label: str, seconds: list[float], result: Review) -> None:
    parts = ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items())
    shown = (
        f"{seconds[0]:.2f} s"
        if len(seconds) == 1
        else (
            f"median {statistics.median(seconds):.2f} s (best {min(seconds):.2f}, worst {max(seconds):.2f})"
        )
    )
    print(f"  {label:<24} {shown}   [{parts}]")


def main() -> None:
    call_command("migrate", verbosity=0)
    seed_demo()
    print(f"Quarterly review PDF on {os.cpu_count()} cores")
    for plan in Plan.objects.select_related("workspace").order_by("name"):
        print(f"{plan.name}")
        cold, result = timed(plan)
        line("cold", [cold], result)
        warm = [timed(plan) for _ in range(WARM_RUNS)]
        line("warm", [t for t, _ in warm], warm[-1][1])
        redrawn = []
        for _ in range(WARM_RUNS):
            review_charts.clear_cache()
            redrawn.append(timed(plan))
        line("warm, charts redrawn", [t for t, _ in redrawn], redrawn[-1][1])
        charts = sum(1 for url in result.fetcher.served if url.startswith("data:image/svg"))
        print(f"  {result.pages} pages, {len(result.pdf) / 1024:.0f} KB, {charts} vector charts")
    Path(_db.name).unlink()


if __name__ == "__main__":
    main()
