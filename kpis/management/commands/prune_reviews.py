from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from kpis.review import jobs


class Command(BaseCommand):
    help = (
        "Delete review PDFs made more than REVIEW_RETENTION_DAYS ago, and stored files that no "
        "export knows of once they are that old. Each export job also deletes expired ones."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        exports = jobs.prune_expired()
        orphans = jobs.prune_orphans()
        self.stdout.write(
            f"Deleted {exports} export(s) older than {settings.REVIEW_RETENTION_DAYS} days "
            f"and {len(orphans)} stray file(s)."
        )
