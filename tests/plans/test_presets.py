"""Consistency checks for plans.presets (pure data, no database)."""

import dataclasses
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from plans.presets import (
    AUDIENCES,
    DATA_DIR,
    PRESETS,
    KPIPreset,
    StagePreset,
    kpi_preset,
    load_presets,
    stage_preset,
)

STAGE_ORDER = ("plan", "reach", "act", "convert", "engage")
FUNNEL_STAGES = ("reach", "act", "convert", "engage")
ALLOWED_UNITS = {"count", "percent", "currency", "ratio", "score", "duration"}
ALLOWED_DIRECTIONS = {"up", "down"}
ALLOWED_MEDIA = {"paid", "owned", "earned"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _all_presets() -> list[tuple[str, StagePreset]]:
    return [(audience, preset) for audience in AUDIENCES for preset in PRESETS[audience].values()]


def _kpi_keys(preset: StagePreset) -> set[str]:
    return {kpi.key for kpi in preset.kpis}


def test_audiences_match_presets() -> None:
    assert AUDIENCES == ("b2c", "b2b")
    assert set(PRESETS) == set(AUDIENCES)


def test_every_audience_has_all_stages_in_order() -> None:
    for audience in AUDIENCES:
        assert tuple(PRESETS[audience]) == STAGE_ORDER
        for stage, preset in PRESETS[audience].items():
            assert preset.stage == stage


def test_minimum_item_counts() -> None:
    for audience, preset in _all_presets():
        label = f"{audience}/{preset.stage}"
        assert len(preset.kpis) >= 3, label
        assert len(preset.objectives) >= 2, label
        assert len(preset.tactics) >= 2, label


def test_texts_are_filled_in() -> None:
    for audience, preset in _all_presets():
        label = f"{audience}/{preset.stage}"
        for text in (
            preset.aim,
            preset.guidance,
            preset.opportunity_hint,
            preset.strategy_hint,
            preset.actions_hint,
        ):
            assert text.strip(), label
        for kpi in preset.kpis:
            assert kpi.name.strip() and kpi.definition.strip(), kpi.key
        for objective in preset.objectives:
            assert objective.title.strip() and objective.description.strip(), objective.key
        for tactic in preset.tactics:
            assert tactic.title.strip() and tactic.channel.strip(), tactic.key


def test_units_directions_and_media_are_allowed() -> None:
    for _, preset in _all_presets():
        for kpi in preset.kpis:
            assert kpi.unit in ALLOWED_UNITS, kpi.key
            assert kpi.direction in ALLOWED_DIRECTIONS, kpi.key
        for tactic in preset.tactics:
            assert tactic.media in ALLOWED_MEDIA, tactic.key


def test_all_keys_are_unique_slugs() -> None:
    keys: list[str] = []
    for _, preset in _all_presets():
        keys.extend(kpi.key for kpi in preset.kpis)
        keys.extend(objective.key for objective in preset.objectives)
        keys.extend(tactic.key for tactic in preset.tactics)
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates
    for key in keys:
        assert SLUG.match(key), key


def test_kpi_names_unique_within_stage() -> None:
    for audience, preset in _all_presets():
        names = [kpi.name for kpi in preset.kpis]
        assert len(names) == len(set(names)), f"{audience}/{preset.stage}"


def test_objective_kpi_keys_refer_to_same_stage() -> None:
    for audience, preset in _all_presets():
        keys = _kpi_keys(preset)
        for objective in preset.objectives:
            if objective.kpi_key is not None:
                assert objective.kpi_key in keys, f"{audience}/{objective.key}"


def test_primary_kpi_is_in_same_stage() -> None:
    for audience, preset in _all_presets():
        assert preset.primary_kpi_key in _kpi_keys(preset), f"{audience}/{preset.stage}"


def test_funnel_primary_kpis_are_counts() -> None:
    for audience in AUDIENCES:
        for stage in FUNNEL_STAGES:
            preset = PRESETS[audience][stage]
            primary = kpi_preset(preset.primary_kpi_key)
            assert primary.unit == "count", f"{audience}/{stage}"
            assert primary.direction == "up", f"{audience}/{stage}"


def test_b2b_act_primary_is_mqls() -> None:
    assert kpi_preset(stage_preset("b2b", "act").primary_kpi_key).name == "MQLs"


NUMBER = r"€?(\d[\d,]*(?:\.\d+)?)"


def _stated(title: str, kpi: KPIPreset) -> bool:
    """Whether the numbers in an objective's title are the KPI's example baseline and target."""
    number = lambda text: Decimal(text.replace(",", ""))  # noqa: E731
    base, goal = kpi.baseline, kpi.target
    if found := re.search(rf"from {NUMBER} ?%? (?:down )?to {NUMBER}", title):
        return (number(found[1]), number(found[2])) == (base, goal)
    if found := re.search(rf"by {NUMBER} %", title):
        change = number(found[1]) / 100
        return goal == base * (1 + change if kpi.direction == "up" else 1 - change)
    if title.startswith("Double"):
        return goal == 2 * base
    if found := re.search(rf"(?:to|Reach a|Source|Generate|Win|Collect|Get) {NUMBER}", title):
        return number(found[1]) == goal
    return False


def test_example_targets_agree_with_the_objectives_that_measure_them() -> None:
    checked = 0
    for _, preset in _all_presets():
        kpis = {kpi.key: kpi for kpi in preset.kpis}
        for objective in preset.objectives:
            if objective.kpi_key:
                kpi = kpis[objective.kpi_key]
                assert _stated(objective.title, kpi), (objective.title, kpi.baseline, kpi.target)
                checked += 1
    assert checked >= 20


def test_example_targets_chain_as_a_funnel_from_reach_to_engage() -> None:
    for audience in AUDIENCES:
        volumes = []
        for stage in ("reach", "act", "convert", "engage"):
            preset = PRESETS[audience][stage]
            primary = next(k for k in preset.kpis if k.key == preset.primary_kpi_key)
            volumes.append(primary.target)
        assert volumes == sorted(volumes, reverse=True), (audience, volumes)


def test_stage_preset_lookup() -> None:
    for audience in AUDIENCES:
        for stage in STAGE_ORDER:
            assert stage_preset(audience, stage) is PRESETS[audience][stage]


def test_stage_preset_unknown_raises_key_error() -> None:
    with pytest.raises(KeyError):
        stage_preset("b2g", "reach")
    with pytest.raises(KeyError):
        stage_preset("b2c", "retain")


def test_kpi_preset_lookup_across_audiences() -> None:
    for _, preset in _all_presets():
        for kpi in preset.kpis:
            found = kpi_preset(kpi.key)
            assert isinstance(found, KPIPreset)
            assert found == kpi


def test_kpi_preset_unknown_raises_key_error() -> None:
    with pytest.raises(KeyError):
        kpi_preset("no-such-kpi")


def test_presets_are_frozen() -> None:
    preset = stage_preset("b2c", "reach")
    with pytest.raises(AttributeError):
        preset.aim = "changed"  # type: ignore[misc]


# The data files --------------------------------------------------------------------------------


def _data_texts() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(DATA_DIR.glob("*.toml")))


