"""Each review test starts with no laid-out sections kept, so what it checks is laid out
for it (and a fetch or a layout it counts happens in it)."""

from collections.abc import Iterator

import pytest

from kpis.review import layout


@pytest.fixture(autouse=True)
def no_kept_layouts() -> Iterator[None]:
    layout.cache.clear()
    yield
    layout.cache.clear()
