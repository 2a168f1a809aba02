"""Consistency checks for plans.presets (pure data, no database)."""

import re

import pytest

from plans.presets import (
    AUDIENCES,
    PRESETS,
    KPIPreset,
    StagePreset,
    kpi_preset,
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
