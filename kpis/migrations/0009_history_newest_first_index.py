"""Indexes on the history of actuals for a plan's history page: (kpi, date, id) reads a KPI's
records newest first from where a page starts, as plans/0005 does for the planning side, so
neither other plans' trails nor the older part of the plan's own are read; (id, date, id) finds
the record an actual had before a change without reading the rest of its corrections.

Plain SQL, as django-simple-history declares no indexes of our choosing on its models: the
model state does not know them, so makemigrations leaves them alone. IF (NOT) EXISTS both
ways: SQLite drops such indexes when a later migration rebuilds the table.
"""

from django.db import migrations

TABLE = "kpis_historicalmeasurement"
INDEXES = {
    "kpis_historicalmeasurement_newest": "kpi_id",
    "kpis_historicalmeasurement_previous": "id",
}


class Migration(migrations.Migration):
    dependencies = [("kpis", "0008_capability_audit_and_actions")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({owner}, history_date, history_id)",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, owner in INDEXES.items()
    ]
