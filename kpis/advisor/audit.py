"""Capability audits read back: each area's average score, the newest audit and the one before."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from kpis.advisor.areas import Area, area_of
from kpis.advisor.models import AuditAnswer, CapabilityAudit
from plans.models import Workspace


def area_scores(audit: CapabilityAudit) -> dict[Area, Decimal]:
    """Each area's mean score to one decimal; an area without answers is left out."""
    scores: dict[Area, list[int]] = defaultdict(list)
    for question, score in AuditAnswer.objects.filter(audit=audit).values_list("question", "score"):
        scores[area_of(question)].append(score)
    return {
        area: (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        for area, values in scores.items()
    }


def latest_audits(workspace: Workspace, count: int = 2) -> list[CapabilityAudit]:
    """The newest audits first: the latest and, for the overlay, the one before it."""
    return list(CapabilityAudit.objects.filter(workspace=workspace)[:count])


def latest_area_scores(workspace: Workspace) -> dict[Area, Decimal] | None:
    """The newest audit's area scores, or None when the workspace has never run one."""
    audits = latest_audits(workspace, 1)
    return area_scores(audits[0]) if audits else None
