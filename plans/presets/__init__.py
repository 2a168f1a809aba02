"""Starting points for new plans: per audience and stage, guidance and suggested items.

The texts are TOML files next to this module, read and checked once at import: one file per
audience (b2c.toml, b2b.toml), the stage aims both audiences share (stages.toml) and the KPI
library (kpis.toml), where each KPI is defined once and stages refer to it by its key.
"""

import re
import tomllib
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class KPIPreset:
    key: str  # stable slug, unique within the module, e.g. "b2c-reach-unique-visitors"
    name: str  # "Unique visitors"
    unit: str  # one of UNITS
    direction: str  # "up" or "down" (which way is better)
    definition: str  # formula / note, e.g. "Revenue ÷ visits"
    cadence: str = "weekly"  # how often an actual is expected: weekly, monthly or none
    # An example starting point and goal that agree with the stage's objectives; a stage's
    # entry sets them, the library entry has none (zero).
    baseline: Decimal = Decimal(0)
    target: Decimal = Decimal(0)


@dataclass(frozen=True)
class ObjectivePreset:
    key: str
    title: str
    description: str
    kpi_key: str | None  # key of a KPIPreset in the same stage that measures it


@dataclass(frozen=True)
class TacticPreset:
    key: str
    title: str
    description: str
    channel: str  # e.g. "Instagram", "Google Ads", "LinkedIn", "Email", "Website"
    media: str  # one of MEDIA


@dataclass(frozen=True)
class StagePreset:
    stage: str  # one of STAGES
    aim: str  # one line: what this stage is for
    guidance: str  # 2–4 sentences of advice for this audience
    opportunity_hint: str  # placeholder for the worksheet's "opportunity" field
    strategy_hint: str  # placeholder for "strategy"
    actions_hint: str  # placeholder for "actions"
    kpis: tuple[KPIPreset, ...]
    objectives: tuple[ObjectivePreset, ...]
    tactics: tuple[TacticPreset, ...]
    primary_kpi_key: str  # the stage's funnel volume KPI


AUDIENCES: tuple[str, ...] = ("b2c", "b2b")
STAGES: tuple[str, ...] = ("plan", "reach", "act", "convert", "engage")
UNITS: frozenset[str] = frozenset({"count", "percent", "currency", "ratio", "score", "duration"})
DIRECTIONS: frozenset[str] = frozenset({"up", "down"})
CADENCES: frozenset[str] = frozenset({"weekly", "monthly", "none"})
MEDIA: frozenset[str] = frozenset({"paid", "owned", "earned"})

# The project runs from its folder instead of being installed, so the data sits beside this file.
DATA_DIR = Path(__file__).parent

# Preset keys are stored in databases (KPI.preset_key): plain slugs, unique across audiences.
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_STAGE_TEXTS = ("guidance", "opportunity_hint", "strategy_hint", "actions_hint", "primary_kpi_key")


class PresetDataError(ImproperlyConfigured):
    """A preset data file is unreadable or inconsistent; the message names the file and key."""


@dataclass(frozen=True)
class PresetData:
    presets: dict[str, dict[str, StagePreset]]  # audience -> stage -> preset, in STAGES order
    library: dict[str, KPIPreset]  # kpis.toml by library key (which is also each entry's .key)
    kpi_sources: dict[str, str]  # a stage KPI's preset key -> the library key it was built from


