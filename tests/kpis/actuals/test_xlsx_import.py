"""The actuals sheet of an .xlsx workbook through the import: the CSV's rules, the cells' types,
files that are not what their name says, and the round trip from the export."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from kpis.actuals import csv_import, xlsx_export, xlsx_import
from kpis.actuals.csv_import import ImportRefused
from kpis.actuals.xlsx_import import preview_upload
from kpis.models import Measurement, Source
from plans.models import Plan
from tests.factories import make_kpi, make_measurement

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

HEADER = ["kpi", "date", "value", "note"]
IMPORT_ROWS = re.compile(r"Import (\d+) rows?")


def _xlsx(
    rows: Sequence[Sequence[Any]],
    *,
    title: str = "Actuals",
    formats: dict[str, str] | None = None,
    before: str = "",
    texts: Sequence[str] = (),
) -> bytes:
    """A workbook whose sheet `title` holds `rows` (a sheet `before` it, when named); the
    cells at `texts` are text even when they start with "=" (openpyxl makes those formulas)."""
    workbook = Workbook()
    sheet = workbook.active
    if before:
        sheet.title = before
        sheet.append(["not", "these"])
        sheet = workbook.create_sheet(title)
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    for coordinate in texts:
        sheet[coordinate].data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _with_results(data: bytes, results: dict[str, str]) -> bytes:
    """The workbook as a spreadsheet program saves it: each formula with its result."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            content = source.read(part)
            for formula, result in results.items():
                content = content.replace(
                    f"<f>{formula}</f><v></v>".encode(), f"<f>{formula}</f><v>{result}</v>".encode()
                )
            target.writestr(part, content)
    return out.getvalue()


@pytest.fixture
def kpis(plan: Plan) -> Plan:
    make_kpi(plan=plan, name="Visitors")
    make_kpi(plan=plan, name="Conversion rate", unit="percent", stage="convert")
    return plan


def _preview(plan: Plan, rows: Sequence[Sequence[Any]], **options: Any) -> csv_import.Preview:
    return preview_upload(plan, "actuals.xlsx", _xlsx([HEADER, *rows], **options))[0]


def _errors(plan: Plan, rows: Sequence[Sequence[Any]], **options: Any) -> list[list[str]]:
    return [row.errors for row in _preview(plan, rows, **options).rows]


def test_typed_cells_are_read_as_their_text_would_be(kpis: Plan) -> None:
    preview = _preview(
        kpis,
        [
            ["Visitors", datetime(2026, 7, 6), 1200, "real date, whole number"],
            ["Visitors", "2026-07-13", "1250.5", "text date, text number"],
            ["Visitors", date(2026, 7, 20), 0.1 + 0.2, 42],  # a formula's float; a number as note
            ["Conversion rate", datetime(2026, 7, 6), 0.125, "typed as 12.5 %"],
            ["Conversion rate", "2026-07-13", 12.5, "typed as 12.5"],
        ],
        formats={"C5": "0.0%"},
    )
    assert preview.ok, [row.errors for row in preview.errors]
    read = [(row.kpi_name, row.on, row.value, row.note) for row in preview.rows]
    assert read == [
        ("Visitors", date(2026, 7, 6), Decimal(1200), "real date, whole number"),
        ("Visitors", date(2026, 7, 13), Decimal("1250.5"), "text date, text number"),
        ("Visitors", date(2026, 7, 20), Decimal("0.3"), "42"),
        ("Conversion rate", date(2026, 7, 6), Decimal("12.5"), "typed as 12.5 %"),
        ("Conversion rate", date(2026, 7, 13), Decimal("12.5"), "typed as 12.5"),
    ]
    assert [row.line for row in preview.rows] == [2, 3, 4, 5, 6]


def test_a_percent_sign_in_quotes_is_only_text(kpis: Plan) -> None:
    (row,) = _preview(kpis, [["Visitors", "2026-07-06", 12.5, ""]], formats={"C2": '0.0" %"'}).rows
    assert row.value == Decimal("12.5")


