from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kpis.review import charts as review_charts
from kpis.review import export as review
from plans.models import Plan, Stage


class Command(BaseCommand):
    help = "Write a plan's quarterly review PDF: export_review <plan_id> -o review.pdf"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("plan_id", type=int)
        parser.add_argument("-o", "--output", required=True, help="Where to write the PDF.")
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
        if (start or plan.period_start) > (end or plan.period_end):
            raise CommandError("The period must end on or after the day it starts.")
        choices = review.ReviewOptions(
            start=start,
            end=end,
            stages=tuple(options["stages"] or Stage.values),
            audience=options["audience"],
            paper=options["paper"],
        )
        try:
            result = review.export_review(plan, choices)
        except review.ReviewError as error:
            raise CommandError(str(error)) from None
        finally:
            review_charts.shutdown()
        Path(options["output"]).write_bytes(result.pdf)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {options['output']}: {result.pages} pages, {len(result.pdf) // 1024} KB."
            )
        )