def test_module_presets_are_what_the_loader_builds_from_the_data_folder() -> None:
    assert load_presets(DATA_DIR).presets == PRESETS


def test_every_stage_kpi_is_a_library_entry_under_its_own_key() -> None:
    data = load_presets(DATA_DIR)
    for _, preset in _all_presets():
        for kpi in preset.kpis:
            entry = data.library[data.kpi_sources[kpi.key]]
            stated = dataclasses.replace(
                entry, key=kpi.key, baseline=kpi.baseline, target=kpi.target
            )
            assert stated == kpi


def test_shared_kpi_definitions_are_written_once() -> None:
    data = load_presets(DATA_DIR)
    entries = [(kpi.name, kpi.definition) for kpi in data.library.values()]
    assert len(entries) == len(set(entries))
    # Both audiences' NPS come from the same entry, whose definition is in one place only.
    b2c_nps, b2b_nps = "b2c-plan-net-promoter-score", "b2b-plan-net-promoter-score"
    assert data.kpi_sources[b2c_nps] == data.kpi_sources[b2b_nps] == "net-promoter-score"
    assert kpi_preset(b2c_nps).definition == kpi_preset(b2b_nps).definition
    assert _data_texts().count(kpi_preset(b2c_nps).definition) == 1


def test_stage_aims_are_shared_and_written_once() -> None:
    texts = _data_texts()
    for stage in STAGE_ORDER:
        aims = {PRESETS[audience][stage].aim for audience in AUDIENCES}
        assert len(aims) == 1, stage
        assert texts.count(aims.pop()) == 1, stage


def _copy_of_data(tmp_path: Path) -> Path:
    folder = tmp_path / "presets"
    folder.mkdir()
    for path in DATA_DIR.glob("*.toml"):
        shutil.copy(path, folder)
    return folder