def test_the_same_rows_get_the_same_messages_as_in_a_csv_file(kpis: Plan) -> None:
    rows = [
        ["Vistors", "2026-07-06", "1", ""],
        ["Visitors", "06/07/2026", "1", ""],
        ["Visitors", "2026-07-06", "1,5", ""],
        ["Visitors", "2026-07-07", "-3", ""],
        ["Visitors", "2026-07-08", "", ""],
        ["Visitors", "2026-07-09", "1", "n" * 301],
        ["Visitors", "2026-07-10", "1", ""],
        ["Visitors", "2026-07-10", "2", ""],
        ["", "2026-07-11", "1.23456", ""],
    ]
    text = StringIO()
    csv.writer(text).writerows([HEADER, *rows])
    from_csv = [row.errors for row in csv_import.preview_actuals(kpis, text.getvalue()).rows]
    assert _errors(kpis, rows) == from_csv
    assert all(from_csv[:6]) and not from_csv[6] and all(from_csv[7:])


@pytest.mark.parametrize(
    "date_cell,value_cell,message",
    [
        (
            datetime(2026, 7, 6, 9, 30),
            1,
            "“2026-07-06 09:30:00” has a time of day; give the date only.",
        ),
        (time(9, 30), 1, "“09:30:00” is a time, not a date like 2026-07-31."),
        (
            46200,
            1,
            "“46200” is a number, not a date: format the cell as a date or write 2026-07-31.",
        ),
        ("2026-07-06", datetime(2026, 7, 6), "“2026-07-06” is a date or time, not a number"),
        ("2026-07-06", True, "“TRUE” is not a number."),
        ("2026-07-06", "#DIV/0!", "“#DIV/0!” is not a number."),
    ],
)
def test_cells_of_the_wrong_kind_are_told_apart(
    kpis: Plan, date_cell: Any, value_cell: Any, message: str
) -> None:
    (errors,) = _errors(kpis, [["Visitors", date_cell, value_cell, ""]])
    assert len(errors) == 1 and errors[0].startswith(message)


def test_formulas_count_with_their_saved_result(kpis: Plan) -> None:
    data = _xlsx([HEADER, ["Visitors", "2026-07-06", "=1000+234", "=1+1"]])
    preview = preview_upload(
        kpis, "actuals.xlsx", _with_results(data, {"1000+234": "1234", "1+1": "2"})
    )[0]
    assert preview.ok and preview.rows[0].value == Decimal(1234) and preview.rows[0].note == "2"


def test_a_row_of_formulas_without_results_is_not_taken_for_a_blank_row(kpis: Plan) -> None:
    (row,) = _preview(kpis, [["=A1", "=B1", "=C1", "=D1"]]).rows
    assert row.line == 2 and not row.errors[0].startswith("The KPI name is missing")
    assert "Cell A2 is a formula saved without its result" in row.errors[0]
    assert "Cell B2" in " ".join(row.errors) and "Cell C2" in " ".join(row.errors)


def test_a_formula_saved_without_its_result_is_an_error_on_its_row(kpis: Plan) -> None:
    preview = _preview(
        kpis, [["Visitors", "2026-07-06", "=1000+234", ""], ["Visitors", "2026-07-13", 5, ""]]
    )
    assert not preview.ok
    assert preview.rows[0].errors == [
        "Cell C2 is a formula saved without its result: open the file in your spreadsheet "
        "program and save it again, or paste the values only."
    ]
    assert preview.rows[1].errors == []


def test_a_line_break_or_a_fifth_column_is_an_error_on_its_row(kpis: Plan) -> None:
    errors = _errors(
        kpis,
        [
            ["Visitors", "2026-07-06", 1, "two\nlines"],
            ["Visitors", "2026-07-07", 1, "", "", "stray"],
            ["Visitors", "2026-07-08", 1, "", "   "],  # blank cells beyond are fine
        ],
    )
    assert errors == [
        ["The note holds a line break; keep it on one line."],
        ["Cell F3 is beyond the four columns kpi, date, value, note."],
        [],
    ]


def test_text_cells_are_taken_as_they_are(kpis: Plan) -> None:
    (row,) = _preview(kpis, [["Visitors", "2026-07-06", 1, "'=kept as typed"]]).rows
    assert row.note == "'=kept as typed"


