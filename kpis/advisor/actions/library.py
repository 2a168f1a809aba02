"""The action library: what a team can do in 90 days to lift an area, per score band.

The texts live in `library.toml` beside this module, read and checked once at import, so a
mistake in the data stops the app from starting with a message naming the action.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from kpis.advisor.areas import Area, Band, area_of
from plans.models import Media, Stage, Tactic

LIBRARY_FILE = Path(__file__).with_name("library.toml")
MAX_DAYS = 90  # the plan is for the next 90 days
_KEY = re.compile(r"^[a-z]+\.[a-z0-9]+(?:_[a-z0-9]+)*$")


@dataclass(frozen=True)
class LibraryAction:
    key: str  # "<area>.<name>", stored on ImprovementAction
    area: Area
    band: Band
    title: str  # becomes the tactic's title: short, imperative
    description: str  # what to do and why
    stage: Stage  # the worksheet stage the tactic goes in
    channel: str
    media: Media
    days: int  # how long the tactic runs, 1 to MAX_DAYS


class LibraryDataError(ImproperlyConfigured):
    """library.toml is inconsistent; the message names the action."""


def _limit(name: str) -> int:
    """What the tactic's field holds: the action's texts become a tactic."""
    return int(getattr(Tactic._meta.get_field(name), "max_length", None) or 4000)


def _text(entry: dict[str, Any], name: str, key: str) -> str:
    value, limit = str(entry.get(name, "")).strip(), _limit(name)
    if not value or len(value) > limit:
        raise LibraryDataError(
            f"{LIBRARY_FILE.name}: {key}: {name} must be 1 to {limit} characters"
        )
    return value


def _action(entry: dict[str, Any]) -> LibraryAction:
    key = str(entry.get("key", ""))
    if not _KEY.match(key) or key.partition(".")[0] not in Area.values:
        raise LibraryDataError(f"{LIBRARY_FILE.name}: {key!r} is not '<area>.<name>'")
    try:
        band, stage, media = Band(entry["band"]), Stage(entry["stage"]), Media(entry["media"])
    except (KeyError, ValueError) as error:
        raise LibraryDataError(f"{LIBRARY_FILE.name}: {key}: {error}") from None
    days = entry.get("days")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise LibraryDataError(f"{LIBRARY_FILE.name}: {key}: days must be 1 to {MAX_DAYS}")
    return LibraryAction(
        key=key,
        area=area_of(key),
        band=band,
        title=_text(entry, "title", key),
        description=_text(entry, "description", key),
        stage=stage,
        channel=_text(entry, "channel", key),
        media=media,
        days=days,
    )


def load(path: Path = LIBRARY_FILE) -> dict[str, LibraryAction]:
    """Every action by key, in the file's order; LibraryDataError on a bad or repeated one."""
    with path.open("rb") as file:
        entries = tomllib.load(file).get("action", [])
    actions: dict[str, LibraryAction] = {}
    for entry in entries:
        action = _action(entry)
        if action.key in actions:
            raise LibraryDataError(f"{path.name}: {action.key} appears twice")
        actions[action.key] = action
    return actions


ACTIONS: dict[str, LibraryAction] = load()


def actions_for(area: Area, band: Band) -> list[LibraryAction]:
    """The library's actions for an area at a band, in the file's order."""
    return [a for a in ACTIONS.values() if a.area == area and a.band == band]
