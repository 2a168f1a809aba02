"""CSV import of actuals: every way a file can be wrong, all-or-nothing, re-import updates."""

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from kpis.actuals import csv_export, csv_import
from kpis.actuals.csv_import import ImportRefused, commit_actuals, preview_actuals
from kpis.models import Measurement, Source
from plans import history
from plans.models import Plan
from tests.factories import make_kpi, make_measurement, make_plan

GOOD = "kpi,date,value,note\nVisitors,2026-07-06,1200,first week\nLeads,2026-07-06,30.5,\n"


@pytest.fixture
def csv_plan(db: None) -> Plan:
    plan = make_plan()
    make_kpi(plan=plan, name="Visitors")
    make_kpi(plan=plan, name="Leads", stage="act")
    return plan


def test_good_file_imports_with_history(csv_plan: Plan, editor) -> None:
    preview = preview_actuals(csv_plan, GOOD.encode())
    assert preview.ok and preview.count("new") == 2
    result = commit_actuals(csv_plan, preview, user=editor)
    assert (result.created, result.updated) == (2, 0)
    visitors = Measurement.objects.get(kpi__name="Visitors")
    assert visitors.value == Decimal(1200) and visitors.note == "first week"
    assert visitors.source == Source.CSV and visitors.recorded_by == editor
    assert visitors.history.count() == 1
    assert visitors.history.first().history_user == editor


def test_a_kpi_deleted_from_the_worksheet_takes_no_values(csv_plan: Plan) -> None:
    history.delete_item(csv_plan.kpis.get(name="Leads"))
    preview = preview_actuals(csv_plan, GOOD.encode())
    assert not preview.ok
    assert preview.rows[1].errors == ["No KPI called “Leads” in this plan."]


def test_reimport_updates_never_duplicates(csv_plan: Plan) -> None:
    commit_actuals(csv_plan, preview_actuals(csv_plan, GOOD.encode()), user=None)
    again = preview_actuals(csv_plan, GOOD.encode())
    assert again.count("same") == 2
    changed = GOOD.replace("1200", "1300")
    preview = preview_actuals(csv_plan, changed.encode())
    assert [row.action for row in preview.rows] == ["update", "same"]
    assert preview.rows[0].replaces == Decimal(1200)
    result = commit_actuals(csv_plan, preview, user=None)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Measurement.objects.count() == 2
    visitors = Measurement.objects.get(kpi__name="Visitors")
    assert visitors.value == Decimal(1300)
    assert [h.value for h in visitors.history.order_by("history_date")] == [1200, 1300]


def test_a_value_deleted_after_the_preview_undoes_the_whole_import(csv_plan: Plan) -> None:
    """The new rows are written first; the update then fails, and they go too: all or none."""
    visitors = Measurement.objects.create(
        kpi=csv_plan.kpis.get(name="Visitors"), date=date(2026, 7, 6), value=Decimal(1)
    )
    preview = preview_actuals(csv_plan, GOOD.encode())
    assert [row.action for row in preview.rows] == ["update", "new"]
    visitors.delete()  # someone else, between the preview and the confirmation
    with pytest.raises(ImportRefused, match="nothing was imported"):
        commit_actuals(csv_plan, preview, user=None)
    assert not Measurement.objects.exists()


def test_a_value_added_after_the_preview_refuses_the_import(csv_plan: Plan) -> None:
    preview = preview_actuals(csv_plan, GOOD.encode())
    assert [row.action for row in preview.rows] == ["new", "new"]
    Measurement.objects.create(
        kpi=csv_plan.kpis.get(name="Leads"), date=date(2026, 7, 6), value=Decimal(7)
    )
    with pytest.raises(ImportRefused, match="changed while the file was being imported"):
        commit_actuals(csv_plan, preview, user=None)
    assert list(Measurement.objects.values_list("value", flat=True)) == [Decimal(7)]


def test_bom_and_crlf_and_case_insensitive_names(csv_plan: Plan) -> None:
    data = "\ufeffKPI,Date,Value,Note\r\nvisitors,2026-07-06,1,\r\n\r\n".encode()
    preview = preview_actuals(csv_plan, data)
    assert preview.ok and preview.rows[0].kpi is not None
    # Three columns are enough: the note is optional.
    assert preview_actuals(csv_plan, b"kpi,date,value\nLeads,2026-07-06,2\n").ok


