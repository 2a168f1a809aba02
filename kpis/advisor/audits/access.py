"""Who may see and change a workspace's audits: its members read them, editors and admins
write them; to anyone else an audit (and its workspace) does not exist (404)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404

from kpis.advisor.models import CapabilityAudit
from plans.access import WRITE_ROLES, AnyUser
from plans.models import Membership, Workspace


def audit_for_viewer(user: AnyUser, audit_id: int) -> CapabilityAudit:
    """The audit with its workspace and the user's `member_role` there, in one query."""
    if not user.is_authenticated:
        raise Http404("No such audit")
    audit = (
        CapabilityAudit.objects.select_related("workspace", "created_by")
        .filter(pk=audit_id, workspace__memberships__user=user)
        .annotate(member_role=F("workspace__memberships__role"))
        .first()
    )
    if audit is None:
        raise Http404("No such audit")
    return audit


def can_edit(audit: CapabilityAudit) -> bool:
    return getattr(audit, "member_role", None) in WRITE_ROLES


def audit_for_editor(user: AnyUser, audit_id: int) -> CapabilityAudit:
    audit = audit_for_viewer(user, audit_id)
    if not can_edit(audit):
        raise PermissionDenied("Viewers cannot change audits")
    return audit


def workspace_for_editor(user: AnyUser, workspace_id: int) -> Workspace:
    if not user.is_authenticated:
        raise Http404("No such workspace")
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace_id=workspace_id)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace")
    if membership.role not in WRITE_ROLES:
        raise PermissionDenied("Viewers cannot start audits")
    return membership.workspace
