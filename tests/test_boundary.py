"""The planning side knows nothing of what is measured: it names no actuals and no measuring
URLs, and reaches nothing through model metadata. Import-wise, `lint-imports` checks the same
boundary (pyproject.toml); this catches what imports cannot show, such as a template's
`{% url 'kpis-…' %}` or a field reached by name."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLANNING_SIDE = ("plans", "race_planner", "templates/plans", "templates/base.html")
FORBIDDEN = re.compile(r"measurements?|recorded_at|recorded_by|kpis-|_meta\.get_field", re.I)


def mentions_of_the_measuring_side(folder: Path) -> list[str]:
    found = []
    paths = [folder] if folder.is_file() else sorted(folder.rglob("*"))
    for path in paths:
        if path.suffix not in {".py", ".html", ".toml"} or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                found.append(
                    f"{path.name if path == folder else path.relative_to(folder)}:{number}: {line.strip()}"
                )
    return found


def test_the_planning_side_names_nothing_of_the_measuring_side() -> None:
    for folder in PLANNING_SIDE:
        assert mentions_of_the_measuring_side(ROOT / folder) == [], folder


def test_the_check_finds_a_mention(tmp_path: Path) -> None:
    (tmp_path / "views.py").write_text('count = plan.kpis.aggregate(n=Count("measurements"))\n')
    (tmp_path / "page.html").write_text("<a href=\"{% url 'kpis-dashboard' plan.pk %}\">x</a>\n")
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001.py").write_text("measurements = 1\n")
    found = mentions_of_the_measuring_side(tmp_path)
    assert [line.split(":")[0] for line in found] == ["page.html", "views.py"]
