"""The health score: 100 less what the findings weigh, each rule's share capped.

A plan of forty KPIs without baselines is one problem told forty times; the cap keeps one rule
from sinking the score, so the score still moves when something else is fixed.
"""

from __future__ import annotations

from collections import defaultdict

from kpis.advisor.health.rules import Finding, Severity

WEIGHTS: dict[Severity, int] = {Severity.HIGH: 10, Severity.MEDIUM: 5, Severity.LOW: 2}
RULE_CAP = 20  # the most one rule takes off, however often it trips


def rule_penalties(findings: list[Finding]) -> dict[str, int]:
    """What each rule that tripped takes off the score, capped."""
    taken: dict[str, int] = defaultdict(int)
    for finding in findings:
        taken[finding.rule] += WEIGHTS[finding.severity]
    return {rule: min(points, RULE_CAP) for rule, points in taken.items()}


def health_score(findings: list[Finding]) -> int:
    return max(0, 100 - sum(rule_penalties(findings).values()))


def explanation() -> str:
    high, medium, low = (WEIGHTS[s] for s in Severity)
    return (
        f"The score starts at 100. Each finding takes off {high} points when its severity is "
        f"high, {medium} when medium and {low} when low; one rule takes off at most {RULE_CAP} "
        "points however often it trips, so a repeated problem does not hide the others."
    )