def test_loader_reads_any_folder(tmp_path: Path) -> None:
    assert load_presets(_copy_of_data(tmp_path)).presets == PRESETS


# (file, text, replacement, what the error must name)
BROKEN_DATA = [
    pytest.param(
        "kpis.toml",
        'unit = "score"',
        'unit = "stars"',
        ["kpis.toml", "net-promoter-score.unit", "'stars'"],
        id="unknown-unit",
    ),
    pytest.param(
        "kpis.toml",
        '[churn-rate]\nname = "Churn rate"\nunit = "percent"\ndirection = "down"',
        '[churn-rate]\nname = "Churn rate"\nunit = "percent"\ndirection = "sideways"',
        ["kpis.toml", "churn-rate.direction", "'sideways'"],
        id="unknown-direction",
    ),
    pytest.param(
        "b2c.toml",
        'channel = "TikTok"\nmedia = "earned"',
        'channel = "TikTok"\nmedia = "viral"',
        ["b2c.toml", "b2c-reach-tac-creators.media", "'viral'"],
        id="unknown-media",
    ),
    pytest.param(
        "b2b.toml",
        'key = "b2b-plan-net-promoter-score", kpi = "net-promoter-score"',
        'key = "b2b-plan-net-promoter-score", kpi = "net-promotor-score"',
        ["b2b.toml", "b2b-plan-net-promoter-score", "'net-promotor-score' is not in kpis.toml"],
        id="dangling-library-reference",
    ),
    pytest.param(
        "b2c.toml",
        'kpi_key = "b2c-plan-net-promoter-score"',
        'kpi_key = "b2c-reach-unique-visitors"',
        ["b2c.toml", "b2c-plan-obj-nps", "'b2c-reach-unique-visitors'"],
        id="objective-kpi-from-another-stage",
    ),
    pytest.param(
        "b2b.toml",
        'primary_kpi_key = "b2b-act-mqls"',
        'primary_kpi_key = "b2b-act-mql"',
        ["b2b.toml", "act", "primary_kpi_key 'b2b-act-mql'"],
        id="primary-kpi-not-in-stage",
    ),
    pytest.param(
        "b2b.toml",
        'key = "b2b-plan-tac-nps"',
        'key = "b2c-plan-tac-nps-survey"',
        ["b2b.toml", "b2c-plan-tac-nps-survey", "duplicate", "b2c.toml"],
        id="duplicate-key",
    ),
    pytest.param(
        "b2c.toml",
        'strategy_hint = "e.g. Grow',
        'stratgey_hint = "e.g. Grow',
        ["b2c.toml", "plan", "missing strategy_hint", "unexpected stratgey_hint"],
        id="misspelt-field",
    ),
    pytest.param(
        "kpis.toml",
        "[orders]\n",
        '[spare]\nname = "Spare"\nunit = "count"\ndirection = "up"\ndefinition = "Unused"\n\n[orders]\n',
        ["kpis.toml", "spare", "not used"],
        id="unused-library-entry",
    ),
    pytest.param(
        "b2b.toml",
        'kpi = "churn-rate", baseline = 10, target = 8',
        'kpi = "churn-rate", baseline = 10, target = 12',
        ["b2b.toml", "b2b-engage-churn-rate", "target must be down from the baseline"],
        id="example-target-the-wrong-way",
    ),
    pytest.param(
        "b2c.toml",
        'kpi = "orders", baseline = 72',
        'kpi = "orders", baseline = "many"',
        ["b2c.toml", "b2c-convert-orders.baseline", "expected a number"],
        id="example-baseline-not-a-number",
    ),
    pytest.param(
        "stages.toml",
        "[engage]",
        "[retain]",
        ["stages.toml", "engage"],
        id="missing-stage",
    ),
    pytest.param(
        "kpis.toml",
        "[orders]\n",
        "[orders\n",
        ["kpis.toml"],
        id="not-toml",
    ),
]


@pytest.mark.parametrize(("filename", "text", "replacement", "named"), BROKEN_DATA)
def test_broken_data_is_refused_naming_the_problem(
    tmp_path: Path, filename: str, text: str, replacement: str, named: list[str]
) -> None:
    folder = _copy_of_data(tmp_path)
    path = folder / filename
    original = path.read_text(encoding="utf-8")
    assert original.count(text) == 1, "the edit must hit exactly one place"
    path.write_text(original.replace(text, replacement), encoding="utf-8")
    with pytest.raises(ImproperlyConfigured) as refused:
        load_presets(folder)
    for part in named:
        assert part in str(refused.value)
