from typing import Any

from django.core.management.base import BaseCommand

from demo.seeding import seed_demo


class Command(BaseCommand):
    help = "Create the Demo workspace, its users and two filled-in plans. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        report = seed_demo()
        if report.created_plans or report.created_users:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data ready: {report.created_users} user(s) and "
                    f"{report.created_plans} plan(s) created. Log in as 'marketer' or 'manager'."
                )
            )
        else:
            self.stdout.write("Demo data already present; nothing changed.")
