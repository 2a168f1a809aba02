"""The export job without HTTP: the fingerprint, joining, retries, lost jobs, storage and
retention. Jobs wait in the database queue; `run_queued_jobs()` runs them as the worker does."""

import os
import threading
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from kpis.actuals.recording import Actual, record_actuals
from kpis.models import ExportState, Measurement, ReviewExport, Source
from kpis.review import jobs
from kpis.review.export import ReviewOptions
from plans import history
from plans.models import KPI, Plan
from plans.versioning import save_if_unchanged
from plans.worksheet.rows import KINDS
from tests.factories import (
    make_kpi,
    make_measurement,
    make_objective,
    make_plan,
    make_tactic,
    make_workspace,
)
from tests.review_helpers import pdf_text, run_queued_jobs

TODAY = date(2026, 8, 3)
OPTIONS = ReviewOptions(stages=("reach",))


@pytest.fixture
def full_plan(db: None) -> Plan:
    plan = make_plan(workspace=make_workspace(name="Acme"), name="Autumn push")
    kpi = make_kpi(plan=plan, name="Visitors", stage="reach")
    make_kpi(plan=plan, name="Leads", stage="act")
    make_measurement(kpi=kpi, on=date(2026, 7, 6), value="120")
    make_measurement(kpi=kpi, on=date(2026, 7, 13), value="130")
    objective = make_objective(plan=plan, kpi=kpi, title="More visitors")
    make_tactic(plan=plan, title="Reels", objective=objective)
    make_tactic(plan=plan, title="Podcast")
    return Plan.objects.select_related("workspace").get(pk=plan.pk)


def key(plan: Plan, options: ReviewOptions = OPTIONS, as_of: date = TODAY) -> str:
    fresh = Plan.objects.select_related("workspace").get(pk=plan.pk)
    return jobs.fingerprint(fresh, options, as_of)


def _edit_plan(plan: Plan) -> None:
    plan.summary = "A new summary"
    assert save_if_unchanged(plan, expected_version=plan.version, fields=["summary"])


def _rename_workspace(plan: Plan) -> None:
    plan.workspace.name = "Acme Europe"
    plan.workspace.save()


def _edit_worksheet(plan: Plan) -> None:
    sheet = plan.worksheets.get(stage="reach")
    sheet.strategy = "Short videos"
    assert save_if_unchanged(sheet, expected_version=sheet.version, fields=["strategy"])


def _add_objective(plan: Plan) -> None:
    make_objective(plan=plan, title="Fewer bounces")


def _edit_tactic(plan: Plan) -> None:
    tactic = plan.tactics.get(title="Podcast")
    tactic.budget_spent = Decimal("250")
    assert save_if_unchanged(tactic, expected_version=tactic.version, fields=["budget_spent"])


def _move_tactic(plan: Plan) -> None:
    """Only positions change (no version, no audit record), yet the order is in the PDF."""
    KINDS["tactic"].move(plan.tactics.get(title="Podcast"), up=True, plan=plan)


def _delete_tactic(plan: Plan) -> None:
    history.delete_item(plan.tactics.get(title="Reels"))


def _delete_kpi(plan: Plan) -> None:
    history.delete_item(plan.kpis.get(name="Leads"))


def _edit_kpi(plan: Plan) -> None:
    kpi = plan.kpis.get(name="Leads")
    kpi.target = Decimal("999")
    assert save_if_unchanged(kpi, expected_version=kpi.version, fields=["target"])


def _record_actual(plan: Plan) -> None:
    kpi = plan.kpis.get(name="Visitors")
    record_actuals([Actual(kpi, date(2026, 7, 20), Decimal(150))], source=Source.MANUAL, user=None)


def _correct_actual(plan: Plan) -> None:
    kpi = plan.kpis.get(name="Visitors")
    record_actuals([Actual(kpi, date(2026, 7, 13), Decimal(131))], source=Source.CSV, user=None)


def _delete_actual(plan: Plan) -> None:
    Measurement.objects.filter(kpi__plan=plan, date=date(2026, 7, 6)).get().delete()


