"""A plan's health report: its findings, their score, the few to show first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kpis.advisor.health.facts import read_facts
from kpis.advisor.health.rules import RULES, Finding, Rule, Severity, check
from kpis.advisor.health.score import health_score, rule_penalties
from plans.models import Plan

TOP = 3  # findings the worksheet's and the dashboard's panels show


@dataclass(frozen=True)
class HealthReport:
    score: int
    findings: list[Finding]  # the most severe first
    penalties: dict[str, int]  # rule key -> points taken off

    @property
    def top(self) -> list[Finding]:
        return self.findings[:TOP]

    @property
    def by_severity(self) -> list[tuple[Severity, list[Finding]]]:
        groups = [(s, [f for f in self.findings if f.severity == s]) for s in Severity]
        return [(severity, found) for severity, found in groups if found]

    @property
    def rules(self) -> list[tuple[Rule, int, int]]:
        """Every rule with how many findings it gave and the points it took off."""
        counts = {rule.key: 0 for rule in RULES}
        for finding in self.findings:
            counts[finding.rule] += 1
        return [(rule, counts[rule.key], self.penalties.get(rule.key, 0)) for rule in RULES]

    @property
    def band(self) -> str:
        """A CSS key for the score's colour, the dashboard's own: green from 80, amber from 50."""
        if self.score >= 80:
            return "on_track"
        return "at_risk" if self.score >= 50 else "off_track"


def health_report(
    plan: Plan, *, today: date, editable: bool, audience: str | None = None
) -> HealthReport:
    """The plan checked as of `today` (for one audience of a plan for both, in a review
    narrowed to it): five queries whatever its size."""
    facts = read_facts(plan, today=today, editable=editable, audience=audience)
    findings = check(facts)
    return HealthReport(health_score(findings), findings, rule_penalties(findings))
