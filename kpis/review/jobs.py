"""The review PDF (or its slides) as a background job: made once per fingerprint, stored, and
served again. The format is one of the options, so the PDF and the slides of the same plan are
two exports, each joined, stored and pruned on its own.

Three doors lead here. The options page's button and `/plans/<id>/review.pdf` call
`start_export`, which answers at once with the export (ready, or queued for a worker); the
progress page polls `export_of` until it is ready. `manage.py export_review` calls
`start_export(..., enqueue=False)` and `run_export` in its own process. The web never draws:
`make_review` runs in a worker (`manage.py db_worker`), which keeps one chart browser for all
the exports it makes.

An export's `fingerprint` sums up everything that goes into the document: the plan's data
(every row's id, version and position, the actuals' count, versions and newest id, the newest
audit record of each kind, so edits, moves, deletes and restores all count; the advisor's
90-day actions and the workspace's capability audits), the options, the
day the review is made "as of", and the version of the code that draws it. The same fingerprint
is the same PDF: a request for it joins the export already queued or running (a unique
constraint settles two clicks at once) or gets the stored file without drawing anything.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
import tomllib
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import models, transaction
from django.db.models import Count, F, Max, OuterRef, Subquery, Sum
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import Http404, QueryDict
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist

from kpis.advisor.models import AuditAnswer, CapabilityAudit, ImprovementAction
from kpis.models import ExportState, Measurement, ReviewExport
from kpis.review import export as review
from kpis.review import slides
from kpis.review.export import ReviewOptions
from plans.history import history_of
from plans.models import KPI, Audience, Objective, Plan, Stage, StageWorksheet, Tactic

logger = logging.getLogger(__name__)

STORAGE = "reviews"
PENDING = (ExportState.QUEUED, ExportState.RUNNING)
RETRY_AFTER = 2  # seconds a script is asked to wait before it asks again
LOST_GRACE = 30  # seconds past REVIEW_EXPORT_TIMEOUT before a running export counts as lost
CHECK_QUEUE_AFTER = 10  # seconds queued before the task backend is asked what became of it

UNEXPECTED = (
    "The PDF could not be made because of an unexpected error on the server. Try again; "
    "if it happens again, tell your administrator."
)
LOST = (
    "The PDF was not finished: the worker making it stopped before the end (it may have been "
    "restarted). Try again."
)
NOT_QUEUED = "The export could not be started: the job queue did not answer. Try again in a moment."

# What draws the document: a deploy that changes any of these makes every review again.
DOCUMENT_SOURCES = (
    "kpis/**/*.py",
    "plans/**/*.py",
    "plans/**/*.toml",
    "race_planner/*.py",
    "templates/kpis/review/*.html",
    "static/css/review.css",
)


# What each format is called on the progress page and served as.
FORMAT_NAMES = {"pdf": "PDF", "pptx": "slides"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def storage() -> Storage:
    return storages[STORAGE]


def format_of(export: ReviewExport) -> str:
    return str(export.options.get("format") or "pdf")


# --- options ---------------------------------------------------------------------------------


def options_to_json(options: ReviewOptions) -> dict[str, Any]:
    data = asdict(options)
    data["start"] = options.start.isoformat() if options.start else None
    data["end"] = options.end.isoformat() if options.end else None
    data["stages"] = list(options.stages)
    return data


def options_from_json(data: dict[str, Any]) -> ReviewOptions:
    return ReviewOptions(
        start=date.fromisoformat(data["start"]) if data.get("start") else None,
        end=date.fromisoformat(data["end"]) if data.get("end") else None,
        stages=tuple(data.get("stages") or Stage.values),
        audience=data.get("audience"),
        paper=data.get("paper") or "A4",
        format=data.get("format") or "pdf",
    )


def options_query(options: ReviewOptions) -> str:
    """The options as review.pdf's query string (what the options form sends)."""
    query = QueryDict(mutable=True)
    for name in ("start", "end"):
        value = getattr(options, name)
        if value:
            query[name] = value.isoformat()
    if set(options.stages) != set(Stage.values):
        query.setlist("stages", list(options.stages))
    if options.audience:
        query["audience"] = options.audience
    query["paper"] = options.paper
    return query.urlencode()


def describe_options(plan: Plan, options: ReviewOptions) -> str:
    """The options in a line: "1 Jul 2026 – 30 Sep 2026 · Reach, Act · B2B only · A4"
    (slides end in "16:9 slides" instead of the paper)."""
    start, end = options.start or plan.period_start, options.end or plan.period_end
    stages = (
        "every stage"
        if set(options.stages) == set(Stage.values)
        else ", ".join(Stage(s).label for s in Stage.values if s in options.stages)
    )
    parts = [f"{start:%-d %b %Y} – {end:%-d %b %Y}", stages]
    if plan.audience == Audience.BOTH:
        parts.append(f"{options.audience.upper()} only" if options.audience else "both audiences")
    return " · ".join([*parts, "16:9 slides" if options.format == "pptx" else options.paper])


