from pathlib import Path

import pytest

from kpis.advisor.actions.library import ACTIONS, MAX_DAYS, LibraryDataError, actions_for, load
from kpis.advisor.areas import Area, Band, area_of
from plans.models import Media, Stage


@pytest.mark.parametrize("band", list(Band))
@pytest.mark.parametrize("area", list(Area))
def test_every_area_and_band_has_three_actions_or_more(area: Area, band: Band) -> None:
    assert len(actions_for(area, band)) >= 3


def test_actions_are_complete_and_keyed_by_their_area() -> None:
    assert len(ACTIONS) >= 63
    titles = [action.title for action in ACTIONS.values()]
    assert len(set(titles)) == len(titles)  # two actions with one title would read as one
    for key, action in ACTIONS.items():
        assert action.key == key and area_of(key) is action.area
        assert 1 <= action.days <= MAX_DAYS
        assert action.title.strip() and action.description.strip() and action.channel.strip()
        assert action.stage in Stage and action.media in Media
        if action.area in (Area.PLAN, Area.REACH, Area.ACT, Area.CONVERT, Area.ENGAGE):
            assert action.stage.value == action.area.value, key  # a stage's actions stay in it


ENTRY = """
[[action]]
key = "{key}"
band = "low"
title = "Do a thing"
description = "Why it matters."
stage = "reach"
channel = "Website"
media = "owned"
days = {days}
"""


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (ENTRY.format(key="reach.ok", days=91), "days must be 1 to 90"),
        (ENTRY.format(key="reach.ok", days=0), "days must be 1 to 90"),
        (ENTRY.format(key="sales.cold_calls", days=5), "is not '<area>.<name>'"),
        (ENTRY.format(key="reach.ok", days=5) * 2, "appears twice"),
        (ENTRY.format(key="reach.ok", days=5).replace("Why it matters.", " "), "description"),
        (ENTRY.format(key="reach.ok", days=5).replace('"owned"', '"bought"'), "bought"),
    ],
)
def test_a_bad_library_file_is_refused_with_the_action_named(
    tmp_path: Path, entries: str, message: str
) -> None:
    path = tmp_path / "library.toml"
    path.write_text(entries)
    with pytest.raises(LibraryDataError, match=message):
        load(path)
