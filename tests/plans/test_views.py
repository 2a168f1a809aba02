"""Pages about a whole plan over HTTP: new plan, settings, archive, delete, roll forward, history."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import F
from django.test import Client
from django.urls import reverse

from plans import lifecycle
from plans.models import Objective, Plan, Tactic, Workspace
from tests.factories import (
    fill_worksheet,
    make_kpi,
    make_measurement,
    make_member,
    make_objective,
    make_tactic,
)

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


# --- new plan, settings, delete, roll forward, history ----------------------------------------


def test_new_plan_page_offers_the_presets(
    editor_client: Client, django_assert_max_num_queries
) -> None:
    html = editor_client.get(reverse("plans-create")).content.decode()
    assert "New plan" in html and "Unique visitors" in html and 'name="preset_items"' in html
    assert "example 8,000 → 10,400 · Distinct people visiting the site" in html
    with django_assert_max_num_queries(6):
        html = editor_client.post(
            reverse("plans-create"), {"audience": "b2b", "refresh": "1"}, **HX
        ).content.decode()
    assert (
        html.lstrip().startswith('<div id="preset-picker"')
        and "b2b-reach" in html
        and "b2c-reach" not in html
    )


def test_create_a_b2b_plan_from_the_preset(editor_client: Client, workspace: Workspace) -> None:
    keys = lifecycle.preset_item_keys(["b2b"])
    data = {
        "workspace": str(workspace.pk),
        "name": "FinTrack Q1",
        "audience": "b2b",
        "quarter": "2027-Q1",
        "currency": "usd",
        "start_from": "preset",
        "preset_items": sorted(keys - {"b2b-reach-tac-seo"}),
    }
    response = editor_client.post(reverse("plans-create"), data)
    plan = Plan.objects.get(name="FinTrack Q1")
    assert response.status_code == 302 and response["Location"] == reverse(
        "plans-detail", args=[plan.pk]
    )
    assert (
        plan.currency == "USD"
        and plan.status == "draft"
        and plan.created_by is not None
        and plan.created_by.username == "eddie-editor"
    )
    assert plan.kpis.exists() and plan.tactics.count() == len([k for k in keys if "-tac-" in k]) - 1
    # The preset objective "Generate 120 MQLs per quarter" and its KPI say the same thing.
    mqls = plan.kpis.get(preset_key="b2b-act-mqls")
    assert (mqls.baseline, mqls.target) == (Decimal(60), Decimal(120))
    assert not plan.kpis.filter(target=F("baseline")).exists()
    page = editor_client.get(response["Location"]).content.decode()
    assert "Suggested KPIs start with example baselines and targets" in page


def test_create_with_errors_keeps_the_input(editor_client: Client, workspace: Workspace) -> None:
    data = {
        "workspace": str(workspace.pk),
        "name": "",
        "audience": "b2c",
        "quarter": "",
        "period_start": "2027-02-01",
        "period_end": "2027-01-01",
        "currency": "eu1",
        "start_from": "blank",
    }
    html = editor_client.post(reverse("plans-create"), data).content.decode()
    assert (
        "This field is required." in html
        and "cannot end before it starts" in html
        and "three-letter currency code" in html
    )
    assert 'value="2027-02-01"' in html and not Plan.objects.exists()


def test_viewer_cannot_create_plans(viewer_client: Client) -> None:
    assert viewer_client.get(reverse("plans-create")).status_code == 403
    assert viewer_client.post(reverse("plans-create"), {"name": "x"}).status_code == 403
    assert "New plan" not in viewer_client.get(reverse("plans-list")).content.decode()


def test_settings_rename_and_archive(editor_client: Client, plan: Plan) -> None:
    url = reverse("plans-settings", args=[plan.pk])
    assert "Only workspace admins can delete plans" in editor_client.get(url).content.decode()
    data = {
        "name": "Renamed",
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
        "status": "active",
        "currency": "EUR",
        "summary": "",
        "version": str(plan.version),
    }
    assert editor_client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.name == "Renamed"
    response = editor_client.post(url, {"archive": "1", "version": str(plan.version)}, follow=True)
    plan.refresh_from_db()
    assert plan.status == "archived" and "is archived" in response.content.decode()


def test_a_shorter_period_may_not_strand_tactic_and_objective_dates(
    editor_client: Client, plan: Plan
) -> None:
    from datetime import date

    tactic = make_tactic(plan=plan, title="Summer sale ads")
    Tactic.objects.filter(pk=tactic.pk).update(
        start_date=date(2026, 7, 6), end_date=date(2026, 8, 30)
    )
    objective = make_objective(plan=plan, title="Grow the list")
    Objective.objects.filter(pk=objective.pk).update(target_date=date(2026, 7, 31))
    url = reverse("plans-settings", args=[plan.pk])
    data = {
        "name": plan.name,
        "period_start": "2026-08-01",
        "period_end": "2026-09-30",
        "status": "active",
        "currency": "EUR",
        "summary": "",
        "version": str(plan.version),
    }
    html = editor_client.post(url, data).content.decode()
    assert "Tactic dates fall outside this period: “Summer sale ads”." in html
    assert "Objective target dates fall outside this period: “Grow the list”." in html
    assert 'value="2026-08-01"' in html  # the user's input stays
    plan.refresh_from_db()
    assert plan.period_start == date(2026, 7, 1)
    # A period that still covers them is fine.
    data["period_start"], data["period_end"] = "2026-07-01", "2026-10-31"
    assert editor_client.post(url, data).status_code == 302


def test_settings_validation_and_conflict(editor_client: Client, plan: Plan) -> None:
    url = reverse("plans-settings", args=[plan.pk])
    data = {
        "name": "Mine",
        "period_start": "2026-07-01",
        "period_end": "2026-06-01",
        "status": "active",
        "currency": "EUR",
        "summary": "",
        "version": "1",
    }
    assert "cannot end before it starts" in editor_client.post(url, data).content.decode()
    Plan.objects.filter(pk=plan.pk).update(name="Theirs", version=2)
    html = editor_client.post(url, {**data, "period_end": "2026-09-30"}).content.decode()
    assert "someone else saved this" in html and "Theirs" in html and 'value="Mine"' in html
    plan.refresh_from_db()
    assert plan.name == "Theirs"


def test_only_admins_delete_plans(
    editor_client: Client, admin_client_member: Client, plan: Plan
) -> None:
    kpi = make_kpi(plan=plan)
    make_measurement(kpi=kpi, on=plan.period_start, value="3")
    url = reverse("plans-delete", args=[plan.pk])
    assert editor_client.get(url).status_code == 403 and editor_client.post(url).status_code == 403
    html = admin_client_member.get(url).content.decode()
    assert "1 KPI" in html and "1 recorded actual" in html and "cannot be undone" in html
    assert "deleted KPI" not in html
    gone = make_kpi(plan=plan, name="Leads")
    for week in range(2):
        make_measurement(kpi=gone, on=plan.period_start + timedelta(days=7 * week), value="5")
    editor_client.post(reverse("plans-item-delete", args=[plan.pk, "kpi", gone.pk]), **HX)
    html = admin_client_member.get(url).content.decode()
    assert "1 KPI," in html and "1 deleted KPI that could still be restored" in html
    assert "3 recorded actuals" in html
    assert admin_client_member.post(url).status_code == 302
    assert not Plan.objects.filter(pk=plan.pk).exists()


def test_roll_forward_page_and_post(editor_client: Client, plan: Plan) -> None:
    make_kpi(plan=plan, name="Visitors")
    url = reverse("plans-roll-forward", args=[plan.pk])
    assert "1 Oct 2026 – 31 Dec 2026" in editor_client.get(url).content.decode()
    response = editor_client.post(url)
    new = Plan.objects.get(rolled_from=plan)
    assert response["Location"] == reverse("plans-detail", args=[new.pk])
    assert "Previous period’s plan" in editor_client.get(response["Location"]).content.decode()


def test_history_page_and_restore(editor_client: Client, viewer_client: Client, plan: Plan) -> None:
    tactic = make_tactic(plan=plan, title="Reels")
    editor_client.post(reverse("plans-item-delete", args=[plan.pk, "tactic", tactic.pk]))
    html = viewer_client.get(reverse("plans-history", args=[plan.pk])).content.decode()
    assert "Tactic “Reels” (Reach)" in html and "deleted" in html and "Restore" not in html
    html = editor_client.get(reverse("plans-history", args=[plan.pk])).content.decode()
    assert "Restore this tactic" in html and "eddie-editor" in html
    record = Tactic.history.get(history_type="-")
    url = reverse("plans-history-restore", args=[plan.pk, "tactic", record.history_id])
    assert viewer_client.post(url).status_code == 403
    response = editor_client.post(url, follow=True)
    assert "Restored “Reels” in Reach." in response.content.decode()
    assert Tactic.objects.filter(title="Reels").exists()
    assert (
        editor_client.post(url, follow=True).content.decode().count("It has been restored already")
        == 1
    )
    assert (
        editor_client.post(reverse("plans-history-restore", args=[plan.pk, "plan", 1])).status_code
        == 404
    )


def test_history_lists_corrections_and_deletions_of_actuals(
    editor_client: Client, plan: Plan
) -> None:
    kpi = make_kpi(plan=plan, name="Visitors")
    corrected = make_measurement(kpi=kpi, on=plan.period_start, value="120")
    make_measurement(kpi=kpi, on=plan.period_start + timedelta(days=7), value="150")
    untouched = make_measurement(kpi=kpi, on=plan.period_start + timedelta(days=14), value="170")
    corrected.value = Decimal("130")
    corrected.save()
    untouched.delete()
    url = reverse("plans-history", args=[plan.pk])
    html = editor_client.get(url).content.decode()
    day = f"{plan.period_start:%-d %b %Y}"
    assert f"Actual of “Visitors” for {day}" in html
    assert '<td class="old">120</td><td class="new">130</td>' in html
    assert (
        html.count("Actual of “Visitors”") == 2
    )  # the correction and the deletion, not the new values
    # Deleting the KPI leaves its actuals as they are, hidden with it: no entries of theirs.
    editor_client.post(reverse("plans-item-delete", args=[plan.pk, "kpi", kpi.pk]))
    html = editor_client.get(url).content.decode()
    assert html.count("Actual of “Visitors”") == 2 and "KPI “Visitors” (Reach)" in html


def test_history_shows_a_changed_kpi_link_by_name(editor_client: Client, plan: Plan) -> None:
    visitors = make_kpi(plan=plan, name="Visitors")
    leads = make_kpi(plan=plan, name="Leads")
    objective = make_objective(plan=plan, title="Grow", kpi=visitors)
    objective.kpi = leads
    objective.save()
    html = editor_client.get(reverse("plans-history", args=[plan.pk])).content.decode()
    assert '<td class="old">Visitors</td><td class="new">Leads</td>' in html


@pytest.mark.parametrize("per_stage", [2, 10])
def test_history_page_query_count_is_flat(
    editor_client: Client, plan: Plan, per_stage: int, django_assert_max_num_queries
) -> None:
    fill_worksheet(plan, per_stage=per_stage)
    for tactic in Tactic.objects.all()[:20]:
        tactic.title += "!"
        tactic.save()
    # Session, user, plan, the plan's KPIs, the page's records of all kinds, per kind on the
    # page (at most four here: plan, objectives, tactics, KPIs) its records with the ones before,
    # the names of linked rows, the header's unread count; no query for authors' names: they
    # come with the records.
    with django_assert_max_num_queries(11):
        editor_client.get(reverse("plans-history", args=[plan.pk]))


def test_a_second_workspace_editor_is_an_outsider(plan: Plan) -> None:
    from plans.models import Role
    from tests.factories import make_workspace

    user: User = make_member(workspace=make_workspace(), role=Role.EDITOR)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("plans-history", args=[plan.pk])).status_code == 404
