"""One run of everything: what `manage.py send_nudges` and the worker's periodic job call.
Safe to run often and from several machines at once (see nudges/delivery.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from nudges.alerts import alert
from nudges.delivery import send_unsent
from nudges.digests import send_digests
from nudges.facts import gather
from nudges.reminders import remind


@dataclass(frozen=True)
class RunReport:
    alerts: int
    reminders: int
    digests: int
    emailed: int

    def __str__(self) -> str:
        return (
            f"{self.alerts} alert(s), {self.reminders} reminder(s), {self.digests} digest(s) "
            f"made; {self.emailed} email(s) sent"
        )


def run(now: datetime | None = None) -> RunReport:
    """`now` is the instant everything is judged at (tests pass a fixed one)."""
    now = now or timezone.now()
    facts = gather(now)
    alerts = alert(facts)
    reminders = remind(facts)
    digests = send_digests(facts)
    return RunReport(alerts, reminders, digests, send_unsent(now))
