"""The capability audit's pages: the list, start this quarter's, answer, result, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpis.advisor.audits import access
from kpis.advisor.audits.forms import AuditForm
from kpis.advisor.audits.results import (
    QUESTION_COUNT,
    audit_result,
    audits_by_workspace,
    quarter_label,
)
from kpis.advisor.audits.saving import edit_audit, start_audit, stored_answers
from race_planner.http import AuthedRequest


@require_GET
def audit_list(request: AuthedRequest) -> TemplateResponse:
    groups = audits_by_workspace(request.user, timezone.localdate())
    context = {"groups": groups, "question_count": QUESTION_COUNT}
    return TemplateResponse(request, "kpis/advisor/audits/list.html", context)


@require_POST
def audit_start(request: AuthedRequest, workspace_id: int) -> HttpResponse:
    workspace = access.workspace_for_editor(request.user, workspace_id)
    audit, created = start_audit(workspace, request.user, timezone.localdate())
    quarter = quarter_label(audit.quarter_start)
    if created:
        messages.success(request, f"{quarter} audit started. Answer what you can; save any time.")
    else:
        messages.info(request, f"{workspace.name} already has a {quarter} audit: here it is.")
    return redirect("kpis-audit-edit", audit.pk)


@require_http_methods(["GET", "POST"])
def audit_edit(request: AuthedRequest, audit_id: int) -> HttpResponse:
    audit = access.audit_for_editor(request.user, audit_id)
    if request.method == "GET":
        form = AuditForm(version=audit.version, answers=stored_answers(audit))
        context = {"audit": audit, "form": form, "quarter": quarter_label(audit.quarter_start)}
        return TemplateResponse(request, "kpis/advisor/audits/form.html", context)
    outcome = edit_audit(audit, request.POST)
    if outcome.saved:
        answered = len(outcome.form.answers())
        messages.success(request, f"Audit saved: {answered} of {QUESTION_COUNT} answered.")
        return redirect("kpis-audit", audit.pk)
    context = {"audit": audit, "quarter": quarter_label(audit.quarter_start), **outcome.context}
    return TemplateResponse(request, "kpis/advisor/audits/form.html", context)


@require_GET
def audit_detail(request: AuthedRequest, audit_id: int) -> TemplateResponse:
    audit = access.audit_for_viewer(request.user, audit_id)
    result = audit_result(audit)
    context = {
        "result": result,
        "audit": audit,
        "quarter": quarter_label(audit.quarter_start),
        "previous_quarter": quarter_label(result.previous.quarter_start) if result.previous else "",
        "can_edit": access.can_edit(audit),
        "charts": {"figures": {"radar": result.figure}, "kpi": {"charts": {}}},
    }
    return TemplateResponse(request, "kpis/advisor/audits/result.html", context)


@require_http_methods(["GET", "POST"])
def audit_delete(request: AuthedRequest, audit_id: int) -> HttpResponse:
    audit = access.audit_for_editor(request.user, audit_id)
    quarter = quarter_label(audit.quarter_start)
    if request.method == "POST":
        audit.delete()
        messages.success(request, f"The {quarter} audit of {audit.workspace.name} was deleted.")
        return redirect("kpis-audits")
    answered = audit.answers.count()
    context = {"audit": audit, "quarter": quarter, "answered": answered}
    return TemplateResponse(request, "kpis/advisor/audits/delete.html", context)
