"""Two real `manage.py send_nudges` processes at the same moment on the same database, sending
to a real SMTP server on loopback: every notification is made once and emailed once.

PostgreSQL: the unique (user, kind, period) insert and the conditional UPDATEs decide between
the two (a second insert waits for the first to commit, then fails). SQLite: one writer at a
time (the busy timeout makes the other wait), so the same claims hold, one after the other."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from kpis.models import Measurement
from nudges.models import Kind, Notification
from plans.models import Workspace
from tests.factories import make_kpi
from tests.nudges.conftest import make_team
from tests.review_helpers import database_url

ROOT = Path(__file__).resolve().parents[2]
PLANS = 12


@pytest.mark.django_db(transaction=True)
def test_two_runners_at_once_send_everything_exactly_once(smtp):
    inbox, port = smtp
    today = timezone.localdate()
    for number in range(PLANS):
        workspace = Workspace.objects.create(name=f"Team {number}", slug=f"team-{number}")
        team = make_team(workspace, name=f"Plan {number}")
        team.plan.period_start, team.plan.period_end = (
            today - timedelta(days=30),
            today + timedelta(days=60),
        )
        team.plan.save()
        for index in range(3):
            kpi = make_kpi(plan=team.plan, name=f"KPI {index}", baseline="100", target="200")
            kpi.owner = team.owner
            kpi.save()
        # The first KPI far behind its pace: its editors who opted in get an alert.
        Measurement.objects.create(kpi=kpi, date=today, value=100)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "SITE_URL": "https://race.example",
        "PYTHONUNBUFFERED": "1",
    }
    runners = [
        subprocess.Popen(
            [sys.executable, "manage.py", "send_nudges"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    outputs = [runner.communicate(timeout=180)[0].decode() for runner in runners]
    assert [runner.returncode for runner in runners] == [0, 0], outputs

    made = Counter(Notification.objects.values_list("kind", flat=True))
    # Each plan: its owner's reminder (two KPIs in one email: every owner is a different
    # person) and its watcher's alert (the KPI with its actual 100 today is off track);
    # the viewer asked for alerts too but does not edit.
    assert made == {Kind.REMINDER: PLANS, Kind.ALERT: PLANS}
    recipients = Counter(address for m in inbox.messages for address in m["To"].split(","))
    assert len(inbox.messages) == 2 * PLANS
    assert set(recipients.values()) == {1}, recipients  # nobody got anything twice
    assert not Notification.objects.filter(emailed_at=None).exists()
    print("runner reports:", outputs)
