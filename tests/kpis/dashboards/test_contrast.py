"""The portfolio's status cells are readable: text against its cell colour at least 4.5:1
(WCAG AA for normal text), computed from the style sheets the page loads."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[3] / "static" / "css"


def variables() -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", (CSS / "app.css").read_text()))


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def status_cells() -> list[tuple[str, str, str]]:
    """(status, background, text colour) of each `.cell-<status>` rule, variables resolved."""
    named = variables()
    rules = re.findall(
        r"\.cell-(\w+)\s*\{\s*background:\s*(#[0-9a-fA-F]{6});\s*color:\s*([^;]+);",
        (CSS / "dashboard.css").read_text(),
    )
    resolve = lambda value: named[value[4:-1]] if value.startswith("var(") else value  # noqa: E731
    return [(status, background, resolve(text.strip())) for status, background, text in rules]


def test_every_status_has_a_cell_colour() -> None:
    assert {status for status, _, _ in status_cells()} == {
        "on_track",
        "at_risk",
        "off_track",
        "stale",
        "no_data",
    }


@pytest.mark.parametrize(("status", "background", "text"), status_cells())
def test_status_cells_reach_aa_contrast(status: str, background: str, text: str) -> None:
    assert contrast(text, background) >= 4.5, (status, round(contrast(text, background), 2))


def test_the_contrast_sum_matches_a_known_pair() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#1a7f4b", "#e3f4ea"), 2) == 4.4  # the on-track cell before
