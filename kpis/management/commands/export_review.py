import time
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kpis.models import ExportState, ReviewExport
from kpis.review import charts as review_charts
from kpis.review import export as review
from kpis.review import jobs
from plans.models import Plan, Stage


def made_here(export: ReviewExport) -> ReviewExport:
    """The export finished: made in this process, or waited for when a worker has it."""
    while export.state in jobs.PENDING:
        if export.state == ExportState.QUEUED:
            jobs.run_export(export.pk)  # the job's own code, no worker needed
        else:
            time.sleep(0.5)
        export.refresh_from_db()
        export = jobs.check_progress(export)
    return export


class Command(BaseCommand):
    help = (
        "Write a plan's quarterly review PDF (or slides): export_review <plan_id> -o review.pdf"
        " (-o review.pptx, or --format pptx, for the slides)"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("plan_id", type=int)
        parser.add_argument("-o", "--output", required=True, help="Where to write the file.")
        parser.add_argument(
            "--format",
            choices=list(jobs.FORMAT_NAMES),
            help="pdf or pptx (slides); by default the output's ending, else pdf.",
        )
        parser.add_argument("--start", type=date.fromisoformat, help="First day (YYYY-MM-DD).")
        parser.add_argument("--end", type=date.fromisoformat, help="Last day (YYYY-MM-DD).")
        parser.add_argument(
            "--stage",
            action="append",
            choices=Stage.values,
            dest="stages",
            help="A stage to include; repeat for more. Default: every stage.",
        )
        parser.add_argument("--audience", choices=["b2c", "b2b"], help="For plans for both.")
        parser.add_argument("--paper", choices=list(review.PAPER_SIZES), default="A4")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.select_related("workspace").filter(pk=options["plan_id"]).first()
        if plan is None:
            raise CommandError(f"No plan with id {options['plan_id']}.")
        start, end = options["start"], options["end"]
        output = Path(options["output"])
        if (start or plan.period_start) > (end or plan.period_end):
            raise CommandError("The period must end on or after the day it starts.")
        choices = review.ReviewOptions(
            start=start,
            end=end,
            stages=tuple(options["stages"] or Stage.values),
            audience=options["audience"],
            paper=options["paper"],
            format=options["format"] or ("pptx" if output.suffix == ".pptx" else "pdf"),
        )
        export = jobs.start_export(plan, choices, retry=True, enqueue=False)
        stored = export.state == ExportState.READY
        try:
            export = made_here(export)
        finally:
            review_charts.shutdown()
        made = jobs.stored_file(export) if export.state == ExportState.READY else None
        if made is None:
            raise CommandError(export.error or "The review could not be made. Try again.")
        with made:
            output.write_bytes(made.read())
        how = "stored earlier, unchanged since" if stored else "made now"
        pages = "slides" if choices.format == "pptx" else "pages"
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output}: {export.pages} {pages}, {export.size // 1024} KB ({how})."
            )
        )