@pytest.mark.parametrize(
    "line,error",
    [
        ("Nope,2026-07-06,1,", "No KPI called “Nope”"),
        (",2026-07-06,1,", "KPI name is missing"),
        ("Visitors,06/07/2026,1,", "not a date"),
        ("Visitors,2026-02-30,1,", "not a date"),
        ("Visitors,,1,", "date is missing"),
        ("Visitors,2026-07-06,abc,", "“abc” is not a number."),
        ('Visitors,2026-07-06,"1,5",', "Use a point for decimals"),
        ("Visitors,2026-07-06,,", "value is missing"),
        ("Visitors,2026-07-06,NaN,", "not a number"),
        ("Visitors,2026-07-06,1.23456,", "more than 4 decimal places"),
        ("Visitors,2026-07-06,1e20,", "too large"),
        ("Visitors,2026-07-06,1,a,b", "5 columns instead of 4"),
        ("Visitors,2026-07-06,1," + "x" * 301, "longer than 300"),
        # The numeric policy: 11 digits before the point, 4 after, both databases exact.
        ("Visitors,2026-07-06,100000000000,", "too large: 99,999,999,999.9999 at most"),
        ("Visitors,2026-07-06,99999999999.99995,", "more than 4 decimal places"),
        ("Visitors,2026-07-06,-5,", "Visitors cannot be negative"),
        ("Visitors,1999-12-31,1,", "Use a date from 1 Jan 2000 to 31 Dec 2100"),
        ("Visitors,2101-01-01,1,", "Use a date from 1 Jan 2000 to 31 Dec 2100"),
        ("Visitors,2026-07-06,1,a\x00b", "NUL character"),
        ('Visitors,2026-07-06,1,"unclosed', "A double quote on line 3 is not closed"),
        ("Visitors", "1 column instead of 4"),
    ],
)
def test_row_errors(csv_plan: Plan, line: str, error: str) -> None:
    preview = preview_actuals(
        csv_plan, f"kpi,date,value,note\nLeads,2026-07-06,1,\n{line}\n".encode()
    )
    assert not preview.ok
    (bad,) = preview.errors
    assert bad.line == 3
    assert any(error in message for message in bad.errors), bad.errors


def test_an_unbalanced_quote_never_swallows_a_row_silently(csv_plan: Plan) -> None:
    data = 'kpi,date,value,note\nVisitors,2026-07-06,1,"oops\nLeads,2026-07-13,2,\nLeads,2026-07-20,3,\n'
    preview = preview_actuals(csv_plan, data)
    (bad,) = preview.errors
    assert bad.line == 2 and "so lines 2 to 4 were read as one row" in bad.errors[0]
    assert not preview.ok and [row.line for row in preview.rows] == [2]


def test_names_match_whatever_their_capitals_and_the_preview_shows_the_kpi(
    plan: Plan, editor_client
) -> None:
    csv_plan = plan
    make_kpi(plan=plan, name="Visitors")
    make_kpi(plan=plan, name="Leads", stage="act")
    data = "kpi,date,value,note\n  VISITORS ,2026-07-06,1,\nleads,2026-07-06,2,\n"
    preview = preview_actuals(csv_plan, data)
    assert preview.ok and [row.kpi.name for row in preview.rows if row.kpi] == ["Visitors", "Leads"]
    upload = SimpleUploadedFile("a.csv", data.encode(), content_type="text/csv")
    url = reverse("kpis-import", args=[csv_plan.pk])
    html = editor_client.post(url, {"file": upload}).content.decode()
    assert 'Visitors <span class="muted">(file: “VISITORS”)</span>' in html


def test_duplicate_rows_in_file(csv_plan: Plan) -> None:
    data = GOOD + "Visitors,2026-07-06,1300,again\n"
    (bad,) = preview_actuals(csv_plan, data.encode()).errors
    assert bad.line == 4 and bad.errors == ["Same KPI and date as line 2."]


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "The file is empty"),
        (b"  \n\n", "The file is empty"),
        (b"kpi,date,value,note\n", "header but no rows"),
        (b"name,when,amount\nVisitors,2026-07-06,1\n", "must be the header"),
        (b"kpi;date;value;note\nVisitors;2026-07-06;1,5;\n", "separated by semicolons"),
        ("kpi,date,value,note\nBesucher,2026-07-06,1,Grüße\n".encode("latin-1"), "not UTF-8"),
        (b"kpi,date,value,note\n" + b"x" * csv_import.MAX_BYTES, "larger than 2 MB"),
    ],
)
def test_file_level_refusals(csv_plan: Plan, data: bytes, message: str) -> None:
    with pytest.raises(ImportRefused, match=message):
        preview_actuals(csv_plan, data)


