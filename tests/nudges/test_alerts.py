"""Status alerts, judged by kpis.dashboards.progress at the `now` each run is given."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from kpis.actuals.recording import Actual, record_actuals
from kpis.dashboards.progress import Status
from kpis.models import Source
from nudges.facts import gather
from nudges.models import Kind, Notification, Preference
from nudges.runner import run
from tests.factories import make_measurement
from tests.nudges.conftest import at, owned_kpi, parts


def _visits(team):
    Preference.objects.filter(user=team.owner).update(reminders=False, digest=False)  # alerts only
    # 100 -> 200 over 1 Jul – 30 Sep: on 20 Jul the pace expects about 121.
    kpi = owned_kpi(team, name="Unique visitors", baseline="100", target="200")
    make_measurement(kpi=kpi, on=date(2026, 7, 1), value="100")
    return kpi


def test_time_passing_brings_a_kpi_off_track_and_opted_in_editors_hear_once(team, inbox):
    """An actual entered ahead for 20 Jul counts from that day: nothing is written that day,
    the clock alone moves the KPI off track."""
    kpi = _visits(team)
    make_measurement(kpi=kpi, on=date(2026, 7, 20), value="101")

    assert run(at(date(2026, 7, 19))).alerts == 0
    report = run(at(date(2026, 7, 20)))

    assert report.alerts == 1
    [message] = inbox.to(team.watcher.email)
    assert message["Subject"] == f"Off track: Unique visitors ({team.plan.name})"
    text, html = parts(message)
    assert "Unique visitors in Autumn push, owner Olivia Owner" in text
    dashboard = reverse("kpis-dashboard", args=[team.plan.pk])
    assert f"https://race.example{dashboard}" in text and f"https://race.example{dashboard}" in html
    # Viewers do not get alerts even when they ask; editors who did not opt in neither.
    assert inbox.to(team.viewer.email) == [] and inbox.to(team.owner.email) == []

    run(at(date(2026, 7, 21)))
    run(at(date(2026, 7, 28)))
    assert len(inbox.to(team.watcher.email)) == 1


def test_the_status_is_the_dashboards(team):
    kpi = _visits(team)
    make_measurement(kpi=kpi, on=date(2026, 7, 20), value="101")
    facts = gather(at(date(2026, 7, 20)))
    [item] = facts.plans[team.plan.pk].kpis
    assert item.status == Status.OFF_TRACK and item.week_ago == Status.ON_TRACK


def test_alerts_again_only_after_recovering(team, inbox):
    kpi = _visits(team)
    make_measurement(kpi=kpi, on=date(2026, 7, 20), value="101")  # off track
    run(at(date(2026, 7, 20)))
    make_measurement(kpi=kpi, on=date(2026, 7, 22), value="112")  # at risk: not yet recovered?
    run(at(date(2026, 7, 22)))
    make_measurement(kpi=kpi, on=date(2026, 7, 23), value="101")  # off track again
    run(at(date(2026, 7, 23)))
    # At risk counts as recovered: the second crossing alerts again.
    assert len(inbox.to(team.watcher.email)) == 2

    make_measurement(kpi=kpi, on=date(2026, 7, 24), value="100")  # still off track
    run(at(date(2026, 7, 24)))
    assert len(inbox.to(team.watcher.email)) == 2


def test_every_way_in_counts_an_import_too(team):
    kpi = _visits(team)
    low = Actual(kpi=kpi, on=date(2026, 7, 20), value=Decimal(101))
    record_actuals([low], source=Source.CSV, user=team.owner)
    run(at(date(2026, 7, 20)))
    assert Notification.objects.filter(user=team.watcher, kind=Kind.ALERT).count() == 1