# --- the fingerprint -------------------------------------------------------------------------


@functools.cache
def document_version() -> str:
    """The app's version and a digest of the code, templates and styles that make the PDF."""
    root = settings.BASE_DIR
    try:
        version = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = "unknown"
    digest = hashlib.sha256()
    for pattern in DOCUMENT_SOURCES:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return f"{version}+{digest.hexdigest()[:16]}"


def _per_plan(rows: models.QuerySet[Any], path: str, value: Any) -> Subquery:
    """`value` over the rows that belong to the outer plan, as a column of the plan's query."""
    grouped = rows.filter(**{path: OuterRef("pk")}).order_by().values(path)
    return Subquery(grouped.annotate(result=value).values("result"))


def _per_workspace(rows: models.QuerySet[Any], path: str, value: Any) -> Subquery:
    """`value` over the rows of the outer plan's workspace (its capability audits)."""
    grouped = rows.filter(**{path: OuterRef("workspace")}).order_by().values(path)
    return Subquery(grouped.annotate(result=value).values("result"))


def _advisor_versions() -> dict[str, Subquery]:
    """What the review's Advisor section shows beyond the plan's own rows (its health findings
    come from those): the plan's 90-day actions and the workspace's audits and their scores.
    A score's change moves the sum of score x id, which two changes rarely cancel."""
    actions = ImprovementAction.objects.all()
    answers = AuditAnswer.objects.all()
    return {
        "action_count": _per_plan(actions, "plan", Count("id")),
        "action_newest": _per_plan(actions, "plan", Max("id")),
        "action_tactics": _per_plan(actions, "plan", Count("tactic")),
        "audit_count": _per_workspace(CapabilityAudit.objects.all(), "workspace", Count("id")),
        "audit_versions": _per_workspace(
            CapabilityAudit.objects.all(), "workspace", Sum("version")
        ),
        "answer_count": _per_workspace(answers, "audit__workspace", Count("id")),
        "answer_scores": _per_workspace(answers, "audit__workspace", Sum(F("score") * F("id"))),
    }


def _data_versions(plan: Plan) -> dict[str, Any]:
    """What changes when anything in the plan changes: five small queries whatever its size."""
    items = {
        "worksheets": StageWorksheet.objects.filter(plan=plan).values_list("id", "version"),
        "objectives": Objective.objects.filter(plan=plan).values_list("id", "version", "position"),
        "tactics": Tactic.objects.filter(plan=plan).values_list("id", "version", "position"),
        # Deleted KPIs too: deleting or restoring one changes its row.
        "kpis": KPI.with_deleted.filter(plan=plan).values_list(
            "id", "version", "position", "deleted_at"
        ),
    }
    found: dict[str, Any] = {name: list(rows.order_by("id")) for name, rows in items.items()}
    actuals = Measurement.objects.all()
    latest = {  # the newest audit record of each kind: deletes and restores leave one too
        name: _per_plan(history_of(model).all(), path, Max("history_id"))
        for name, model, path in (
            ("plan_history", Plan, "id"),
            ("worksheet_history", StageWorksheet, "plan"),
            ("objective_history", Objective, "plan"),
            ("tactic_history", Tactic, "plan"),
            ("kpi_history", KPI, "plan"),
            ("actual_history", Measurement, "kpi__plan"),
        )
    }
    advisor = _advisor_versions()
    found["counts"] = (
        Plan.objects.filter(pk=plan.pk)
        .annotate(
            actual_count=_per_plan(actuals, "kpi__plan", Count("id")),
            actual_versions=_per_plan(actuals, "kpi__plan", Sum("version")),
            actual_newest=_per_plan(actuals, "kpi__plan", Max("id")),
            **latest,
            **advisor,
        )
        .values("actual_count", "actual_versions", "actual_newest", *latest, *advisor)
        .first()
    )
    return found


