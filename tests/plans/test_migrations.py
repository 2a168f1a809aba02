"""Data stored before the limits: the migrations repair it visibly, on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("plans", "0002_kpi_soft_delete"), ("kpis", "0002_measurement_version")]
AFTER = [
    ("plans", "0004_number_and_date_limits_and_kpi_names"),
    ("kpis", "0004_number_and_date_limits"),
]


@pytest.fixture
def back_to_the_latest_schema():
    """The tests after this one, in this process, need every migration applied again."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.usefixtures("back_to_the_latest_schema")
@pytest.mark.django_db(transaction=True)
def test_clashing_names_are_renamed_and_oversized_numbers_capped() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    workspace = apps.get_model("plans", "Workspace").objects.create(name="W", slug="w")
    plan = apps.get_model("plans", "Plan").objects.create(
        workspace=workspace, name="P", period_start="2026-07-01", period_end="2026-09-30"
    )
    KPI = apps.get_model("plans", "KPI")
    first = KPI.objects.create(plan=plan, stage="reach", name="Sessions", target=1)
    second = KPI.objects.create(plan=plan, stage="reach", name="sessions ", target=1)
    third = KPI.objects.create(plan=plan, stage="act", name=" SESSIONS", target=1)
    measurement = apps.get_model("kpis", "Measurement").objects.create(
        kpi=first, date="2026-07-06", value=1
    )
    with connection.cursor() as cursor:  # what the old forms let through
        cursor.execute("UPDATE plans_kpi SET target = 999999999999.9999 WHERE id = %s", [first.pk])
        cursor.execute(
            "UPDATE kpis_measurement SET value = -123456789012.3456 WHERE id = %s", [measurement.pk]
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    KPI = apps.get_model("plans", "KPI")
    names = dict(KPI.objects.values_list("pk", "name"))
    assert names == {first.pk: "Sessions", second.pk: "sessions (2)", third.pk: "SESSIONS (3)"}
    record = apps.get_model("plans", "HistoricalKPI").objects.get(id=second.pk)
    assert record.name == "sessions (2)" and "same name" in record.history_change_reason
    assert KPI.objects.get(pk=first.pk).target == Decimal("99999999999.9999")
    value = apps.get_model("kpis", "Measurement").objects.get().value
    assert value == Decimal("-99999999999.9999")