def _replace_actual(plan: Plan) -> None:
    """Deleted and another added: as many values as before."""
    _delete_actual(plan)
    _record_actual(plan)


CHANGES: list[Callable[[Plan], None]] = [
    _edit_plan,
    _rename_workspace,
    _edit_worksheet,
    _add_objective,
    _edit_tactic,
    _move_tactic,
    _delete_tactic,
    _delete_kpi,
    _edit_kpi,
    _record_actual,
    _correct_actual,
    _delete_actual,
    _replace_actual,
]


def test_the_fingerprint_stays_while_nothing_changes(full_plan: Plan) -> None:
    assert key(full_plan) == key(full_plan)
    full_plan.kpis.get(name="Visitors")  # reading changes nothing
    assert len(key(full_plan)) == 64


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__.strip("_"))
def test_any_change_to_what_the_pdf_shows_changes_the_fingerprint(
    full_plan: Plan, change: Callable[[Plan], None]
) -> None:
    before = key(full_plan)
    change(full_plan)
    assert key(full_plan) != before


def test_a_deleted_kpi_restored_is_not_the_kpi_before_its_delete(full_plan: Plan) -> None:
    steps = [key(full_plan)]
    _delete_kpi(full_plan)
    steps.append(key(full_plan))
    record = history.history_of(KPI).filter(name="Leads", history_type="-").latest("history_id")
    history.restore(full_plan, "kpi", record.history_id)
    steps.append(key(full_plan))
    assert len(set(steps)) == 3


