"""Reminders, run by `run(now)` and received by a real SMTP server on loopback."""

from datetime import date
from zoneinfo import ZoneInfo

from django.urls import reverse

from nudges.models import Kind, Notification, Preference
from nudges.runner import run
from plans.models import PlanStatus
from tests.factories import make_measurement
from tests.nudges.conftest import at, owned_kpi, parts

DUE = date(2026, 7, 7)  # the first week of the plan (1 Jul – 7 Jul) ends
DAY_AFTER = date(2026, 7, 8)


def test_one_reminder_the_day_after_listing_every_missing_kpi(team, inbox):
    visits = owned_kpi(team, name="Unique visitors")
    orders = owned_kpi(team, name="Orders")
    reported = owned_kpi(team, name="Sign-ups")
    make_measurement(kpi=reported, on=date(2026, 7, 6), value="120")

    assert run(at(DUE)).reminders == 0  # not the day after yet
    report = run(at(DAY_AFTER))

    assert report.reminders == 1
    [message] = inbox.to(team.owner.email)
    assert message["Subject"] == "2 check-ins due: Unique visitors, Orders"
    text, html = parts(message)
    assert "Unique visitors, due Tue 7 Jul" in text and "Orders, due Tue 7 Jul" in text
    assert "Sign-ups" not in text
    check_in = reverse("kpis-check-in", args=[team.plan.pk])
    link = f"https://race.example{check_in}?kpi={visits.pk}&kpi={orders.pk}"
    assert link in text
    assert f'href="{link.replace("&", "&amp;")}"' in html
    assert "<img" not in html  # readable with images off: there are none
    assert "List-Unsubscribe" in message


def test_never_twice_a_day_nor_twice_for_one_due_date(team, inbox):
    owned_kpi(team, name="Unique visitors")
    run(at(DAY_AFTER, hour=8))
    run(at(DAY_AFTER, hour=17))
    run(at(date(2026, 7, 10)))  # still missing, but this due date was reminded of
    assert len(inbox.to(team.owner.email)) == 1
    run(at(date(2026, 7, 15)))  # the next week is due and missing too
    assert len(inbox.to(team.owner.email)) == 2


def test_stops_when_the_actual_arrives_or_the_plan_is_archived(team, inbox):
    kpi = owned_kpi(team, name="Unique visitors")
    make_measurement(kpi=kpi, on=DAY_AFTER, value="150")  # checked in the morning after
    run(at(DAY_AFTER, hour=12))
    assert inbox.to(team.owner.email) == []

    team.plan.status = PlanStatus.ARCHIVED
    team.plan.save()
    run(at(date(2026, 7, 15)))
    assert inbox.to(team.owner.email) == []


def test_monthly_and_no_cadence(team, inbox):
    weekly = owned_kpi(team, name="Visits")
    monthly = owned_kpi(team, name="Net promoter score")
    monthly.cadence = "monthly"
    monthly.save()
    never = owned_kpi(team, name="Reviews")
    never.cadence = "none"
    never.save()
    make_measurement(kpi=weekly, on=date(2026, 7, 30), value="150")
    run(at(date(2026, 8, 1)))
    [message] = inbox.to(team.owner.email)
    assert message["Subject"] == "1 check-in due: Net promoter score"


def test_unowned_kpis_remind_the_plans_creator_and_nobody_else(team, inbox):
    kpi = owned_kpi(team, name="Visits")
    kpi.owner = None
    kpi.save()
    run(at(DAY_AFTER))
    assert len(inbox.to(team.owner.email)) == 1  # the creator
    assert inbox.to(team.watcher.email) == [] and inbox.to(team.viewer.email) == []


def test_reminders_off_sends_nothing(team, inbox):
    owned_kpi(team, name="Visits")
    Preference.objects.filter(user=team.owner).update(reminders=False, digest=False)
    run(at(DAY_AFTER))
    assert inbox.messages == []


def test_a_users_day_decides_in_their_time_zone(team, inbox):
    """At 20:00 UTC on 7 Jul it is already 8 Jul in Auckland, still 7 Jul in London."""
    owned_kpi(team, name="Visits")
    Preference.objects.filter(user=team.owner).update(time_zone="Europe/London", digest=False)
    run(at(DUE, hour=20))
    assert inbox.messages == []

    Preference.objects.filter(user=team.owner).update(time_zone="Pacific/Auckland")
    run(at(DUE, hour=20))
    [message] = inbox.to(team.owner.email)
    note = Notification.objects.get(user=team.owner, kind=Kind.REMINDER)
    assert note.period == "2026-07-08"  # Auckland's date names the day's claim
    assert message["Subject"].startswith("1 check-in due")


def test_the_reminders_link_opens_the_check_in_with_just_those_kpis(team, client):
    wanted = owned_kpi(team, name="Unique visitors")
    other = owned_kpi(team, name="Orders")
    client.force_login(team.owner)
    url = reverse("kpis-check-in", args=[team.plan.pk]) + f"?kpi={wanted.pk}"
    page = client.get(url).content.decode()
    assert "Unique visitors" in page and "Orders" not in page
    assert f'action="{url}"' in page  # a failed save comes back with the same KPIs

    everything = client.get(reverse("kpis-check-in", args=[team.plan.pk])).content.decode()
    assert "Orders" in everything and other.name in everything
    # Someone else's KPI id picks nothing: the whole check-in rather than an empty one.
    assert (
        "Orders"
        in client.get(
            reverse("kpis-check-in", args=[team.plan.pk]) + "?kpi=999999"
        ).content.decode()
    )


def test_times_are_judged_in_utc_even_when_the_instant_is_given_elsewhere(team, inbox):
    owned_kpi(team, name="Visits")
    Preference.objects.filter(user=team.owner).update(digest=False)
    run(at(DAY_AFTER, hour=1, zone=ZoneInfo("Europe/Berlin")))  # 23:00 UTC on 7 Jul
    assert inbox.messages == []
