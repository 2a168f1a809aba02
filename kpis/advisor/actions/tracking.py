"""How the plan's improvement actions are doing: each tactic's status, dates and time left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.template.defaultfilters import pluralize

from kpis.advisor.models import ImprovementAction
from plans.models import Plan, Tactic, TacticStatus

_FINISHED = {TacticStatus.DONE.value, TacticStatus.DROPPED.value}


@dataclass(frozen=True)
class TrackedAction:
    record: ImprovementAction
    tactic: Tactic | None  # None once the tactic was deleted from the worksheet
    today: date

    @property
    def removed(self) -> bool:
        return self.tactic is None

    @property
    def finished(self) -> bool:
        return self.tactic is not None and self.tactic.status in _FINISHED

    @property
    def days_left(self) -> int | None:
        """Days until the tactic's end date, negative when past it; None without one."""
        if self.tactic is None or self.tactic.end_date is None:
            return None
        return (self.tactic.end_date - self.today).days

    @property
    def overdue(self) -> bool:
        days = self.days_left
        return days is not None and days < 0 and not self.finished

    @property
    def timing(self) -> str:
        """Time left in words: "12 days left", "Ends today", "3 days overdue"; "" once the
        tactic is finished or removed."""
        days = self.days_left
        if days is None or self.finished:
            return ""
        if days == 0:
            return "Ends today"
        if days > 0:
            return f"{days} day{pluralize(days)} left"
        return f"{-days} day{pluralize(-days)} overdue"


def tracked_actions(plan: Plan, today: date) -> list[TrackedAction]:
    """The plan's actions, newest first, with their tactics (one query)."""
    records = ImprovementAction.objects.filter(plan=plan).select_related("tactic")
    return [TrackedAction(record, record.tactic, today) for record in records]


def summary(rows: list[TrackedAction]) -> str:
    """The line above the table: "3 of 5 actions done, 1 overdue, 1 removed from the plan"."""
    done = sum(1 for row in rows if row.tactic and row.tactic.status == TacticStatus.DONE)
    parts = [f"{done} of {len(rows)} action{pluralize(len(rows))} done"]
    overdue = sum(1 for row in rows if row.overdue)
    if overdue:
        parts.append(f"{overdue} overdue")
    removed = sum(1 for row in rows if row.removed)
    if removed:
        parts.append(f"{removed} removed from the plan")
    return ", ".join(parts)
