"""The rules behind the worksheet, without HTTP: versions, new plans, roll forward, history."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, OperationalError, transaction

from plans import history, lifecycle, quarters
from plans.forms import PlanCreateForm
from plans.models import KPI, Objective, Plan, StageWorksheet, Tactic
from plans.versioning import conflict_rows, save_if_unchanged
from plans.worksheet.forms import KPIForm, ObjectiveForm, TacticForm
from plans.worksheet.rows import add_item, item_form
from tests.factories import (
    make_kpi,
    make_measurement,
    make_objective,
    make_plan,
    make_tactic,
    make_workspace,
)

# --- versions ---------------------------------------------------------------------------------


def test_save_if_unchanged_writes_and_bumps_the_version(plan: Plan) -> None:
    tactic = make_tactic(plan=plan, title="Reels")
    tactic.title = "Short videos"
    assert save_if_unchanged(tactic, expected_version=1, fields=["title"])
    tactic.refresh_from_db()
    assert (tactic.title, tactic.version) == ("Short videos", 2)
    assert [h.title for h in tactic.history.all()] == ["Short videos", "Reels"]


def test_a_stale_version_is_refused_and_nothing_is_overwritten(plan: Plan) -> None:
    kpi = make_kpi(plan=plan, name="Visitors", target="500")
    mine = KPI.objects.get(pk=kpi.pk)
    theirs = KPI.objects.get(pk=kpi.pk)
    theirs.target = Decimal("900")
    assert save_if_unchanged(theirs, expected_version=1, fields=["target"])
    mine.target = Decimal("700")
    assert not save_if_unchanged(mine, expected_version=1, fields=["target"])
    kpi.refresh_from_db()
    assert kpi.target == Decimal("900") and kpi.version == 2


def test_a_race_lost_after_loading_is_refused_by_the_database(plan: Plan) -> None:
    """Both loaded version 1; the other save lands between our load and our write."""
    objective = make_objective(plan=plan, title="Grow")
    mine = Objective.objects.get(pk=objective.pk)
    Objective.objects.filter(pk=objective.pk).update(title="Theirs", version=2)
    mine.title = "Mine"
    assert mine.version == 1  # what we loaded still looks current
    assert not save_if_unchanged(mine, expected_version=1, fields=["title"])
    objective.refresh_from_db()
    assert objective.title == "Theirs"


def _history_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on writing an audit record fails, as a write can when the database is busy."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    for model in (Objective, Tactic):
        monkeypatch.setattr(model.history.model, "save", refuse)


# Transactional: the rule's own transaction must be the outermost, as in a request.
@pytest.mark.django_db(transaction=True)
def test_a_change_whose_audit_record_fails_is_not_saved(monkeypatch: pytest.MonkeyPatch) -> None:
    tactic = make_tactic(plan=make_plan(), title="Reels")
    _history_fails(monkeypatch)
    tactic.title = "Short videos"
    with pytest.raises(OperationalError):
        save_if_unchanged(tactic, expected_version=1, fields=["title"])
    tactic.refresh_from_db()
    assert (tactic.title, tactic.version) == ("Reels", 1)


@pytest.mark.django_db(transaction=True)
def test_a_new_row_whose_audit_record_fails_is_not_saved(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan()
    data = {"new-objective-reach-title": "Grow", "new-objective-reach-audience": "all"}
    form = item_form(plan, "objective", "reach", data, choices={})
    assert form.is_valid(), form.errors
    _history_fails(monkeypatch)
    with pytest.raises(OperationalError):
        add_item(form, plan, "reach")
    assert not Objective.objects.exists()


def test_auto_now_fields_move_on_a_versioned_save(plan: Plan) -> None:
    before = plan.updated_at
    plan.name = "Renamed"
    assert save_if_unchanged(plan, expected_version=plan.version, fields=["name"])
    plan.refresh_from_db()
    assert plan.updated_at > before and plan.name == "Renamed"


# --- forms ------------------------------------------------------------------------------------


def test_kpi_form_rejects_text_negative_and_duplicate_names(plan: Plan) -> None:
    make_kpi(plan=plan, name="Visitors")
    data = {"name": "Visitors", "audience": "all", "unit": "count", "direction": "up"}
    form = KPIForm({**data, "baseline": "-1", "target": "abc"}, plan=plan)
    assert not form.is_valid()
    assert "already has a KPI with that name" in form.errors["name"][0]
    assert form.errors["target"] == [
        "Enter a number, such as 1500 or 12.5, without letters or units."
    ]
    assert "cannot be negative" in form.errors["baseline"][0]


@pytest.mark.parametrize("name", ["visitors", "  VISITORS ", "Visitors"])
def test_kpi_names_are_one_name_whatever_their_capitals_and_spaces(plan: Plan, name: str) -> None:
    make_kpi(plan=plan, name="Visitors")
    data = {"name": name, "audience": "all", "unit": "count", "direction": "up", "target": "1"}
    form = KPIForm(data, plan=plan)
    assert not form.is_valid() and "(“Visitors”)" in form.errors["name"][0]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database agrees
        make_kpi(plan=plan, name=name)


def test_kpi_form_allows_negative_scores(plan: Plan) -> None:
    data = {"name": "NPS", "audience": "all", "unit": "score", "direction": "up"}
    form = KPIForm({**data, "baseline": "-20", "target": "10"}, plan=plan)
    assert form.is_valid(), form.errors


def test_tactic_form_checks_budgets_dates_and_period(plan: Plan) -> None:
    data = {
        "title": "",
        "audience": "all",
        "media": "paid",
        "status": "planned",
        "budget_planned": "-5",
        "budget_spent": "ten",
        "start_date": "2026-08-10",
        "end_date": "2026-08-01",
    }
    form = TacticForm(data, plan=plan)
    assert not form.is_valid()
    assert set(form.errors) >= {"title", "budget_planned", "budget_spent", "end_date"}
    assert "before the start date" in form.errors["end_date"][0]
    form = TacticForm(
        {
            **data,
            "title": "Ads",
            "budget_planned": "5",
            "budget_spent": "0",
            "start_date": "2027-01-01",
            "end_date": "",
        },
        plan=plan,
    )
    assert not form.is_valid()
    assert "within the plan period" in form.errors["start_date"][0]


def test_objective_form_offers_only_the_kpis_it_was_given(plan: Plan) -> None:
    mine = make_kpi(plan=plan, name="Mine")
    other = make_kpi(plan=make_plan(), name="Other")
    data = {"title": "Grow", "audience": "all"}
    assert ObjectiveForm({**data, "kpi": str(mine.pk)}, plan=plan, kpis=[mine]).is_valid()
    form = ObjectiveForm({**data, "kpi": str(other.pk)}, plan=plan, kpis=[mine])
    assert not form.is_valid() and "kpi" in form.errors


def test_over_long_text_is_refused(plan: Plan) -> None:
    form = ObjectiveForm({"title": "x" * 201, "audience": "all"}, plan=plan)
    assert not form.is_valid()
    assert "at most 200 characters" in form.errors["title"][0]


# --- new plans --------------------------------------------------------------------------------


def test_quarters_and_next_periods() -> None:
    q = quarters.Quarter.from_key("2026-Q4")
    assert (q.start, q.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert q.next().key == "2027-Q1"
    assert quarters.next_period(date(2026, 7, 1), date(2026, 9, 30)) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
    )
    assert quarters.next_period(date(2026, 7, 1), date(2026, 7, 31)) == (
        date(2026, 8, 1),
        date(2026, 8, 31),
    )
    assert [x.key for x in quarters.quarter_choices(date(2026, 11, 23), ahead=2)] == [
        "2026-Q4",
        "2027-Q1",
        "2027-Q2",
    ]
    with pytest.raises(ValueError):
        quarters.Quarter.from_key("2026-Q5")


def _create(audience: str, keys: set[str]) -> Plan:
    return lifecycle.create_plan(
        workspace=make_workspace(),
        name="New",
        audience=audience,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
        currency="EUR",
        created_by=None,
        preset_keys=keys,
    )


def test_new_b2b_plan_takes_the_ticked_suggestions(db: None) -> None:
    keys = lifecycle.preset_item_keys(["b2b"])
    plan = _create("b2b", keys - {"b2b-engage-obj-churn"})
    assert plan.status == "draft"
    assert plan.kpis.count() == len([k for k in keys if "-obj-" not in k and "-tac-" not in k])
    assert not plan.objectives.filter(title__startswith="Keep annual churn").exists()
    assert set(plan.kpis.values_list("audience", flat=True)) == {"all"}
    linked = plan.objectives.exclude(kpi=None).count()
    assert linked == plan.objectives.count()  # every preset objective names its KPI
    assert StageWorksheet.objects.filter(plan=plan, primary_kpi__isnull=False).count() == 5


def test_new_plan_for_both_audiences_keeps_kpi_names_unique(db: None) -> None:
    plan = _create("both", lifecycle.preset_item_keys(["b2c", "b2b"]))
    names = list(plan.kpis.values_list("name", flat=True))
    assert len(names) == len(set(names))
    assert {"Unique visitors (B2C)", "Unique visitors (B2B)"} <= set(names)
    assert plan.kpis.get(name="Unique visitors (B2B)").audience == "b2b"


def test_blank_plan_has_worksheets_and_nothing_else(db: None) -> None:
    plan = _create("b2c", set())
    assert plan.worksheets.count() == 5 and not plan.kpis.exists() and not plan.tactics.exists()


def test_plan_create_form_needs_a_period(db: None) -> None:
    workspace = make_workspace()
    data = {
        "workspace": str(workspace.pk),
        "name": "X",
        "audience": "b2c",
        "quarter": "",
        "currency": "eur",
        "start_from": "blank",
    }
    form = PlanCreateForm(data, workspaces=[workspace], today=date(2026, 11, 23))
    assert not form.is_valid() and "Pick a quarter" in form.errors["period_start"][0]
    form = PlanCreateForm(
        {**data, "period_start": "2026-12-01", "period_end": "2026-11-01"},
        workspaces=[workspace],
        today=date(2026, 11, 23),
    )
    assert not form.is_valid() and "cannot end before it starts" in form.errors["period_end"][0]
    form = PlanCreateForm(
        {**data, "quarter": "2027-Q1"}, workspaces=[workspace], today=date(2026, 11, 23)
    )
    assert form.is_valid(), form.errors
    assert (
        form.plan_kwargs()["period_end"] == date(2027, 3, 31)
        and form.plan_kwargs()["currency"] == "EUR"
    )


# --- roll forward -----------------------------------------------------------------------------


def test_roll_forward_copies_items_and_takes_last_actuals_as_baselines(plan: Plan) -> None:
    visitors = make_kpi(plan=plan, name="Visitors", baseline="100", target="300")
    untouched = make_kpi(plan=plan, name="Orders", stage="convert", baseline="7", target="20")
    make_measurement(kpi=visitors, on=date(2026, 8, 1), value="150")
    make_measurement(kpi=visitors, on=date(2026, 9, 28), value="240")
    make_measurement(kpi=visitors, on=date(2026, 9, 1), value="999")  # not the latest date
    objective = make_objective(plan=plan, title="Grow", kpi=visitors)
    objective.target_date = date(2026, 9, 15)
    objective.save()
    make_tactic(plan=plan, title="Reels", objective=objective, budget_spent="800")
    sheet = plan.worksheets.get(stage="reach")
    sheet.strategy, sheet.primary_kpi = "Video first", visitors
    sheet.save()

    new = lifecycle.roll_forward(plan, user=None)

    assert new.rolled_from == plan and new.status == "draft"
    assert (new.period_start, new.period_end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert "Q4 2026" in new.name
    new_visitors = new.kpis.get(name="Visitors")
    assert new_visitors.baseline == Decimal("240") and new_visitors.target == Decimal("300")
    assert new.kpis.get(name="Orders").baseline == untouched.baseline
    assert not new_visitors.measurements.exists()
    new_objective = new.objectives.get()
    assert new_objective.kpi == new_visitors
    assert new_objective.target_date == date(2026, 9, 15) + (date(2026, 10, 1) - date(2026, 7, 1))
    tactic = new.tactics.get()
    assert (
        tactic.objective == new_objective
        and tactic.budget_spent == 0
        and tactic.status == "planned"
    )
    new_sheet = new.worksheets.get(stage="reach")
    assert new_sheet.strategy == "Video first" and new_sheet.primary_kpi == new_visitors
    assert plan.kpis.count() == 2 and plan.tactics.count() == 1  # the old plan is left as it was


# --- history ----------------------------------------------------------------------------------


def test_history_lists_field_changes_and_restores_deleted_items(plan: Plan) -> None:
    kpi = make_kpi(plan=plan, name="Visitors", target="200")
    kpi.target = Decimal("250")
    save_if_unchanged(kpi, expected_version=1, fields=["target"])
    objective = make_objective(plan=plan, title="Grow", kpi=kpi)
    objective_id = objective.pk
    objective.delete()

    changes = history.plan_changes(plan)
    changed = next(c for c in changes if c.kind == "kpi" and c.action == "changed")
    assert [(f.label, f.old, f.new) for f in changed.changes] == [("Target", "200", "250")]
    deleted = next(c for c in changes if c.kind == "objective" and c.action == "deleted")
    assert deleted.restorable

    restored = history.restore(plan, "objective", deleted.history_id)
    assert isinstance(restored, Objective) and restored.pk == objective_id and restored.kpi == kpi
    with pytest.raises(history.RestoreError):
        history.restore(plan, "objective", deleted.history_id)
    with pytest.raises(LookupError):
        history.restore(make_plan(), "objective", deleted.history_id)


def test_restoring_a_kpi_whose_name_is_taken_says_so(plan: Plan) -> None:
    kpi = make_kpi(plan=plan, name="Visitors")
    kpi.delete()
    make_kpi(plan=plan, name="Visitors")
    record = KPI.history.filter(history_type="-").get()
    with pytest.raises(history.RestoreError, match="another KPI named"):
        history.restore(plan, "kpi", record.history_id)


def test_a_kpi_deleted_from_the_worksheet_stays_out_of_roll_forward_and_goes_with_its_plan(
    plan: Plan,
) -> None:
    kept = make_kpi(plan=plan, name="Visitors")
    gone = make_kpi(plan=plan, name="Leads", stage="act")
    make_objective(plan=plan, stage="act", title="More leads", kpi=gone)
    make_measurement(kpi=gone, on=plan.period_start, value="40")
    history.delete_item(gone)
    assert list(plan.kpis.all()) == [kept] and KPI.with_deleted.filter(plan=plan).count() == 2

    new = lifecycle.roll_forward(plan, user=None)
    assert [k.name for k in new.kpis.all()] == ["Visitors"]
    assert KPI.with_deleted.filter(plan=new).count() == 1
    assert new.objectives.get().kpi is None

    plan.delete()
    assert not KPI.with_deleted.filter(pk=gone.pk).exists()


def test_a_conflict_shows_a_link_to_a_deleted_kpi_as_none(plan: Plan) -> None:
    visitors = make_kpi(plan=plan, name="Visitors")
    leads = make_kpi(plan=plan, name="Leads")
    objective = make_objective(plan=plan, title="Grow", kpi=visitors)
    history.delete_item(visitors)
    current = Objective.objects.select_related("kpi").get()
    data = {"title": "Grow", "audience": "all", "kpi": str(leads.pk), "version": "1"}
    form = ObjectiveForm(data, plan=plan, kpis=[leads], instance=objective)
    assert form.is_valid()
    assert conflict_rows(current, form) == [("Measured by KPI", "—")]


def test_the_database_still_refuses_duplicate_kpi_names(plan: Plan) -> None:
    make_kpi(plan=plan, name="Visitors")
    with pytest.raises(IntegrityError):
        make_kpi(plan=plan, name="Visitors")


def test_tactic_history_names_the_linked_objective(plan: Plan) -> None:
    objective = make_objective(plan=plan, title="Grow")
    tactic = make_tactic(plan=plan, title="Ads")
    tactic.objective = objective
    save_if_unchanged(tactic, expected_version=1, fields=["objective"])
    change = next(
        c for c in history.plan_changes(plan) if c.kind == "tactic" and c.action == "changed"
    )
    assert [(f.old, f.new) for f in change.changes] == [("—", "Grow")]
    assert Tactic.objects.get().version == 2


def test_objective_target_date_may_lie_beyond_the_period_but_not_before_it(plan: Plan) -> None:
    data = {"title": "Grow", "audience": "all"}
    assert ObjectiveForm({**data, "target_date": "2027-06-30"}, plan=plan).is_valid()
    form = ObjectiveForm({**data, "target_date": "2026-06-30"}, plan=plan)
    assert not form.is_valid() and "before the plan starts" in form.errors["target_date"][0]
