"""The code's shape: view lengths, decorators and ignores, lines per part, repeated code.

Every view is found through the URL resolver, so a view added anywhere is counted. Lengths run
from a view's first decorator to its last line. `duplicates` (the project's tool for repeated
code, when it is on PATH) is run over the whole tree.

    python benchmarks/shape.py
"""

from __future__ import annotations

import inspect
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "race_planner.settings")

import django  # noqa: E402

django.setup()

from django.urls import URLPattern, URLResolver, get_resolver  # noqa: E402

LIMIT = 25
PARTS = ("race_planner", "plans", "kpis", "demo")


def our_views(patterns: list[Any]) -> Iterator[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from our_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = inspect.unwrap(pattern.callback)
            if view.__module__.split(".")[0] in PARTS:
                yield view


def python_files(part: str) -> list[Path]:
    return [p for p in (ROOT / part).rglob("*.py") if "migrations" not in p.parts]


def main() -> int:
    views = {
        (view.__module__, view.__name__): view for view in our_views(get_resolver().url_patterns)
    }
    lengths = {key: len(inspect.getsourcelines(view)[0]) for key, view in views.items()}
    over = {key: n for key, n in lengths.items() if n > LIMIT}
    print(
        f"views: {len(lengths)}  longest: {max(lengths.values())} lines  median: "
        f"{statistics.median(lengths.values()):g}  over {LIMIT}: {len(over)}"
    )
    for (module, name), n in sorted(over.items(), key=lambda item: -item[1]):
        print(f"  {n:3d}  {module}.{name}")
    code = [p for part in PARTS for p in python_files(part)]
    texts = [p.read_text(encoding="utf-8") for p in code]
    print(
        f"@login_required: {sum(t.count('@login_required') for t in texts)}  "
        f"'# type: ignore': {sum(t.count('# type: ignore') for t in texts)}"
    )
    for part in PARTS:
        files = python_files(part)
        lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files)
        print(f"{part + '/':14s} {len(files):3d} files {lines:6d} lines of Python")
    tool = shutil.which("duplicates")
    if tool:
        found = subprocess.run(
            [tool, "--most", "200", "--seconds", "60", "--repo", str(ROOT)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        ).stdout.splitlines()
        print("duplicates:", found[0] if found else "no output")
    return 0


if __name__ == "__main__":
    sys.exit(main())
