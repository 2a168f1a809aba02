"""The areas the advisor judges: the five RACE stages, and governance and measurement beside them.

Audit questions and library actions are keyed "<area>.<name>" (e.g. "reach.search"), so the key
alone says which area a score or an action belongs to.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class Area(models.TextChoices):
    PLAN = "plan", "Plan"
    REACH = "reach", "Reach"
    ACT = "act", "Act"
    CONVERT = "convert", "Convert"
    ENGAGE = "engage", "Engage"
    GOVERNANCE = "governance", "Planning and governance"
    MEASUREMENT = "measurement", "Measurement"


class Band(models.TextChoices):
    """Where an area's average score (1-5) sits; library actions are written per band."""

    LOW = "low", "Getting started (below 2.5)"
    MIDDLE = "middle", "Developing (2.5 to 3.5)"
    HIGH = "high", "Advanced (above 3.5)"


def area_of(key: str) -> Area:
    """The area in front of a question's or an action's key; ValueError for an unknown one."""
    return Area(key.partition(".")[0])


def band_of(score: Decimal) -> Band:
    if score < Decimal("2.5"):
        return Band.LOW
    if score <= Decimal("3.5"):
        return Band.MIDDLE
    return Band.HIGH
