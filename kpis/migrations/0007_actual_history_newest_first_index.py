"""An index that reads a KPI's actuals history newest first: (kpi, history_date, history_id).
A plan's history page reads the actuals of its KPIs off this index, however long the trails of
other plans are. Plain SQL: django-simple-history declares no indexes of our choosing.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("kpis", "0006_kpi_status_function")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX kpis_historicalmeasurement_newest"
            " ON kpis_historicalmeasurement (kpi_id, history_date, history_id)",
            "DROP INDEX kpis_historicalmeasurement_newest",
        )
    ]
