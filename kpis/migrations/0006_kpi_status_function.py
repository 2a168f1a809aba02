"""race_kpi_status(...): a KPI's status as of a day, computed by PostgreSQL for the portfolio's
status filter (kpis/dashboards/status_query.py). The same rules as progress.progress(), with
exact numeric arithmetic: every division is multiplied out. The thresholds come in as arguments
so they stay in progress.py. SQLite gets the Python rules per connection instead.

PL/pgSQL rather than SQL: PostgreSQL cannot inline a SQL function whose arguments are subqueries
used more than once, and called row by row such a function cost ~50 µs a KPI, PL/pgSQL ~4 µs.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION race_kpi_status(
    baseline numeric, target numeric, direction text, period_start date, period_end date,
    latest_date date, latest_value numeric, today date,
    at_risk_gap numeric, off_track_gap numeric, stale_after_days bigint
) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    gap numeric;  -- (latest - expected) x days, mirrored for direction "down"
    days integer := 1;
    scale numeric := CASE WHEN target <> baseline THEN abs(target - baseline) ELSE abs(target) END;
BEGIN
    IF latest_date IS NULL OR latest_date > today THEN
        RETURN 'no_data';
    END IF;
    IF LEAST(today, period_end) - latest_date > stale_after_days THEN
        RETURN 'stale';
    END IF;
    -- expected moves linearly from baseline at period_start to target at period_end
    IF latest_date >= period_end OR period_start = period_end THEN
        gap := latest_value - target;
    ELSIF latest_date <= period_start THEN
        gap := latest_value - baseline;
    ELSE
        days := period_end - period_start;
        gap := (latest_value - baseline) * days - (target - baseline) * (latest_date - period_start);
    END IF;
    IF direction <> 'up' THEN
        gap := -gap;
    END IF;
    IF gap >= 0 THEN
        RETURN 'on_track';
    ELSIF scale = 0 THEN
        RETURN 'off_track';
    ELSIF -gap <= at_risk_gap * scale * days THEN
        RETURN 'on_track';
    ELSIF -gap <= off_track_gap * scale * days THEN
        RETURN 'at_risk';
    END IF;
    RETURN 'off_track';
END
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS race_kpi_status(
    numeric, numeric, text, date, date, date, numeric, date, numeric, numeric, bigint
);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("kpis", "0005_review_export")]

    operations = [migrations.RunPython(create, drop)]
