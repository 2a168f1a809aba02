"""`python manage.py import_actuals <plan_id> <file>`: the web import's rules from the shell."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpis.actuals.csv_import import ImportRefused, commit_actuals
from kpis.actuals.xlsx_import import preview_upload
from plans.access import ARCHIVED_MESSAGE
from plans.models import Plan, PlanStatus


class Command(BaseCommand):
    help = (
        "Import actuals from a CSV file (header kpi,date,value,note), or an .xlsx workbook's "
        "sheet Actuals with the same columns, into a plan."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_id", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, write nothing."
        )

    def handle(self, *args: Any, plan_id: int, file: Path, dry_run: bool, **options: Any) -> None:
        plan = Plan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise CommandError(f"No plan with id {plan_id}.")
        if plan.status == PlanStatus.ARCHIVED and not dry_run:
            raise CommandError(ARCHIVED_MESSAGE)
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            preview, _ = preview_upload(plan, file.name, data)
        except ImportRefused as error:
            raise CommandError(str(error)) from None
        if not preview.ok:
            for row in preview.errors:
                self.stderr.write(f"line {row.line}: {' '.join(row.errors)}")
            raise CommandError(
                f"{len(preview.errors)} row(s) with errors; nothing was imported. "
                "Fix the file and run the command again."
            )
        summary = (
            f"{preview.count('new')} new, {preview.count('update')} updated, "
            f"{preview.count('same')} unchanged"
        )
        if dry_run:
            self.stdout.write(f"The file is fine ({summary}); nothing written (--dry-run).")
            return
        try:
            commit_actuals(plan, preview, user=None)
        except ImportRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Imported actuals into “{plan}”: {summary}."))
