"""Capability audits read back: each area's average score, the newest audit and the one before."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from kpis.advisor.areas import Area, area_of
from kpis.advisor.models import AuditAnswer, CapabilityAudit
from plans.models import Workspace


def area_scores(audit: CapabilityAudit) -> dict[Area, Decimal]:
    """Each area's mean score to one decimal; an area without answers is left out."""
    return scores_by_area(answer_scores(audit))


def answer_scores(audit: CapabilityAudit) -> list[tuple[str, int]]:
    """The audit's (question, score) pairs in one query. Unordered: the answers' default order
    starts with the audit's own, which would join the audits and workspaces for nothing."""
    answers = AuditAnswer.objects.filter(audit=audit).order_by()
    return list(answers.values_list("question", "score"))


def scores_by_area(answers: list[tuple[str, int]]) -> dict[Area, Decimal]:
    scores: dict[Area, list[int]] = defaultdict(list)
    for question, score in answers:
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


def mean_score(scores: list[int]) -> Decimal | None:
    """Scores' mean to one decimal, the way area scores are rounded; None for no scores."""
    if not scores:
        return None
    return (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def previous_audit(audit: CapabilityAudit) -> CapabilityAudit | None:
    """The workspace's audit of the quarter before this one's (the newest earlier one)."""
    earlier = CapabilityAudit.objects.filter(
        workspace_id=audit.workspace_id, quarter_start__lt=audit.quarter_start
    )
    return earlier.order_by("-quarter_start").first()


def score_changes(
    latest: dict[Area, Decimal], previous: dict[Area, Decimal]
) -> dict[Area, Decimal]:
    """How far each area moved since the previous audit; areas scored in both only."""
    return {area: score - previous[area] for area, score in latest.items() if area in previous}


def weakest_areas(scores: dict[Area, Decimal], count: int = 2) -> list[Area]:
    """The lowest-scoring areas, lowest first: `count` of them, one more when it ties with the
    last, so a tie is not broken by the order areas happen to be listed in."""
    order = list(Area)
    ranked = sorted(scores, key=lambda area: (scores[area], order.index(area)))
    if len(ranked) <= count:
        return ranked
    cutoff = scores[ranked[count - 1]]
    return [area for area in ranked if scores[area] <= cutoff][: count + 1]
