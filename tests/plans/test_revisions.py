"""A plan's content revision (plans/revisions.py): each write to what its worksheet shows moves
it on, and only its own plan's."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.actuals.recording import Actual, record_actuals
from kpis.models import Measurement, Source
from plans import history
from plans.models import Objective, Plan
from plans.worksheet.rows import KINDS
from tests.factories import make_kpi, make_member, make_objective, make_plan, make_tactic


def _revision(plan: Plan) -> int:
    plan.refresh_from_db(fields=["content_revision"])
    return plan.content_revision


def test_each_write_moves_its_own_plan_on_and_no_other(plan: Plan) -> None:
    other = make_plan(workspace=plan.workspace)
    kpi = make_kpi(plan=plan)  # 1
    make_objective(plan=plan, kpi=kpi)  # 2
    Measurement.objects.create(kpi=kpi, date=date(2026, 7, 6), value=1)  # 3
    assert (_revision(other), _revision(plan)) == (0, 3)
    Objective.objects.filter(plan=plan).delete()  # 4
    history.delete_item(kpi)  # 5: an UPDATE, no signal
    assert (_revision(other), _revision(plan)) == (0, 5)


def test_writes_without_signals_say_so_themselves(plan: Plan) -> None:
    kpi, tactic = make_kpi(plan=plan), make_tactic(plan=plan)
    make_tactic(plan=plan)
    before = _revision(plan)
    KINDS["tactic"].move(tactic, up=False, plan=plan)  # bulk_update
    assert _revision(plan) == before + 1
    actuals = [Actual(kpi, date(2026, 7, day), Decimal(5)) for day in (6, 7)]
    record_actuals(actuals, source=Source.CSV, user=None)  # bulk_create: one bump for all
    assert _revision(plan) == before + 2
    record_actuals(actuals, source=Source.CSV, user=None)  # nothing new: nothing to show
    assert _revision(plan) == before + 2


def test_a_plans_own_deletion_bumps_nothing_on_the_way(plan: Plan) -> None:
    kpi = make_kpi(plan=plan)
    make_objective(plan=plan, kpi=kpi)
    Measurement.objects.create(kpi=kpi, date=date(2026, 7, 6), value=1)
    with CaptureQueriesContext(connection) as queries:
        plan.delete()  # its rows' receivers see the plan going: no UPDATE of it per row
    assert not [q for q in queries if "content_revision" in q["sql"]]
    assert not Plan.objects.filter(pk=plan.pk).exists()


def test_a_login_leaves_revisions_alone(plan: Plan) -> None:
    owner = make_member(workspace=plan.workspace, role="editor", username="kim")
    kpi = make_kpi(plan=plan)
    kpi.owner = owner
    kpi.save()
    before = _revision(plan)
    owner.last_login = None
    owner.save(update_fields=["last_login"])
    assert _revision(plan) == before
    User.objects.get(pk=owner.pk).save()  # the admin's change form: the name may have changed
    assert _revision(plan) == before + 1
