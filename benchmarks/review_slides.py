"""Time and size of the demo plans' review as slides (.pptx), beside the PDF made in the same run,
and the request that serves the stored slides against a trivial view.

Runs against a throw-away SQLite database filled by seed_demo (and a throw-away media folder),
so it never touches yours:
    python benchmarks/review_slides.py
"cold" is the first export in a fresh process (Chromium starts); "warm" repeats an export with
the chart browser running and its charts cached; "charts redrawn" empties the chart cache first,
as after new actuals for every KPI. PDF and slides take turns, so a busy moment on the shared
machine hits both alike. The served line is `review.pptx` once the slides are stored: the
request a script or a second click makes.
"""

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="race-bench-media-")

from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from harness import bench_settings, get_with_queries, interleaved, kb  # sets up Django

from demo.seeding import seed_demo
from kpis.review import charts as review_charts
from kpis.review import jobs
from kpis.review.export import ReviewOptions, export_review
from kpis.review.slides import export_slides
from plans.models import Plan

RUNS = 3


def timed(make: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall time and this process's CPU time (Chromium's own time is not in it)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = make()
    return time.perf_counter() - start, time.process_time() - cpu, result


def line(label: str, runs: list[tuple[float, float, Any]]) -> None:
    wall = [w for w, _, _ in runs]
    cpu = statistics.median(c for _, c, _ in runs)
    steps = ", ".join(f"{k} {v:.2f}" for k, v in runs[-1][2].timings.items())
    if len(wall) == 1:
        shown = f"{wall[0]:.2f} s"
    else:
        shown = (
            f"median {statistics.median(wall):.2f} s (best {min(wall):.2f}, worst {max(wall):.2f})"
        )
    print(f"  {label:<28} {shown}, CPU {cpu:.2f} s   [{steps}]")


def taking_turns(plan: Plan, *, redraw: bool) -> tuple[list[Any], list[Any]]:
    pdfs, decks = [], []
    for _ in range(RUNS):
        if redraw:
            review_charts.clear_cache()
        pdfs.append(timed(lambda: export_review(plan)))
        if redraw:
            review_charts.clear_cache()
        decks.append(timed(lambda: export_slides(plan)))
    return pdfs, decks


def served(plan: Plan) -> None:
    """The stored slides served again: ratio to the trivial view, size and queries."""
    from django.contrib.auth.models import User

    export = jobs.start_export(plan, ReviewOptions(format="pptx"), enqueue=False)
    jobs.run_export(export.pk)
    client = Client()
    client.force_login(User.objects.get(username="manager"))
    url = reverse("kpis-review-slides", args=[plan.pk])
    reviews = settings.STORAGES["reviews"]  # bench_settings() sets STORAGES without it
    with bench_settings(), override_settings(STORAGES={**settings.STORAGES, "reviews": reviews}):
        response, queries = get_with_queries(client, url)
        assert response["Content-Type"].endswith("presentationml.presentation")
        ratio = interleaved(client, [url], 20)
    print(
        f"  served again (review.pptx)   {ratio.of(url):.1f}x trivial "
        f"({ratio.median(url):.1f} ms against {ratio.floor:.2f} ms), "
        f"{kb(len(response.content))}, {len(queries)} queries"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    seed_demo()
    print(f"Quarterly review as slides beside the PDF, on {os.cpu_count()} cores")
    for number, plan in enumerate(Plan.objects.select_related("workspace").order_by("name")):
        print(f"{plan.name}")
        first = timed(lambda: export_slides(plan))  # noqa: B023 -- called at once
        line("slides, cold" if number == 0 else "slides, first", [first])
        line("PDF, first", [timed(lambda: export_review(plan))])  # noqa: B023 -- at once
        pdfs, decks = taking_turns(plan, redraw=False)
        line("PDF, warm", pdfs)
        line("slides, warm", decks)
        pdfs, decks = taking_turns(plan, redraw=True)
        line("PDF, charts redrawn", pdfs)
        line("slides, charts redrawn", decks)
        deck, pdf = decks[-1][2], pdfs[-1][2]
        print(
            f"  slides: {deck.slides} slides, {len(deck.pptx) / 1024:.0f} KB;"
            f" PDF: {pdf.pages} pages, {len(pdf.pdf) / 1024:.0f} KB"
        )
        served(plan)
    review_charts.shutdown()


if __name__ == "__main__":
    main()
