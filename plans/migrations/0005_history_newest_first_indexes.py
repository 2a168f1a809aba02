"""Indexes that read a plan's history newest first, starting from the plan: (plan, date, id)
on the history of worksheets, objectives, tactics and KPIs, (id, date, id) on the plan's own.
A plan's history page then reads its newest records straight off the index, however long the
trails of other plans (or its own) are.

Plain SQL, as django-simple-history declares no indexes of our choosing on its models: the
model state does not know these, so makemigrations leaves them alone.
"""

from django.db import migrations

INDEXES = {
    "plans_historicalplan_newest": ("plans_historicalplan", "id"),
    "plans_historicalstageworksheet_newest": ("plans_historicalstageworksheet", "plan_id"),
    "plans_historicalobjective_newest": ("plans_historicalobjective", "plan_id"),
    "plans_historicaltactic_newest": ("plans_historicaltactic", "plan_id"),
    "plans_historicalkpi_newest": ("plans_historicalkpi", "plan_id"),
}


class Migration(migrations.Migration):
    dependencies = [("plans", "0004_number_and_date_limits_and_kpi_names")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {name} ON {table} ({owner}, history_date, history_id)",
            f"DROP INDEX {name}",
        )
        for name, (table, owner) in INDEXES.items()
    ]