class _File:
    """One parsed data file; each problem found in it is reported with its path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as handle:
                self.data: dict[str, Any] = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise PresetDataError(f"{path}: {error}") from error

    def fail(self, where: str, problem: str) -> NoReturn:
        raise PresetDataError(f"{self.path}: {where}: {problem}")

    def table(
        self, where: str, value: Any, fields: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """Value as a table of exactly these fields: a misspelt field must not be ignored."""
        if not isinstance(value, dict):
            self.fail(where, "expected a table")
        problems = [f"missing {name}" for name in fields if name not in value]
        problems += [f"unexpected {name}" for name in value if name not in fields + optional]
        if problems:
            self.fail(where, ", ".join(problems))
        return value

    def text(
        self, where: str, table: dict[str, Any], name: str, allowed: frozenset[str] = frozenset()
    ) -> str:
        value = table[name]
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}.{name}", "expected some text")
        if allowed and value not in allowed:
            self.fail(f"{where}.{name}", f"{value!r} is not one of {', '.join(sorted(allowed))}")
        return value

    def number(self, where: str, table: dict[str, Any], name: str) -> Decimal:
        value = table[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.fail(f"{where}.{name}", "expected a number, zero or more")
        return Decimal(str(value))

    def items(self, where: str, table: dict[str, Any], name: str) -> list[Any]:
        value = table[name]
        if not isinstance(value, list):
            self.fail(f"{where}.{name}", "expected a list")
        return value


def load_presets(folder: Path) -> PresetData:
    """Build the presets from the data files in folder; PresetDataError on the first problem."""
    kpis_file = _File(folder / "kpis.toml")
    library = {key: _library_kpi(kpis_file, key, value) for key, value in kpis_file.data.items()}
    stages_file = _File(folder / "stages.toml")
    stages_file.table("top level", stages_file.data, STAGES)
    aims: dict[str, str] = {}
    for stage in STAGES:
        entry = stages_file.table(stage, stages_file.data[stage], ("aim",))
        aims[stage] = stages_file.text(stage, entry, "aim")
    owners: dict[str, Path] = {}  # every key seen so far -> its file, to refuse a duplicate
    sources: dict[str, str] = {}
    presets: dict[str, dict[str, StagePreset]] = {}
    for audience in AUDIENCES:
        file = _File(folder / f"{audience}.toml")
        file.table("top level", file.data, STAGES)
        presets[audience] = {
            stage: _stage(file, stage, aims[stage], library, owners, sources) for stage in STAGES
        }
    # A library entry no stage uses would be edited in vain, by someone thinking it shows up.
    for key in sorted(library.keys() - set(sources.values())):
        kpis_file.fail(key, "not used by any stage")
    return PresetData(presets=presets, library=library, kpi_sources=sources)


def _library_kpi(file: _File, key: str, value: Any) -> KPIPreset:
    entry = file.table(key, value, ("name", "unit", "direction", "definition"), ("cadence",))
    return KPIPreset(
        key=key,
        name=file.text(key, entry, "name"),
        unit=file.text(key, entry, "unit", UNITS),
        direction=file.text(key, entry, "direction", DIRECTIONS),
        definition=file.text(key, entry, "definition"),
        cadence=file.text(key, entry, "cadence", CADENCES) if "cadence" in entry else "weekly",
    )


def _stage(
    file: _File,
    stage: str,
    aim: str,
    library: dict[str, KPIPreset],
    owners: dict[str, Path],
    sources: dict[str, str],
) -> StagePreset:
    table = file.table(stage, file.data[stage], (*_STAGE_TEXTS, "kpis", "objectives", "tactics"))
    texts = {name: file.text(stage, table, name) for name in _STAGE_TEXTS}
    kpis = []
    for index, value in enumerate(file.items(stage, table, "kpis")):
        ref = file.table(f"{stage}.kpis[{index}]", value, ("key", "kpi", "baseline", "target"))
        key = _key(file, f"{stage}.kpis[{index}]", ref, owners)
        source = file.text(key, ref, "kpi")
        if source not in library:
            file.fail(key, f"kpi {source!r} is not in kpis.toml")
        sources[key] = source
        kpi = replace(
            library[source],
            key=key,
            baseline=file.number(key, ref, "baseline"),
            target=file.number(key, ref, "target"),
        )
        better = kpi.target > kpi.baseline if kpi.direction == "up" else kpi.target < kpi.baseline
        if not better:
            file.fail(key, f"the example target must be {kpi.direction} from the baseline")
        kpis.append(kpi)
    kpi_keys = {kpi.key for kpi in kpis}
    objectives = []
    for index, value in enumerate(file.items(stage, table, "objectives")):
        where = f"{stage}.objectives[{index}]"
        objective = file.table(where, value, ("key", "title", "description"), ("kpi_key",))
        key = _key(file, where, objective, owners)
        kpi_key = file.text(key, objective, "kpi_key") if "kpi_key" in objective else None
        if kpi_key is not None and kpi_key not in kpi_keys:
            file.fail(key, f"kpi_key {kpi_key!r} is not one of the {stage} stage's KPIs")
        objectives.append(
            ObjectivePreset(
                key=key,
                title=file.text(key, objective, "title"),
                description=file.text(key, objective, "description"),
                kpi_key=kpi_key,
            )
        )
    tactics = []
    for index, value in enumerate(file.items(stage, table, "tactics")):
        where = f"{stage}.tactics[{index}]"
        tactic = file.table(where, value, ("key", "title", "description", "channel", "media"))
        key = _key(file, where, tactic, owners)
        tactics.append(
            TacticPreset(
                key=key,
                title=file.text(key, tactic, "title"),
                description=file.text(key, tactic, "description"),
                channel=file.text(key, tactic, "channel"),
                media=file.text(key, tactic, "media", MEDIA),
            )
        )
    if texts["primary_kpi_key"] not in kpi_keys:
        file.fail(stage, f"primary_kpi_key {texts['primary_kpi_key']!r} is not one of its KPIs")
    return StagePreset(
        stage=stage,
        aim=aim,
        guidance=texts["guidance"],
        opportunity_hint=texts["opportunity_hint"],
        strategy_hint=texts["strategy_hint"],
        actions_hint=texts["actions_hint"],
        kpis=tuple(kpis),
        objectives=tuple(objectives),
        tactics=tuple(tactics),
        primary_kpi_key=texts["primary_kpi_key"],
    )


def _key(file: _File, where: str, table: dict[str, Any], owners: dict[str, Path]) -> str:
    key = file.text(where, table, "key")
    if not _SLUG.match(key):
        file.fail(key, "a key is a lowercase slug (letters, digits and single hyphens)")
    if key in owners:
        file.fail(key, f"duplicate key, already used in {owners[key].name}")
    owners[key] = file.path
    return key


PRESETS: dict[str, dict[str, StagePreset]] = load_presets(DATA_DIR).presets

_KPIS_BY_KEY: dict[str, KPIPreset] = {
    kpi.key: kpi for stages in PRESETS.values() for preset in stages.values() for kpi in preset.kpis
}


def stage_preset(audience: str, stage: str) -> StagePreset:
    """Return the preset for an audience ("b2c"/"b2b") and stage; KeyError if unknown."""
    return PRESETS[audience][stage]


def kpi_preset(key: str) -> KPIPreset:
    """Return the KPI preset with this key, across all audiences; KeyError if unknown."""
    return _KPIS_BY_KEY[key]
