"""Who records a KPI and how often: on the KPI form, the worksheet, the dashboard, the API,
and from presets."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.forms import ModelChoiceField
from django.test import Client
from django.urls import reverse

from api.tokens import create_token
from plans.lifecycle import create_plan
from plans.models import KPI, Cadence, Plan, Role, Workspace
from plans.worksheet.forms import KPIForm
from tests.factories import make_kpi, make_member, make_plan, make_user


@dataclass
class Team:
    workspace: Workspace
    plan: Plan
    owner: User
    watcher: User
    viewer: User


@pytest.fixture
def team(workspace: Workspace) -> Team:
    owner = make_member(workspace=workspace, role=Role.EDITOR)
    owner.first_name, owner.last_name = "Olivia", "Owner"
    owner.save()
    plan = make_plan(workspace=workspace, name="Autumn push")
    plan.created_by = owner
    plan.save()
    other = make_member(workspace=workspace, role=Role.EDITOR)
    viewer = make_member(workspace=workspace, role=Role.VIEWER)
    return Team(workspace, plan, owner, other, viewer)


def owned_kpi(team: Team, *, name: str) -> KPI:
    kpi = make_kpi(plan=team.plan, name=name)
    kpi.owner = team.owner
    kpi.save()
    return kpi


FORM = {
    "name": "Orders",
    "audience": "all",
    "unit": "count",
    "direction": "up",
    "baseline": "0",
    "target": "10",
}


def test_the_form_offers_the_workspaces_members_and_starts_with_the_plans_creator(team):
    outsider = make_user()
    form = KPIForm(plan=team.plan)
    owner_field = form.fields["owner"]
    assert isinstance(owner_field, ModelChoiceField)
    offered = {str(user.pk) for user in owner_field.queryset or []}
    assert {str(team.owner.pk), str(team.watcher.pk), str(team.viewer.pk)} <= offered
    assert str(outsider.pk) not in offered
    assert form.initial["owner"] == team.owner.pk  # the plan's creator
    assert form.fields["cadence"].initial == Cadence.WEEKLY

    refused = KPIForm({**FORM, "owner": outsider.pk, "cadence": "weekly"}, plan=team.plan)
    assert not refused.is_valid() and "owner" in refused.errors


def test_adding_a_kpi_with_its_owner_and_cadence_shows_them_on_the_worksheet(team):
    client = Client()
    client.force_login(team.owner)
    url = reverse("plans-item-create", args=[team.plan.pk, "reach", "kpi"])
    data = {**FORM, "owner": team.watcher.pk, "cadence": "monthly", "position": "0"}
    client.post(url, {f"new-kpi-reach-{name}": value for name, value in data.items()})
    kpi = KPI.objects.get(plan=team.plan, name="Orders")
    assert (kpi.owner, kpi.cadence) == (team.watcher, Cadence.MONTHLY)
    worksheet = client.get(reverse("plans-detail", args=[team.plan.pk])).content.decode()
    assert f"<span>Owner {team.watcher.username}, monthly check-ins</span>" in worksheet


def test_the_dashboard_shows_owner_and_cadence(team):
    owned_kpi(team, name="Unique visitors")
    unowned = owned_kpi(team, name="Orders")
    unowned.owner, unowned.cadence = None, Cadence.NONE
    unowned.save()
    client = Client()
    client.force_login(team.viewer)
    html = client.get(reverse("kpis-dashboard", args=[team.plan.pk])).content.decode()
    assert '<p class="kpi-owner muted">Owner Olivia Owner, weekly check-ins</p>' in html
    assert '<p class="kpi-owner muted">Owner the plan&#x27;s creator, no check-ins</p>' in html


def test_the_api_reads_both(team):
    kpi = owned_kpi(team, name="Unique visitors")
    secret = create_token(team.viewer, label="read", expires_on=None).secret
    response = Client().get(
        f"/api/v1/plans/{team.plan.pk}/kpis/{kpi.pk}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.json()["owner_id"] == team.owner.pk
    assert response.json()["cadence"] == "weekly"


def test_presets_set_the_cadence(team):
    plan = create_plan(
        workspace=team.workspace,
        name="From the preset",
        audience="b2c",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        currency="EUR",
        created_by=team.owner,
        preset_keys=["b2c-plan-net-promoter-score", "b2c-plan-online-revenue"],
    )
    cadences = dict(plan.kpis.values_list("name", "cadence"))
    assert cadences == {"Net promoter score": "monthly", "Online revenue": "weekly"}
