"""`manage.py send_nudges`: one run now (from cron, a systemd timer, or by hand); with
--schedule, start the worker's periodic job instead (scripts/run.sh does at start)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nudges.runner import run
from nudges.tasks import send_nudges_periodically


class Command(BaseCommand):
    help = "Make and email due reminders, status alerts and weekly digests; safe to run at once from several machines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Enqueue the periodic job on the task worker instead of running now.",
        )

    def handle(self, *args: Any, schedule: bool = False, **options: Any) -> None:
        if schedule:
            send_nudges_periodically.enqueue()
            self.stdout.write("Enqueued the periodic job; the worker runs it every 5 minutes.")
            return
        self.stdout.write(str(run()))
