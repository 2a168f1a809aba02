"""The 90-day plan page's server time, size and queries, and the time of one "Add to plan".

A plan of 40 KPIs and 40 tactics (harness.build) in a workspace with two audits, the page
built with 2 actions taken and with 30, each measured interleaved against a trivial logged-in
view; then "Add to plan" (POST and redirect, without following it) for 20 actions in turn,
against the same floor. Printed, never asserted.

    python benchmarks/improve.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from harness import (  # sets up Django on a throw-away database
    bench_settings,
    build,
    get_with_queries,
    interleaved,
    kb,
    timings_ms,
)

SCORES = {"reach.search": 4, "act.capture": 3, "engage.reviews": 1, "engage.email": 2}


def prepare(actions: int) -> tuple[int, Any]:
    from kpis.advisor.actions.adding import add_action
    from kpis.advisor.actions.library import ACTIONS
    from kpis.advisor.models import AuditAnswer, CapabilityAudit
    from plans.models import Membership, Plan

    plan_id, user = build()
    Membership.objects.filter(user=user).update(role="editor")
    today = timezone.localdate()
    Plan.objects.filter(pk=plan_id).update(period_end=today + timedelta(days=90))
    plan = Plan.objects.get(pk=plan_id)
    for quarter, extra in ((date(2026, 7, 1), 1), (date(2026, 10, 1), 0)):
        audit = CapabilityAudit.objects.create(workspace=plan.workspace, quarter_start=quarter)
        AuditAnswer.objects.bulk_create(
            AuditAnswer(audit=audit, question=key, score=score + extra)
            for key, score in SCORES.items()
        )
    for action in list(ACTIONS.values())[:actions]:
        add_action(plan, action, user=user, today=today)
    return plan_id, user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    from django.core.management import call_command

    from kpis.advisor.actions.adding import add_action
    from kpis.advisor.actions.library import ACTIONS
    from kpis.advisor.models import ImprovementAction
    from plans.models import Plan, Tactic

    with bench_settings():
        call_command("migrate", verbosity=0)
        plan_id, user = prepare(2)
        client = Client()
        client.force_login(user)
        url = reverse("kpis-improve", args=[plan_id])
        for taken in (2, 30):
            keys = list(ACTIONS)[:taken]
            ImprovementAction.objects.filter(plan_id=plan_id).exclude(action__in=keys).delete()
            plan = Plan.objects.get(pk=plan_id)
            have = set(ImprovementAction.objects.filter(plan=plan).values_list("action", flat=True))
            for key in keys:
                if key not in have:
                    add_action(plan, ACTIONS[key], user=user, today=timezone.localdate())
            page, queries = get_with_queries(client, url)
            ratio = interleaved(client, [url], runs)
            print(
                f"90-day plan, {taken:>2} actions taken: {ratio.median(url):6.2f} ms median, "
                f"{ratio.of(url):4.1f}x the trivial view ({ratio.floor:.2f} ms), "
                f"{len(queries)} queries, {kb(len(page.content))}"
            )
        ImprovementAction.objects.filter(plan_id=plan_id).delete()
        Tactic.objects.filter(
            plan_id=plan_id, title__in=[a.title for a in ACTIONS.values()]
        ).delete()
        add_url = reverse("kpis-improve-add", args=[plan_id])
        floor_url = reverse("bench-trivial")
        posts, floor = [], []
        for key in list(ACTIONS)[-20:]:
            began = time.perf_counter()
            response = client.post(add_url, {"action": key})
            posts.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 302, response.status_code
            floor += timings_ms(client, floor_url, 1)
        assert ImprovementAction.objects.filter(plan_id=plan_id).count() == 20
        post, trivial = statistics.median(posts), statistics.median(floor)
        print(
            f"Add to plan (POST, 20 actions): {post:6.2f} ms median, "
            f"{post / trivial:4.1f}x the trivial view ({trivial:.2f} ms)"
        )


if __name__ == "__main__":
    main()
