"""The demo workspace's two audits: last quarter's and this one's, a believable story."""

from datetime import date

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from demo.seeding import seed_demo
from kpis.advisor.areas import Area
from kpis.advisor.audit import area_scores, latest_audits
from kpis.advisor.audits.questions import QUESTIONS
from kpis.advisor.models import AuditAnswer, CapabilityAudit
from plans.models import Workspace
from tests.markup import page_figures


def test_demo_has_this_and_last_quarters_audit(db: None) -> None:
    seed_demo(today=date(2026, 11, 23))
    latest, previous = latest_audits(Workspace.objects.get(slug="demo"))
    assert (latest.quarter_start, previous.quarter_start) == (date(2026, 10, 1), date(2026, 7, 1))
    assert latest.answers.count() == previous.answers.count() == len(QUESTIONS)
    assert latest.answers.exclude(note="").count() >= 3
    now, before = area_scores(latest), area_scores(previous)
    weakest = sorted(now, key=now.__getitem__)[:2]
    assert set(weakest) == {Area.ENGAGE, Area.MEASUREMENT}
    assert max(now, key=now.__getitem__) is Area.REACH
    assert now[Area.REACH] > before[Area.REACH] and now[Area.ACT] > before[Area.ACT]


def test_demo_audits_are_seeded_once(db: None) -> None:
    seed_demo(today=date(2026, 11, 23))
    AuditAnswer.objects.filter(question="reach.search").update(score=1)  # a user's own answer
    seed_demo(today=date(2026, 11, 23))
    assert CapabilityAudit.objects.count() == 2
    assert set(
        AuditAnswer.objects.filter(question="reach.search").values_list("score", flat=True)
    ) == {1}


def test_the_demo_manager_sees_the_radar_with_its_overlay(client: Client, db: None) -> None:
    seed_demo()
    client.force_login(User.objects.get(username="manager"))
    listing = client.get(reverse("kpis-audits")).content.decode()
    latest = latest_audits(Workspace.objects.get(slug="demo"), 1)[0]
    assert reverse("kpis-audit", args=[latest.pk]) in listing
    html = client.get(reverse("kpis-audit", args=[latest.pk])).content.decode()
    assert len(page_figures(html)["radar"]["data"]) == 2
    assert "Your weakest areas: Engage and Measurement." in html
