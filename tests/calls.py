"""Which calls a view made of a function: for tests of what a change builds again."""

from collections.abc import Callable
from typing import Any

import pytest


def calls_of(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, label: Callable[[Any], str]
) -> list[str]:
    """`owner.name` still runs as before; each call from now on adds `label(first argument)`."""
    calls: list[str] = []
    original = getattr(owner, name)

    def counted(first: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(label(first))
        return original(first, *args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls
