"""An index on actuals (kpi, date, value): a dashboard reads a plan's actuals off it alone,
never the table's rows."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kpis', '0010_plan_rollup'),
        ('plans', '0007_plan_content_revision'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='measurement',
            index=models.Index(fields=['kpi', 'date', 'value'], name='measurement_kpi_date_value'),
        ),
    ]