def test_row_limit(csv_plan: Plan) -> None:
    lines = [f"Visitors,2026-07-06,{n}," for n in range(csv_import.MAX_ROWS + 1)]
    data = "kpi,date,value,note\n" + "\n".join(lines)
    with pytest.raises(ImportRefused, match="more than 10,000 rows"):
        preview_actuals(csv_plan, data.encode())


def test_ten_thousand_rows_are_fine(csv_plan: Plan, django_assert_max_num_queries) -> None:
    lines = [
        f"Visitors,{date.fromordinal(date(2000, 1, 1).toordinal() + n)},{n}," for n in range(10_000)
    ]
    data = "kpi,date,value,note\n" + "\n".join(lines)
    with django_assert_max_num_queries(2):
        preview = preview_actuals(csv_plan, data.encode())
    assert preview.ok and len(preview.rows) == 10_000


def test_commit_refuses_a_preview_with_errors(csv_plan: Plan) -> None:
    preview = preview_actuals(csv_plan, (GOOD + "Nope,2026-07-06,1,\n").encode())
    with pytest.raises(ValueError):
        commit_actuals(csv_plan, preview, user=None)
    assert not Measurement.objects.exists()


def test_export_is_safe_and_imports_again(csv_plan: Plan) -> None:
    kpi = make_kpi(plan=csv_plan, name="=HYPERLINK(1)", unit="score")
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="12.5000", note="@SUM(A1)")
    make_measurement(kpi=kpi, on=date(2026, 7, 13), value="-3", note="plain, with comma")
    text = csv_export.export_csv(csv_plan)
    lines = text.splitlines()
    assert lines[0] == "kpi,date,value,note"
    assert lines[1] == "'=HYPERLINK(1),2026-07-06,12.5,'@SUM(A1)"
    assert lines[2] == '\'=HYPERLINK(1),2026-07-13,-3,"plain, with comma"'
    preview = preview_actuals(csv_plan, text)
    assert preview.ok and preview.count("same") == 2


def test_a_note_that_starts_with_the_guards_quote_comes_back_unchanged(csv_plan: Plan) -> None:
    kpi = csv_plan.kpis.get(name="Visitors")
    notes = ["'=already quoted", "''+twice", "'plain quote", "=formula"]
    for n, note in enumerate(notes):
        make_measurement(kpi=kpi, on=date(2026, 7, 6 + n), value="1", note=note)
    text = csv_export.export_csv(csv_plan)
    assert "''=already quoted" in text and "'plain quote" in text and "''plain" not in text
    assert [row.note for row in preview_actuals(csv_plan, text).rows] == notes


def test_command_imports_and_reports_errors(csv_plan: Plan, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("import_actuals", csv_plan.pk, str(good), "--dry-run", stdout=out)
    assert "2 new" in out.getvalue() and not Measurement.objects.exists()
    call_command("import_actuals", csv_plan.pk, str(good), stdout=out)
    assert Measurement.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD.replace("1200", "lots"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command("import_actuals", csv_plan.pk, str(bad), stderr=err)
    assert "line 2: “lots” is not a number." in err.getvalue()
    with pytest.raises(CommandError, match="No plan"):
        call_command("import_actuals", 999_999, str(good))
    with pytest.raises(CommandError, match="semicolons"):
        semi = tmp_path / "semi.csv"
        semi.write_text("kpi;date;value;note\n", encoding="utf-8")
        call_command("import_actuals", csv_plan.pk, str(semi))


def test_command_refuses_an_archived_plan_but_still_checks_the_file(
    csv_plan: Plan, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    Plan.objects.filter(pk=csv_plan.pk).update(status="archived")
    with pytest.raises(CommandError, match="archived and read-only"):
        call_command("import_actuals", csv_plan.pk, str(good))
    out = StringIO()
    call_command("import_actuals", csv_plan.pk, str(good), "--dry-run", stdout=out)
    assert "2 new" in out.getvalue() and not Measurement.objects.exists()


def test_preview_lists_the_first_rows_and_every_error(csv_plan: Plan) -> None:
    lines = [
        f"Visitors,{date.fromordinal(date(2026, 1, 1).toordinal() + n)},{n}," for n in range(300)
    ]
    lines[5] = "Visitors,2026-13-01,1,"
    lines[250] = "Nope,2026-07-06,1,"
    preview = preview_actuals(csv_plan, ("kpi,date,value,note\n" + "\n".join(lines)).encode())
    shown = preview.shown(100)
    assert len(shown) == 101
    assert shown[-1].line == 252 and shown[-1].errors
