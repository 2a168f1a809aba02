from datetime import date

from django.contrib.auth.models import User

from kpis.advisor.actions.adding import add_action
from kpis.advisor.actions.library import ACTIONS
from kpis.advisor.actions.tracking import summary, tracked_actions
from plans.models import Plan, Tactic


def test_each_action_shows_its_tactics_progress_and_the_summary_counts_them(
    plan: Plan, editor: User
) -> None:
    added_on = date(2026, 8, 1)
    keys = ["engage.review_requests", "act.email_sign_up", "reach.partners", "convert.bundles"]
    tactics = [add_action(plan, ACTIONS[k], user=editor, today=added_on).tactic for k in keys]
    Tactic.objects.filter(pk=tactics[0].pk).update(status="done")
    Tactic.objects.filter(pk=tactics[1].pk).update(status="running")  # ended 15 Aug: overdue
    tactics[3].delete()

    rows = {row.record.action: row for row in tracked_actions(plan, date(2026, 8, 20))}

    assert rows["engage.review_requests"].timing == ""  # done: no clock
    assert rows["act.email_sign_up"].overdue
    assert rows["act.email_sign_up"].timing == "5 days overdue"
    assert rows["reach.partners"].timing == "26 days left"  # 45 days from 1 Aug
    assert rows["convert.bundles"].removed and rows["convert.bundles"].timing == ""
    assert summary(list(rows.values())) == (
        "1 of 4 actions done, 1 overdue, 1 removed from the plan"
    )
    later = {row.record.action: row for row in tracked_actions(plan, date(2026, 9, 15))}
    assert later["reach.partners"].timing == "Ends today"
    assert summary([]) == "0 of 0 actions done"
