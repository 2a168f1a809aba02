"""A plan's content revision: one number that goes up with every write to what its worksheet's
stages show, so the worksheet can keep their HTML until it changes (plans/worksheet/cache.py).

Rows saved or deleted one at a time (forms, htmx, the admin, history restores, new plans and
roll forward, a stale-proof `versioning.edit`, which sends `post_save` itself) are caught by
the receivers below. A write that bypasses signals (`QuerySet.update`, `bulk_create`,
`bulk_update`, raw SQL) calls `content_changed` itself, in its transaction: a row's move, a KPI
deleted from the worksheet, recorded actuals (`kpis.actuals.recording`, whose receivers for
single actuals live in `kpis.extensions`), the demo's stage notes.

The bump is one `F()` UPDATE after the write, in the same transaction when there is one, so a
request that reads the new revision reads the new rows too; a request that read the old one
keeps what it built under the old revision, which no later request asks for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, Model, QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete

from plans.models import KPI, Objective, Plan, StageWorksheet, Tactic

# Saving only these fields of a user leaves every KPI row's "Owner Ann Lee" as it was.
UNSHOWN_USER_FIELDS = frozenset({"last_login", "password"})


def content_changed(plan_ids: Iterable[int] | QuerySet[Any]) -> None:
    """The worksheets of these plans show something new: one UPDATE, whatever the number."""
    Plan.objects.filter(pk__in=plan_ids).update(content_revision=F("content_revision") + 1)


def deleting_plan(origin: object) -> bool:
    """Whether a delete cascades from a plan's own deletion (its rows need no new revision)."""
    return isinstance(origin, Plan) or getattr(origin, "model", None) is Plan


def _row_saved(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    content_changed([instance.plan_id])


def _row_deleted(sender: type[Model], instance: Any, origin: object = None, **kwargs: Any) -> None:
    if not deleting_plan(origin):
        content_changed([instance.plan_id])


def _owned_kpis_plans(user: Any) -> QuerySet[Any]:
    return KPI.with_deleted.filter(owner=user).values("plan_id")


def _user_saved(sender: type[Model], instance: Any, created: bool, **kwargs: Any) -> None:
    """A KPI row names its owner: a renamed owner shows on every plan with their KPIs."""
    fields = kwargs.get("update_fields")
    if created or (fields is not None and set(fields) <= UNSHOWN_USER_FIELDS):
        return
    content_changed(_owned_kpis_plans(instance))


def _user_deleting(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    """Before the user's KPIs lose their owner (SET NULL, an UPDATE without signals)."""
    content_changed(_owned_kpis_plans(instance))


def connect() -> None:
    for model in (StageWorksheet, Objective, Tactic, KPI):
        uid = f"plans-revision-{model._meta.model_name}"
        post_save.connect(_row_saved, sender=model, dispatch_uid=f"{uid}-saved")
        post_delete.connect(_row_deleted, sender=model, dispatch_uid=f"{uid}-deleted")
    user = get_user_model()
    post_save.connect(_user_saved, sender=user, dispatch_uid="plans-revision-user-saved")
    pre_delete.connect(_user_deleting, sender=user, dispatch_uid="plans-revision-user-deleting")
