"""Adding a library action to a plan: a tactic in the action's stage, and the record of it.

The tactic is made by the worksheet's own path (its form's checks, `add_item`, the audit
trail), so it is a tactic like any other: editable, movable, deletable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import QueryDict

from kpis.advisor.actions.library import LibraryAction
from kpis.advisor.models import ImprovementAction
from plans.models import ItemAudience, Plan, Tactic, TacticStatus, person
from plans.worksheet.rows import add_item, item_form


class CannotAdd(Exception):
    """Why the action was not added, in words for the person who clicked."""


def already_added(action: LibraryAction) -> CannotAdd:
    return CannotAdd(f"“{action.title}” is already in this plan; its progress is listed below.")


@dataclass(frozen=True)
class Added:
    record: ImprovementAction
    tactic: Tactic
    shortened: bool  # the plan's period ends before the action's full duration


def tactic_dates(plan: Plan, days: int, today: date) -> tuple[date, date] | None:
    """From today (or the plan's first day) for `days`, cut at the plan's last day, since a
    tactic's dates must fall inside its plan's period; None once the period is over."""
    start = max(today, plan.period_start)
    if start > plan.period_end:
        return None
    return start, min(start + timedelta(days=days), plan.period_end)


def _next_position(plan: Plan, action: LibraryAction) -> int:
    """The end of the stage's tactics (for plans of both audiences, of its "both" group too)."""
    tactics = Tactic.objects.filter(plan=plan, stage=action.stage)
    highest = tactics.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def _tactic_data(
    action: LibraryAction, owner: str, dates: tuple[date, date], position: int
) -> QueryDict:
    """What the worksheet's "Add tactic" form would have been sent, under its prefix."""
    prefix = f"new-tactic-{action.stage}-"
    data = QueryDict(mutable=True)
    fields = {
        "title": action.title,
        "audience": ItemAudience.ALL,
        "channel": action.channel,
        "media": action.media,
        "owner": owner,
        "budget_planned": "0",
        "budget_spent": "0",
        "start_date": dates[0].isoformat(),
        "end_date": dates[1].isoformat(),
        "status": TacticStatus.PLANNED,
        "description": action.description,
        "position": position,
    }
    data.update({prefix + name: str(value) for name, value in fields.items()})
    return data


def add_action(plan: Plan, action: LibraryAction, *, user: User | None, today: date) -> Added:
    """Add the action as a tactic and record it, both or neither; CannotAdd says why not."""
    if ImprovementAction.objects.filter(plan=plan, action=action.key).exists():
        raise already_added(action)
    dates = tactic_dates(plan, action.days, today)
    if dates is None:
        raise CannotAdd(
            f"This plan ended on {plan.period_end:%-d %b %Y}, so its tactics cannot start now. "
            "Roll it forward to the next quarter and add the action there."
        )
    owner = person(user)[:120] if user else ""
    form = item_form(
        plan,
        "tactic",
        action.stage,
        _tactic_data(action, owner, dates, _next_position(plan, action)),
        choices={"objectives": []},  # an action serves no objective yet: nothing to load
    )
    if not form.is_valid():  # the library is checked at start-up: only a bad plan gets here
        problems = [str(error) for errors in form.errors.values() for error in errors]
        raise CannotAdd(" ".join(problems) or "The tactic was refused.")
    try:
        with transaction.atomic():  # the tactic goes if the record is refused
            tactic = add_item(form, plan, action.stage)
            if tactic is None or not isinstance(tactic, Tactic):
                raise CannotAdd("The tactic was refused; try again.")
            record = ImprovementAction.objects.create(
                plan=plan,
                action=action.key,
                area=action.area,
                band=action.band,
                title=action.title,
                tactic=tactic,
                added_by=user,
            )
    except IntegrityError:  # someone added it a moment ago: the constraint is the last word
        raise already_added(action) from None
    shortened = dates[1] < dates[0] + timedelta(days=action.days)
    return Added(record, tactic, shortened)


def confirmation(added: Added) -> str:
    """The message after adding: "Added “…” to Reach as a tactic, 1 Dec – 31 Dec 2026."
    and, when the plan's period cut it short, that it was."""
    tactic = added.tactic
    assert tactic.start_date and tactic.end_date  # set by add_action
    text = (
        f"Added “{tactic.title}” to {tactic.get_stage_display()} as a tactic, "
        f"{tactic.start_date:%-d %b} – {tactic.end_date:%-d %b %Y}."
    )
    if added.shortened:
        text += " It ends with the plan’s period; move its end date if the plan is extended."
    return text
