"""One run reads in a fixed number of queries: more KPIs and actuals add none; what grows is
one insert per notification made and two updates per email sent."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from nudges.runner import run
from tests.factories import make_kpi, make_measurement
from tests.nudges.conftest import at, make_team


def _queries_of_a_run(workspace, kpis_per_plan: int) -> int:
    for number in range(3):
        team = make_team(workspace, name=f"Plan {number}")
        for index in range(kpis_per_plan):
            kpi = make_kpi(plan=team.plan, name=f"KPI {index}")
            make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    with CaptureQueriesContext(connection) as queries:
        run(at(date(2026, 7, 8)))  # nothing due, nothing off track: reading only
    return len(queries)


def test_kpis_add_no_queries(workspace, django_db_setup):
    assert _queries_of_a_run(workspace, 2) == _queries_of_a_run(workspace, 12)