def fingerprint(plan: Plan, options: ReviewOptions, as_of: date) -> str:
    """A digest of everything that goes into the review of `plan` with `options` on `as_of`."""
    inputs = {
        "plan": {f.attname: getattr(plan, f.attname) for f in plan._meta.concrete_fields},
        "workspace": plan.workspace.name,
        "data": _data_versions(plan),
        "options": options_to_json(options),
        "as_of": as_of.isoformat(),
        "version": document_version(),
    }
    text = json.dumps(inputs, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# --- starting, joining and following an export ---------------------------------------------


def start_export(
    plan: Plan,
    options: ReviewOptions,
    *,
    user: User | None = None,
    retry: bool = False,
    enqueue: bool = True,
) -> ReviewExport:
    """The export of this plan and options as of today: stored, joined, or queued now.

    An identical export (same fingerprint) already queued, running or made is joined, never
    repeated; a failed one starts again only when asked (`retry`), a made one whose file has
    gone starts again by itself.
    """
    if options.format == "pptx":  # slides have no paper: one export whatever was chosen
        options = replace(options, paper="A4")
    as_of = timezone.localdate()
    export, created = ReviewExport.objects.get_or_create(
        fingerprint=fingerprint(plan, options, as_of),
        defaults={
            "plan": plan,
            "options": options_to_json(options),
            "as_of": as_of,
            "requested_by": user,
        },
    )
    if created:
        return _enqueue(export) if enqueue else export
    export = check_progress(export)
    gone = export.state == ExportState.READY and not storage().exists(export.file)
    if (gone or (retry and export.state == ExportState.FAILED)) and _requeue(export):
        return _enqueue(export) if enqueue else export
    return export


def export_of(plan: Plan, export_id: int) -> ReviewExport:
    """An export of this plan (404 for any other), its state brought up to date."""
    export = ReviewExport.objects.filter(pk=export_id, plan=plan).first()
    if export is None:
        raise Http404("No such export")
    return check_progress(export)


def check_progress(export: ReviewExport) -> ReviewExport:
    """Notice an export that will never finish: its worker died, or its task never ran it."""
    now = timezone.now()
    lost_after = timedelta(seconds=settings.REVIEW_EXPORT_TIMEOUT + LOST_GRACE)
    if (
        export.state == ExportState.RUNNING
        and export.started_at
        and now - export.started_at > (lost_after)
    ):
        _fail(export, LOST, expected=ExportState.RUNNING)
    elif (
        export.state == ExportState.QUEUED
        and export.task_id
        and now - export.queued_at > timedelta(seconds=CHECK_QUEUE_AFTER)
        and _task_finished(export.task_id)
    ):
        _fail(export, UNEXPECTED, expected=ExportState.QUEUED)
    return export


def _task_finished(task_id: str) -> bool:
    """Whether the task ended without our code claiming the export (it failed to start)."""
    try:
        result = make_review.get_result(task_id)
    except (TaskResultDoesNotExist, NotImplementedError):
        return False  # unknown to this backend (results expired): keep waiting
    return result.status in (TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL)


def _requeue(export: ReviewExport) -> bool:
    """Back in the queue; False when another request did it first (it enqueues, not us)."""
    now = timezone.now()
    won = ReviewExport.objects.filter(pk=export.pk, state=export.state).update(
        state=ExportState.QUEUED,
        queued_at=now,
        started_at=None,
        finished_at=None,
        error="",
        task_id="",
    )
    export.refresh_from_db()
    return bool(won)


def _enqueue(export: ReviewExport) -> ReviewExport:
    try:
        result = make_review.enqueue(export.pk)
    except Exception:  # a queue that cannot be reached: say so, the user may try again
        logger.exception("Review export %s could not be queued", export.pk)
        _fail(export, NOT_QUEUED, expected=ExportState.QUEUED)
    else:
        ReviewExport.objects.filter(pk=export.pk).update(task_id=str(result.id))
        export.task_id = str(result.id)
        if result.status != TaskResultStatus.READY:  # run already (the immediate backend)
            export.refresh_from_db()
    return export


def _fail(export: ReviewExport, message: str, *, expected: str) -> None:
    ReviewExport.objects.filter(pk=export.pk, state=expected).update(
        state=ExportState.FAILED, error=message, finished_at=timezone.now()
    )
    export.refresh_from_db()


@dataclass(frozen=True)
class Progress:
    """What the progress page says about an export."""

    export: ReviewExport
    waited: int  # seconds since it was queued
    running_for: int  # seconds since a worker started it
    ahead: int  # exports queued before it

    @property
    def pending(self) -> bool:
        return self.export.state in PENDING


def progress(export: ReviewExport) -> Progress:
    now = timezone.now()
    ahead = 0
    if export.state == ExportState.QUEUED:
        ahead = ReviewExport.objects.filter(
            state=ExportState.QUEUED, queued_at__lt=export.queued_at
        ).count()
    started = export.started_at or now
    return Progress(
        export=export,
        waited=int((now - export.queued_at).total_seconds()),
        running_for=int((now - started).total_seconds()),
        ahead=ahead,
    )


def stored_file(export: ReviewExport) -> File[bytes] | None:
    """The stored PDF or slides, open; None when gone (then the export is queued again)."""
    try:
        return storage().open(export.file, "rb")
    except (FileNotFoundError, ValueError):
        if _requeue(export):
            _enqueue(export)
        return None


pdf_file = stored_file  # its name before slides; callers of the PDF may keep it


# --- the job ---------------------------------------------------------------------------------


@task()
def make_review(export_id: int) -> str:
    """The worker's side: make the PDF (or slides) of a queued export and store it."""
    return run_export(export_id)


@dataclass(frozen=True)
class _Made:
    data: bytes
    filename: str
    pages: int  # a PDF's pages or the slides' count


def _make(plan: Plan, options: ReviewOptions, as_of: date) -> _Made:
    if options.format == "pptx":
        deck = slides.export_slides(plan, options, today=as_of)
        return _Made(deck.pptx, deck.filename, deck.slides)
    result = review.export_review(plan, options, today=as_of)
    return _Made(result.pdf, result.filename, result.pages)


def run_export(export_id: int) -> str:
    """Make and store the PDF or slides of a queued export, in this process; returns its state.

    An export already taken by another process (or made, failed or deleted meanwhile) is left
    alone. A failure that is not ours to explain is recorded for the user and raised again,
    so the task backend keeps its traceback.
    """
    claimed = ReviewExport.objects.filter(pk=export_id, state=ExportState.QUEUED).update(
        state=ExportState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    export = ReviewExport.objects.select_related("plan__workspace").get(pk=export_id)
    kind = FORMAT_NAMES[format_of(export)]
    began = time.perf_counter()
    try:
        made = _make(export.plan, options_from_json(export.options), export.as_of)
        name = _store(export, made.data)
    except review.ReviewError as error:
        logger.warning("Review %s of plan %s not made: %s", kind, export.plan_id, error)
        _finish(export, state=ExportState.FAILED, error=str(error))
        return ExportState.FAILED
    except BaseException:
        _finish(export, state=ExportState.FAILED, error=UNEXPECTED)
        raise
    _finish(
        export,
        state=ExportState.READY,
        file=name,
        filename=made.filename,
        pages=made.pages,
        size=len(made.data),
    )
    logger.info(
        "Review %s of plan %s ready: %s %s in %.1f s",
        kind,
        export.plan_id,
        made.pages,
        "slides" if format_of(export) == "pptx" else "pages",
        time.perf_counter() - began,
    )
    prune_expired()
    return ExportState.READY


def _store(export: ReviewExport, data: bytes) -> str:
    name = f"{export.fingerprint}.{format_of(export)}"
    files = storage()
    if files.exists(name):  # made before and its row lost, or made again after a failure
        files.delete(name)
    return files.save(name, ContentFile(data))


def _finish(export: ReviewExport, *, state: str, **fields: Any) -> None:
    rows = ReviewExport.objects.filter(pk=export.pk)
    if state == ExportState.FAILED:
        rows = rows.exclude(state=ExportState.READY)  # a finished PDF is never taken back
    rows.update(state=state, finished_at=timezone.now(), **fields)


# --- retention -------------------------------------------------------------------------------


def prune_expired(now: datetime | None = None) -> int:
    """Delete exports (and their files) made more than REVIEW_RETENTION_DAYS ago."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.REVIEW_RETENTION_DAYS)
    count, _ = ReviewExport.objects.filter(created_at__lt=cutoff).delete()
    return count


def prune_orphans(now: datetime | None = None) -> list[str]:
    """Delete stored files no export knows of, once older than the retention (what a crash
    between storing and recording, or a copied database, leaves behind)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.REVIEW_RETENTION_DAYS)
    files = storage()
    known = set(ReviewExport.objects.exclude(file="").values_list("file", flat=True))
    removed: list[str] = []
    try:
        names = files.listdir("")[1]
    except FileNotFoundError:  # nothing stored yet
        return removed
    for name in names:
        if name in known:
            continue
        try:
            old = files.get_modified_time(name) < cutoff
        except NotImplementedError:
            old = True
        if old:
            files.delete(name)
            removed.append(name)
    return removed


@receiver(post_delete, sender=ReviewExport)
def _delete_file(sender: type[ReviewExport], instance: ReviewExport, **kwargs: Any) -> None:
    """An export goes with its file: pruned, or deleted with its plan."""
    if instance.file:
        name = instance.file
        transaction.on_commit(lambda: storage().delete(name))