def test_the_actuals_sheet_is_read_wherever_it_is(kpis: Plan) -> None:
    rows: list[list[Any]] = [HEADER, ["Visitors", "2026-07-06", 1, ""]]
    assert preview_upload(kpis, "a.xlsx", _xlsx(rows, title="ACTUALS ", before="Notes"))[0].ok
    assert preview_upload(kpis, "a.xlsx", _xlsx(rows, title="Sheet1"))[0].ok


def _not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


def _zip_bomb() -> bytes:
    """A valid workbook with a part that unpacks to 30 MB of spaces (a few kB packed)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_xlsx([HEADER]))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            target.writestr(part, source.read(part))
        target.writestr("xl/padding.xml", b" " * (30 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    "data,message",
    [
        (b"kpi,date,value,note\nVisitors,2026-07-06,1,\n", xlsx_import.NOT_XLSX),
        (b"PK\x03\x04 cut short", xlsx_import.NOT_XLSX),
        (_not_a_workbook(), xlsx_import.NOT_XLSX),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, xlsx_import.OLD_OR_LOCKED),
        (_zip_bomb(), xlsx_import.UNPACKS_TOO_LARGE),
        (_xlsx([]), csv_import.EMPTY),
        (_xlsx([HEADER]), csv_import.NO_ROWS),
        (
            _xlsx([[None], [None], HEADER, ["Visitors", "2026-07-06", 1]]),
            "must be in the sheet's first row",
        ),
        (
            _xlsx([["name", "day", "amount"]]),
            "The first line must be the header kpi,date,value,note",
        ),
    ],
)
def test_files_that_cannot_be_read_say_why(
    kpis: Plan, data: bytes, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ImportRefused, match=re.escape(message)):
        preview_upload(kpis, "actuals.xlsx", data)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    kpis: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unpacked(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl must not open it")

    monkeypatch.setattr(xlsx_import, "load_workbook", unpacked)
    with pytest.raises(ImportRefused, match="unpacks to more than 20 MB"):
        preview_upload(kpis, "actuals.xlsx", _zip_bomb())


def test_more_rows_than_the_limit_are_refused(kpis: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_import, "MAX_ROWS", 3)
    rows = [["Visitors", f"2026-07-0{n}", n, ""] for n in range(1, 5)]
    with pytest.raises(ImportRefused, match="more than 10,000 rows"):
        _preview(kpis, rows)
    assert _preview(kpis, rows[:3]).ok


def test_a_workbook_is_known_by_its_name_or_its_first_bytes() -> None:
    assert xlsx_import.is_spreadsheet("Actuals.XLSX", b"")
    assert xlsx_import.is_spreadsheet("actuals.csv", b"PK\x03\x04...")
    assert not xlsx_import.is_spreadsheet("actuals.csv", b"kpi,date,value,note\n")


# Through the page, with real files.


def _upload(
    client: Client, plan: Plan, data: bytes, name: str = "actuals.xlsx"
) -> _MonkeyPatchedWSGIResponse:
    upload = SimpleUploadedFile(name, data, content_type=xlsx_export.CONTENT_TYPE)
    return client.post(reverse("kpis-import", args=[plan.pk]), {"file": upload})


def _confirm(
    client: Client, plan: Plan, preview: _MonkeyPatchedWSGIResponse
) -> _MonkeyPatchedWSGIResponse:
    text = preview.context["confirm"].initial["text"]
    return client.post(reverse("kpis-import", args=[plan.pk]), {"text": text})


def test_upload_preview_then_import(editor_client: Client, kpis: Plan, editor) -> None:
    data = _xlsx(
        [
            HEADER,
            ["Visitors", datetime(2026, 7, 6), 1200, "=from the sheet"],
            ["Conversion rate", "2026-07-06", 0.021, ""],
        ],
        formats={"C3": "0.0%"},
        texts=["D2"],
    )
    preview = _upload(editor_client, kpis, data)
    html = preview.content.decode()
    assert "Checked actuals.xlsx." in html and "Import 2 rows" in html
    assert not Measurement.objects.exists()  # nothing saved by the preview
    response = _confirm(editor_client, kpis, preview)
    assert response.status_code == 302
    saved = {m.kpi.name: m for m in Measurement.objects.select_related("kpi")}
    assert saved["Visitors"].value == Decimal(1200) and saved["Visitors"].note == "=from the sheet"
    assert saved["Conversion rate"].value == Decimal("2.1")
    assert saved["Visitors"].source == Source.CSV and saved["Visitors"].recorded_by == editor
    assert (
        "Imported 2 new and 0 updated value(s)."
        in editor_client.get(response["Location"]).content.decode()
    )


def test_a_sheet_with_errors_saves_nothing_and_says_where(
    editor_client: Client, kpis: Plan
) -> None:
    data = _xlsx(
        [
            HEADER,
            ["Visitors", "2026-07-06", 1, ""],
            [],
            ["Visitors", datetime(2026, 7, 7, 8), 2, ""],
        ]
    )
    html = _upload(editor_client, kpis, data).content.decode()
    assert "1 of 2 rows cannot be imported." in html and "Nothing was saved." in html
    assert "has a time of day" in html and '<td class="num">4</td>' in html  # the sheet's row
    assert "Import 2 rows" not in html
    assert not Measurement.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_by_name(
    editor_client: Client, kpis: Plan
) -> None:
    response = _upload(editor_client, kpis, b"not a workbook at all", name="q3.xlsx")
    html = response.content.decode()
    assert response.status_code == 200 and "q3.xlsx: The file is not an Excel workbook" in html
    assert not Measurement.objects.exists()


def test_a_workbook_over_the_size_limit_is_refused(editor_client: Client, kpis: Plan) -> None:
    data = b"PK\x03\x04" + b"\0" * csv_import.MAX_BYTES
    html = _upload(editor_client, kpis, data).content.decode()
    assert "The file is larger than 2 MB." in html


def test_viewer_cannot_import_a_workbook(viewer_client: Client, kpis: Plan) -> None:
    data = _xlsx([HEADER, ["Visitors", "2026-07-06", 1, ""]])
    assert _upload(viewer_client, kpis, data).status_code == 403
    assert not Measurement.objects.exists()


def test_the_command_imports_a_workbook(kpis: Plan, tmp_path: Path) -> None:
    path = tmp_path / "actuals.xlsx"
    path.write_bytes(_xlsx([HEADER, ["Visitors", datetime(2026, 7, 6), 7, ""]]))
    out = StringIO()
    call_command("import_actuals", str(kpis.pk), str(path), stdout=out)
    assert "1 new" in out.getvalue()
    assert Measurement.objects.get().value == Decimal(7)


TRICKY = [
    # (name, unit, value, note)
    ("Visitors", "count", "12840", "launch week"),
    ("Visitors", "count", "0.0001", "=cmd()"),
    ("Visitors", "count", "99999999999.9999", "+1 vs plan"),
    ("Conversion rate", "percent", "12.3456", "-2 points"),
    ("Conversion rate", "percent", "100", "@everyone"),
    ("Revenue", "currency", "0.5", "'=quoted already"),
    ("Revenue", "currency", "52494.98", "Grüße, “quoted”; commas, too"),
    ("NPS", "score", "-42.5", ""),
    ("Orders per visit", "ratio", "1.2345", "-"),
    ("Time on site", "duration", "3600", ""),
]


def test_round_trip_records_identical_values(editor_client: Client, plan: Plan) -> None:
    """Export the plan as .xlsx, clear its actuals, import the workbook: the same values."""
    kpis = {}
    for n, (name, unit, value, note) in enumerate(TRICKY):
        if name not in kpis:
            kpis[name] = make_kpi(plan=plan, name=name, unit=unit)
        make_measurement(kpi=kpis[name], on=date(2026, 7, 6 + n), value=value, note=note)

    def recorded() -> set[tuple[str, date, Decimal, str]]:
        return {
            (m.kpi.name, m.date, m.value, m.note) for m in Measurement.objects.select_related("kpi")
        }

    before = recorded()
    exported = editor_client.get(reverse("kpis-export-xlsx", args=[plan.pk])).content
    same = _upload(editor_client, plan, exported, name="spring-push.xlsx")
    assert same.context["preview"].count("same") == len(TRICKY)  # nothing would change
    Measurement.objects.all().delete()
    preview = _upload(editor_client, plan, exported, name="spring-push.xlsx")
    button = IMPORT_ROWS.search(preview.content.decode())
    assert button and button[1] == str(len(TRICKY))
    assert _confirm(editor_client, plan, preview).status_code == 302
    assert recorded() == before
