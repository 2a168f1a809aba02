"""Who may see and change what. Every view asks here first.

A plan exists only for members of its workspace: anyone else gets a 404, never a hint that it is
there. Viewers read; editors and admins write; only admins delete plans or manage members.
"""

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404

from plans.models import Membership, Plan, PlanStatus, Role, Workspace
from race_planner.prepared import PLAN_ID, USER_ID, Prepared

_Item = TypeVar("_Item", bound=models.Model)

AnyUser = User | AnonymousUser

WRITE_ROLES = frozenset({Role.ADMIN, Role.EDITOR})

ARCHIVED_MESSAGE = "This plan is archived and read-only. Reopen it in Plan settings to change it."


def visible_plans(user: AnyUser) -> QuerySet[Plan]:
    """The plans of every workspace the user belongs to."""
    if not user.is_authenticated:
        return Plan.objects.none()
    return Plan.objects.filter(workspace__memberships__user=user)


def workspaces_for(user: AnyUser, *, writable: bool = False) -> QuerySet[Workspace]:
    if not user.is_authenticated:
        return Workspace.objects.none()
    memberships = Membership.objects.filter(user=user)
    if writable:
        memberships = memberships.filter(role__in=WRITE_ROLES)
    return Workspace.objects.filter(pk__in=memberships.values("workspace"))


def _role_in(workspace: OuterRef, user: User) -> Subquery:
    """The user's role in the workspace of the row being fetched, in the same query."""
    return Subquery(Membership.objects.filter(workspace=workspace, user=user).values("role")[:1])


def _plan_and_role(plan: int, user: int) -> QuerySet[Plan]:
    """A join on the user's membership (one a workspace) rather than a subquery: Django builds
    its SQL in a third of the time."""
    return (
        Plan.objects.select_related("workspace")
        .filter(pk=plan, workspace__memberships__user=user)
        .annotate(member_role=F("workspace__memberships__role"))
        .order_by("pk")[:1]
    )


# Every plan page asks it first: its SQL is written once per process.
_PLAN_AND_ROLE = Prepared(Plan, _plan_and_role, plan=PLAN_ID, user=USER_ID)


def _plan_with_role(user: AnyUser, plan_id: int) -> Plan:
    """The plan with `member_role` annotated (one query); 404 for anyone outside its workspace."""
    if not user.is_authenticated:
        raise Http404("No such plan")
    found = _PLAN_AND_ROLE.objects(plan=plan_id, user=user.pk)
    if not found:
        raise Http404("No such plan")
    return found[0]


def member_role(plan: Plan) -> str | None:
    """The role annotated by the helpers below, or None for a plan fetched some other way."""
    return getattr(plan, "member_role", None)


def plan_for_viewer(user: AnyUser, plan_id: int) -> Plan:
    """A plan the user may read (any member of its workspace)."""
    return _plan_with_role(user, plan_id)


def _refuse_unless_writable(plan: Plan, *, archived_ok: bool = False) -> None:
    if member_role(plan) not in WRITE_ROLES:
        raise PermissionDenied("Viewers cannot change plans")
    if plan.status == PlanStatus.ARCHIVED and not archived_ok:
        raise PermissionDenied(ARCHIVED_MESSAGE)


def plan_for_editor(user: AnyUser, plan_id: int, *, archived_ok: bool = False) -> Plan:
    """A plan the user may change: 404 for outsiders, 403 for viewers.

    Archived plans are frozen (403) except where `archived_ok`: settings, to reopen them, and
    rolling forward, which writes a new plan.
    """
    plan = _plan_with_role(user, plan_id)
    _refuse_unless_writable(plan, archived_ok=archived_ok)
    return plan


def plan_for_admin(user: AnyUser, plan_id: int) -> Plan:
    """A plan the user may delete: workspace admins only."""
    plan = _plan_with_role(user, plan_id)
    if member_role(plan) != Role.ADMIN:
        raise PermissionDenied("Only workspace admins can do this")
    return plan


def is_writer(plan: Plan) -> bool:
    """Whether the plan was fetched for an editor or admin of its workspace."""
    return member_role(plan) in WRITE_ROLES


def can_edit(plan: Plan) -> bool:
    """For templates: whether this user may change the plan's contents right now."""
    return is_writer(plan) and plan.status != PlanStatus.ARCHIVED


def item_for_editor(user: AnyUser, queryset: QuerySet[_Item], plan_id: int, item_id: int) -> _Item:
    """A row of a plan (objective, tactic, KPI, worksheet) that the user may change, in one query.

    The row comes with its plan (`row.plan`, role annotated like `plan_for_editor`): 404 for
    outsiders and for rows of another plan, 403 for viewers and archived plans.
    """
    if not user.is_authenticated:
        raise Http404("No such item")
    item = (
        queryset.select_related("plan__workspace")
        .annotate(member_role=_role_in(OuterRef("plan__workspace"), user))
        .filter(pk=item_id, plan_id=plan_id, member_role__isnull=False)
        .first()
    )
    if item is None:
        raise Http404("No such item")
    item.plan.member_role = item.member_role
    _refuse_unless_writable(item.plan)
    return item