def test_options_the_day_and_the_code_are_in_the_fingerprint(
    full_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = key(full_plan)
    assert key(full_plan, ReviewOptions(stages=("act",))) != before
    assert key(full_plan, ReviewOptions(stages=("reach",), paper="Letter")) != before
    assert key(full_plan, ReviewOptions(stages=("reach",), end=date(2026, 7, 31))) != before
    assert key(full_plan, as_of=TODAY + timedelta(days=1)) != before  # "as of" in the PDF
    monkeypatch.setattr(jobs, "document_version", lambda: "0.2.0+another-build")
    assert key(full_plan) != before


def test_another_plan_with_the_same_content_has_its_own_fingerprint(db: None) -> None:
    workspace = make_workspace(name="Same")
    one, two = (make_plan(workspace=workspace, name="Twin") for _ in range(2))
    assert key(one) != key(two)


def test_the_document_version_names_the_app_version_and_a_digest() -> None:
    version, digest = jobs.document_version().split("+")
    assert version == "0.1.0" and len(digest) == 16


def test_options_go_to_json_and_back_and_into_a_query() -> None:
    options = ReviewOptions(
        start=date(2026, 7, 1), end=date(2026, 7, 31), stages=("act", "reach"), audience="b2b"
    )
    assert jobs.options_from_json(jobs.options_to_json(options)) == options
    assert jobs.options_from_json(jobs.options_to_json(ReviewOptions())) == ReviewOptions()
    query = jobs.options_query(options)
    assert query == "start=2026-07-01&end=2026-07-31&stages=act&stages=reach&audience=b2b&paper=A4"
    assert jobs.options_query(ReviewOptions()) == "paper=A4"  # every stage: the form's default


def test_a_start_queues_one_job_and_the_worker_stores_the_pdf(full_plan: Plan) -> None:
    export = jobs.start_export(full_plan, OPTIONS)
    assert export.state == ExportState.QUEUED and export.task_id
    assert DBTaskResult.objects.get().id.hex == export.task_id.replace("-", "")
    assert run_queued_jobs() == 1
    export.refresh_from_db()
    assert export.state == ExportState.READY and export.pages >= 5
    assert export.file == f"{export.fingerprint}.pdf"
    pdf = jobs.pdf_file(export)
    assert pdf is not None
    with pdf:
        content = pdf.read()
    assert len(content) == export.size and "Autumn push" in pdf_text(content)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    # Unchanged: the same export at once, nothing queued or drawn.
    assert jobs.start_export(full_plan, OPTIONS) == export
    assert DBTaskResult.objects.count() == 1
    # Changed: a new export.
    _record_actual(full_plan)
    assert jobs.start_export(full_plan, OPTIONS) != export


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_make_one_export_and_one_job() -> None:
    plan = make_plan(name="Race")
    plan = Plan.objects.select_related("workspace").get(pk=plan.pk)
    start = threading.Barrier(4)
    found: list[int] = []

    def click() -> None:
        try:
            start.wait()
            found.append(jobs.start_export(plan, OPTIONS).pk)
        finally:
            connection.close()

    clicks = [threading.Thread(target=click) for _ in range(4)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()
    assert len(found) == 4 and len(set(found)) == 1
    assert ReviewExport.objects.count() == 1 and DBTaskResult.objects.count() == 1


def test_a_failed_export_starts_again_only_when_asked(
    full_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    export = jobs.start_export(full_plan, OPTIONS)
    run_queued_jobs()
    export.refresh_from_db()
    assert export.state == ExportState.FAILED and "need Chromium" in export.error
    assert jobs.start_export(full_plan, OPTIONS).state == ExportState.FAILED
    assert run_queued_jobs() == 0
    monkeypatch.delenv("BROWSER_PATH")
    again = jobs.start_export(full_plan, OPTIONS, retry=True)
    assert again.pk == export.pk and again.state == ExportState.QUEUED and again.error == ""
    assert jobs.start_export(full_plan, OPTIONS, retry=True).state == ExportState.QUEUED
    assert run_queued_jobs() == 1  # the second retry joined the first
    again.refresh_from_db()
    assert again.state == ExportState.READY


def test_an_unexpected_error_fails_the_export_in_our_words_and_the_task_keeps_it(
    full_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(jobs.review, "export_review", broken)
    export = jobs.start_export(full_plan, OPTIONS)
    run_queued_jobs()
    export.refresh_from_db()
    assert export.state == ExportState.FAILED and export.error == jobs.UNEXPECTED
    task = DBTaskResult.objects.get()
    assert task.status == "FAILED" and "ZeroDivisionError: a bug" in task.traceback


def test_a_queue_that_does_not_answer_fails_the_export_with_a_message(
    full_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*args: object) -> None:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(DatabaseBackend, "enqueue", unreachable)
    export = jobs.start_export(full_plan, OPTIONS)
    assert export.state == ExportState.FAILED and export.error == jobs.NOT_QUEUED


def test_an_export_whose_worker_died_is_failed_and_can_be_retried(full_plan: Plan) -> None:
    export = jobs.start_export(full_plan, OPTIONS)
    long_ago = timezone.now() - timedelta(hours=1)
    ReviewExport.objects.filter(pk=export.pk).update(state=ExportState.RUNNING, started_at=long_ago)
    assert jobs.export_of(full_plan, export.pk).state == ExportState.FAILED
    export.refresh_from_db()
    assert export.error == jobs.LOST
    assert jobs.start_export(full_plan, OPTIONS, retry=True).state == ExportState.QUEUED


def test_a_running_export_within_its_time_is_left_running(full_plan: Plan) -> None:
    export = jobs.start_export(full_plan, OPTIONS)
    ReviewExport.objects.filter(pk=export.pk).update(
        state=ExportState.RUNNING, started_at=timezone.now() - timedelta(seconds=20)
    )
    assert jobs.export_of(full_plan, export.pk).state == ExportState.RUNNING


def test_a_task_that_ended_without_making_the_export_fails_it(full_plan: Plan) -> None:
    """E.g. the worker could not import the task: the export must not wait forever."""
    export = jobs.start_export(full_plan, OPTIONS)
    DBTaskResult.objects.update(status="FAILED", finished_at=timezone.now())
    assert jobs.export_of(full_plan, export.pk).state == ExportState.QUEUED  # just queued
    ReviewExport.objects.update(queued_at=timezone.now() - timedelta(minutes=1))
    assert jobs.export_of(full_plan, export.pk).state == ExportState.FAILED


def test_a_stored_file_that_has_gone_is_made_again(full_plan: Plan) -> None:
    export = jobs.start_export(full_plan, OPTIONS)
    run_queued_jobs()
    export.refresh_from_db()
    jobs.storage().delete(export.file)
    assert jobs.start_export(full_plan, OPTIONS).state == ExportState.QUEUED
    run_queued_jobs()
    export.refresh_from_db()
    assert export.state == ExportState.READY and jobs.storage().exists(export.file)
    jobs.storage().delete(export.file)
    assert jobs.pdf_file(export) is None  # the download path notices too
    assert export.state == ExportState.QUEUED and run_queued_jobs() == 1


def test_a_job_for_an_export_taken_elsewhere_does_nothing(full_plan: Plan) -> None:
    export = jobs.start_export(full_plan, OPTIONS, enqueue=False)
    assert jobs.run_export(export.pk) == ExportState.READY
    assert jobs.run_export(export.pk) == "skipped"
    assert jobs.run_export(999_999) == "skipped"


def test_the_immediate_backend_makes_the_pdf_in_the_request(full_plan: Plan, settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    export = jobs.start_export(full_plan, OPTIONS)
    assert export.state == ExportState.READY and export.task_id


def test_progress_counts_the_exports_ahead(db: None) -> None:
    plans = [make_plan(name=f"Plan {n}") for n in range(3)]
    exports = [jobs.start_export(plan, OPTIONS) for plan in plans]
    assert [jobs.progress(e).ahead for e in exports] == [0, 1, 2]
    run_queued_jobs()
    done = jobs.progress(ReviewExport.objects.get(pk=exports[2].pk))
    assert done.ahead == 0 and not done.pending


def test_describe_options(db: None) -> None:
    plan = make_plan(audience="both", period_start=date(2026, 7, 1), period_end=date(2026, 9, 30))
    assert jobs.describe_options(plan, ReviewOptions()) == (
        "1 Jul 2026 – 30 Sep 2026 · every stage · both audiences · A4"
    )
    narrow = ReviewOptions(end=date(2026, 7, 31), stages=("act", "reach"), audience="b2b")
    assert jobs.describe_options(plan, narrow) == (
        "1 Jul 2026 – 31 Jul 2026 · Reach, Act · B2B only · A4"
    )


def test_old_exports_and_their_files_are_deleted(
    full_plan: Plan, django_capture_on_commit_callbacks
) -> None:
    old = jobs.start_export(full_plan, OPTIONS)
    run_queued_jobs()
    ReviewExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    old.refresh_from_db()
    recent = jobs.start_export(full_plan, ReviewOptions(stages=("act",)))
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_jobs()  # each job prunes what has expired
    assert list(ReviewExport.objects.all()) == [recent]
    assert not jobs.storage().exists(old.file)
    recent.refresh_from_db()
    assert jobs.storage().exists(recent.file)


def test_exports_and_files_go_with_their_plan(
    full_plan: Plan, django_capture_on_commit_callbacks
) -> None:
    export = jobs.start_export(full_plan, OPTIONS)
    run_queued_jobs()
    export.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        full_plan.delete()
    assert not ReviewExport.objects.exists() and not jobs.storage().exists(export.file)


def test_prune_reviews_deletes_expired_exports_and_old_stray_files(
    full_plan: Plan, settings, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "reviews": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.REVIEW_RETENTION_DAYS = 7
    export = jobs.start_export(full_plan, OPTIONS, enqueue=False)
    jobs.run_export(export.pk)
    export.refresh_from_db()
    files = jobs.storage()
    files.save("stray-old.pdf", ContentFile(b"%PDF-"))
    files.save("stray-new.pdf", ContentFile(b"%PDF-"))
    eight_days = (timezone.now() - timedelta(days=8)).timestamp()
    os.utime(tmp_path / "stray-old.pdf", (eight_days, eight_days))
    os.utime(tmp_path / export.file, (eight_days, eight_days))  # its export keeps it
    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_reviews", stdout=StringIO())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([export.file, "stray-new.pdf"])
    ReviewExport.objects.update(created_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_reviews", stdout=StringIO())
    assert [p.name for p in tmp_path.iterdir()] == ["stray-new.pdf"]
    assert not ReviewExport.objects.exists()
