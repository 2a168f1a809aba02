"""Which library actions to suggest for a plan, and why.

The newest audit's three weakest areas come first, each with the actions of its score band;
then the areas the plan health check found problems in. Actions the plan already took are left
out; when an area's band has none left, the next band up offers its actions instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.template.defaultfilters import pluralize

from kpis.advisor.actions.library import LibraryAction, actions_for
from kpis.advisor.areas import Area, Band, band_of

WEAKEST = 3  # how many of the audit's areas get actions
_BANDS = list(Band)


@dataclass(frozen=True)
class AreaSuggestions:
    area: Area
    band: Band  # the band the actions were written for
    reasons: tuple[str, ...]  # "Engage scored 1.8 in Q4 2026's audit"
    actions: tuple[LibraryAction, ...]


def _untaken(area: Area, band: Band, taken: Collection[str]) -> tuple[Band, list[LibraryAction]]:
    """The area's actions at its band, or at the first band above with any left."""
    for later in _BANDS[_BANDS.index(band) :]:
        left = [action for action in actions_for(area, later) if action.key not in taken]
        if left:
            return later, left
    return band, []


def _problems(count: int, area: Area) -> str:
    return f"The plan health check found {count} problem{pluralize(count)} in {area.label}"


def suggest(
    area_scores: Mapping[Area, Decimal] | None,
    finding_areas: Sequence[Area],
    taken: Collection[str],
    *,
    audit_name: str = "the latest audit",
) -> list[AreaSuggestions]:
    """Suggestions by area, weakest first. `area_scores` is None without an audit;
    `finding_areas` has an area once for each health check finding in it."""
    scores = area_scores or {}
    findings = Counter(finding_areas)
    order = list(Area)
    weakest = sorted(scores, key=lambda area: (scores[area], order.index(area)))[:WEAKEST]
    found = sorted(
        (area for area in findings if area not in weakest),
        key=lambda area: (-findings[area], order.index(area)),
    )
    out = []
    for area in [*weakest, *found]:
        reasons = []
        if area in scores:
            reasons.append(f"{area.label} scored {scores[area]} in {audit_name}")
        if findings[area]:
            reasons.append(_problems(findings[area], area))
        # An area the audit did not score starts from the basics.
        band, actions = _untaken(area, band_of(scores.get(area, Decimal(1))), taken)
        if actions:
            out.append(AreaSuggestions(area, band, tuple(reasons), tuple(actions)))
    return out
