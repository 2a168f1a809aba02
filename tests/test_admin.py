"""The Django admin lists, filters and searches every model."""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from demo.seeding import seed_demo
from kpis.dashboards.status_query import judge_rollups
from kpis.models import PlanRollup, ReviewExport
from plans.models import Plan

TODAY = date(2026, 11, 23)
PROJECT_APPS = {"plans", "kpis"}


def project_models() -> list[type[Model]]:
    return [m for m in admin.site._registry if m._meta.app_label in PROJECT_APPS]


def test_every_project_model_is_in_the_admin() -> None:
    from django.apps import apps

    models = {
        m
        for app in PROJECT_APPS
        for m in apps.get_app_config(app).get_models()
        if not m.__name__.startswith("Historical")
    }
    assert models == set(project_models())


@pytest.mark.parametrize("model", project_models(), ids=lambda m: m.__name__)
def test_admin_changelist_with_search_and_filters(db: None, model: type[Model]) -> None:
    seed_demo()
    if model is ReviewExport:  # made by the export jobs, not by the demo data
        ReviewExport.objects.create(
            plan=Plan.objects.get(name__startswith="GreenStyle"),
            fingerprint="f" * 64,
            options={},
            as_of=date(2026, 11, 23),
            filename="review-greenstyle-2026-11-23.pdf",
        )
    if model is PlanRollup:  # kept by the portfolio when it judges plans
        judge_rollups(list(Plan.objects.values_list("pk", "content_revision", "updated_at")), TODAY)
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw-12345-x"))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    model_admin = admin.site._registry[model]
    assert len(model_admin.list_display) >= 3 and model_admin.search_fields
    response = client.get(url, {"q": "Green"})
    assert response.status_code == 200
    full = client.get(url)
    assert full.status_code == 200 and 'id="changelist-filter"' in full.content.decode()
    first = model._default_manager.first()
    assert first is not None
    assert (
        client.get(
            reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[first.pk]
            )
        ).status_code
        == 200
    )


def _form_data(client: Client, url: str, **changes: str) -> dict[str, object]:
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    return {name: "" if value is None else value for name, value in data.items()} | changes


def test_admin_shows_kpis_deleted_from_the_worksheet_and_keeps_links_to_them(db: None) -> None:
    from kpis.models import Measurement
    from plans import history
    from plans.models import KPI, Objective

    seed_demo()
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw-12345-x"))
    objective = Objective.objects.filter(kpi__isnull=False).select_related("kpi").first()
    assert objective is not None and objective.kpi is not None
    history.delete_item(objective.kpi)
    listing = client.get(reverse("admin:plans_kpi_changelist"), {"q": objective.kpi.name})
    assert objective.kpi.name in listing.content.decode()
    objective_url = reverse("admin:plans_objective_change", args=[objective.pk])
    response = client.post(objective_url, _form_data(client, objective_url, title="Renamed"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    objective.refresh_from_db()
    assert objective.title == "Renamed" and objective.kpi_id is not None
    actual = Measurement.objects.filter(kpi_id=objective.kpi_id).first()
    assert actual is not None
    actual_url = reverse("admin:kpis_measurement_change", args=[actual.pk])
    response = client.post(actual_url, _form_data(client, actual_url, note="Checked"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    actual.refresh_from_db()
    assert actual.note == "Checked"
    assert KPI.with_deleted.get(pk=objective.kpi_id).deleted_at is not None
