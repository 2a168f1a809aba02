"""/api/v1/: the endpoints, thin doors onto api/reading.py and api/actuals.py.

Only bearer tokens are accepted, never the session cookie, so the API needs no CSRF token and
cannot be used to get around it. Every answer, errors included, is JSON.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils import timezone
from ninja import NinjaAPI, Path, Query, Status, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from api import actuals, reading, tokens
from api.models import ApiToken
from api.schemas import (
    BULK_LIMIT,
    ActualIn,
    ActualOut,
    BulkIn,
    KpiDetailOut,
    Message,
    PlanDetailOut,
    PlanPage,
    Refused,
    WorkspaceOut,
    Written,
)
from kpis.actuals.recording import ChangedMeanwhile
from plans import access
from plans.models import KPI

logger = logging.getLogger(__name__)

MAX_ID = 2**63 - 1  # the database's ids are 64-bit; a larger one is simply not found
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
PAGE_SIZE = 50


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = tokens.usable_token(token.strip(), today=timezone.localdate())
        if found is None:
            return None
        wait = tokens.admit(found, now=timezone.now(), limit=settings.API_RATE_LIMIT)
        if wait is not None:
            raise RateLimited(wait)
        request.user = found.user
        return found


api = NinjaAPI(
    title="RACE Planner API",
    version="1",
    description=(
        "Read your plans and record KPI actuals. Send a personal access token, created on the "
        "API tokens page, as `Authorization: Bearer <token>`. "
        f"At most {BULK_LIMIT} actuals a bulk request; requests are rate limited per token."
    ),
    auth=BearerToken(),
    urls_namespace="api-v1",
    docs=Swagger(settings={"validatorUrl": None}),  # no call to an outside validator
    docs_url="/docs",
)

COMMON_ERRORS: dict[int, Any] = {401: Message, 404: Message, 422: Refused, 429: Message}
WRITE_ERRORS: dict[int, Any] = {**COMMON_ERRORS, 400: Message, 403: Message, 409: Message}


def _user(request: HttpRequest) -> Any:
    return request.auth.user  # type: ignore[attr-defined]


@api.get(
    "/workspaces",
    summary="Your workspaces",
    tags=["reading"],
    response={200: list[WorkspaceOut], **COMMON_ERRORS},
)
def list_workspaces(request: HttpRequest) -> Any:
    """The workspaces you belong to, with your role in each."""
    return reading.workspaces(_user(request))


@api.get(
    "/plans",
    summary="Your plans, a page at a time",
    tags=["reading"],
    response={200: PlanPage, **COMMON_ERRORS},
)
def list_plans(
    request: HttpRequest,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    workspace: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Any:
    """The plans of your workspaces, newest period first, 50 a page."""
    plans = reading.plans(_user(request), workspace=workspace)
    count = plans.count()
    items = plans[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {
        "count": count,
        "page": page,
        "page_size": PAGE_SIZE,
        "items": reading.plan_rows(_user(request), items),
    }


@api.get(
    "/plans/{plan_id}",
    summary="A plan with its stages",
    tags=["reading"],
    response={200: PlanDetailOut, **COMMON_ERRORS},
)
def plan_detail(request: HttpRequest, plan_id: Id) -> Any:
    """A plan with its five stages, each with its objectives, tactics and KPIs."""
    plan = access.plan_for_viewer(_user(request), plan_id)
    row = reading.plan_row(plan, can_write=access.is_writer(plan))
    return {**row, "stages": reading.stages(plan)}


@api.get(
    "/plans/{plan_id}/kpis/{kpi_id}",
    summary="A KPI, its actuals and status",
    tags=["reading"],
    response={200: KpiDetailOut, **COMMON_ERRORS},
)
def kpi_detail(request: HttpRequest, plan_id: Id, kpi_id: Id) -> Any:
    """A KPI with every actual and its status, judged as the plan dashboard judges it."""
    plan = access.plan_for_viewer(_user(request), plan_id)
    kpi = get_object_or_404(KPI.objects, plan=plan, pk=kpi_id)
    return reading.kpi_detail(plan, kpi, today=timezone.localdate())


@api.post(
    "/plans/{plan_id}/kpis/{kpi_id}/actuals",
    summary="Record one actual",
    tags=["recording actuals"],
    response={200: ActualOut, 201: ActualOut, **WRITE_ERRORS},
)
def record_one(request: HttpRequest, plan_id: Id, kpi_id: Id, actual: ActualIn) -> Any:
    """Record one actual. A KPI has one value a day: a second one for the same date replaces
    the first (200), a new one is 201."""
    kpi: KPI = access.item_for_editor(_user(request), KPI.objects.all(), plan_id, kpi_id)
    checked = actuals.check_one(kpi, actual)
    if checked.errors:
        return Status(422, {"message": " ".join(checked.errors[0]), "rows": []})
    recorded = actuals.write(checked, user=_user(request))
    saved = [*recorded.created, *recorded.updated, *recorded.unchanged][0]
    return Status(201 if recorded.created else 200, reading.actual_row(saved))


@api.post(
    "/plans/{plan_id}/actuals",
    summary="Record up to 500 actuals",
    tags=["recording actuals"],
    response={200: Written, **WRITE_ERRORS},
)
def record_many(request: HttpRequest, plan_id: Id, body: BulkIn) -> Any:
    """Record up to 500 actuals of a plan's KPIs at once: all of them, or, when a
    row has an error, none (422 with each faulty row's problems)."""
    plan = access.plan_for_editor(_user(request), plan_id)
    checked = actuals.check_many(plan, body.actuals)
    if checked.errors:
        rows = [{"row": index, "errors": errors} for index, errors in checked.errors.items()]
        message = (
            f"{len(rows)} of {len(body.actuals)} rows have errors; nothing was recorded. "
            "Correct them and send the request again."
        )
        return Status(422, {"message": message, "rows": rows})
    recorded = actuals.write(checked, user=_user(request))
    return {
        "created": len(recorded.created),
        "updated": len(recorded.updated),
        "unchanged": len(recorded.unchanged),
    }


# Errors: JSON with a message a person can act on.

AUTH_MESSAGE = (
    "Send a valid API token as “Authorization: Bearer <token>”. This one is missing, unknown, "
    "revoked or expired; create a new one on the API tokens page ({url})."
)
VIEWER_REFUSAL = "Viewers cannot change plans"  # plans.access's words for a viewer's write
NOT_FOUND_MESSAGE = (
    "Not found: there is no such plan or KPI among your workspaces'. Check the id; "
    "GET /api/v1/plans lists the plans your token can see."
)


def _message(request: HttpRequest, message: str, status: int, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"message": message, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    url = request.build_absolute_uri(str(reverse_lazy("api-tokens")))
    response = _message(request, AUTH_MESSAGE.format(url=url), 401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    message = (
        f"Too many requests: this token may make {settings.API_RATE_LIMIT} a minute. "
        f"Try again in {exc.retry_after} seconds, or send actuals in bulk "
        f"(up to {BULK_LIMIT} in one request)."
    )
    response = _message(request, message, 429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _message(request, NOT_FOUND_MESSAGE, 404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    reason = str(exc) or "Your role does not allow this."
    if reason == VIEWER_REFUSAL:
        reason = (
            "Viewers cannot change plans: your role in this plan's workspace is viewer, so your "
            "token can read it but not write. Ask a workspace admin for the editor role."
        )
    return _message(request, reason, 403)


@api.exception_handler(ChangedMeanwhile)
def _conflict(request: HttpRequest, exc: ChangedMeanwhile) -> HttpResponse:
    return _message(
        request,
        "These actuals were being changed by someone else; nothing was recorded. "
        "Send the request again.",
        409,
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    rows: dict[int, list[str]] = {}
    others = []
    for error in exc.errors:
        location = [part for part in error.get("loc", ()) if part not in ("body", "actual")]
        row = location[location.index("actuals") + 1 :][:1] if "actuals" in location else []
        field = str(location[-1]) if location else ""
        text = f"{field}: {error.get('msg', 'not valid')}" if field else error.get("msg", "")
        if field == "date":
            text += " (an ISO date such as 2026-07-31)"
        if row and isinstance(row[0], int):
            rows.setdefault(row[0], []).append(text)
        else:
            others.append(text)
    message = "The request is not valid: " + "; ".join(others or ["see the rows"]) + "."
    if rows:
        message += " Nothing was recorded."
    listed = [{"row": index, "errors": errors} for index, errors in sorted(rows.items())]
    return _message(request, message, 422, rows=listed)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Raised by django-ninja itself, e.g. for a body that is not JSON at all (400)."""
    hint = " Send a JSON body (Content-Type: application/json)." if exc.status_code == 400 else ""
    return _message(request, f"{exc}.{hint}", exc.status_code)


@api.exception_handler(Exception)
def _failed(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request failed", exc_info=exc)
    return _message(
        request,
        "Something went wrong on our side and nothing was recorded. "
        "Try again; if it keeps failing, tell the site's administrators.",
        500,
    )
