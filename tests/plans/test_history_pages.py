"""A plan's history page by page: the same changes, order and "what changed" whatever the page
size, every page read from where the one before ended, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from plans import history
from plans.models import Plan, Tactic, Workspace
from tests.factories import make_kpi, make_measurement, make_objective, make_plan, make_tactic

Entry = tuple[str, str, list[tuple[str, str, str]]]  # title, action, (field, before, after)


def _entries(html: str) -> list[Entry]:
    """What a person reads on the page: each change's title, action and changed fields."""
    entries = []
    for block in html.split('<li class="card history-entry')[1:]:
        title = re.search(r"<strong>(.*?)</strong>", block)
        action = re.search(r'<span class="badge history-\w+">(\w+)</span>', block)
        rows = re.findall(
            r'<th scope="row">(.*?)</th><td class="old">(.*?)</td><td class="new">(.*?)</td>',
            block,
        )
        assert title and action
        entries.append((title[1], action[1], rows))
    return entries


def _edit_everything(plan: Plan) -> None:
    """A plan with a change of every kind: created, changed, reordered only, deleted, restored."""
    visitors = make_kpi(plan=plan, name="Visitors", target="200")
    visitors.target = Decimal("250")
    visitors.save()
    grow = make_objective(plan=plan, title="Grow", kpi=visitors)
    leads = make_kpi(plan=plan, name="Leads", stage="act")
    grow.title, grow.kpi = "Grow more", leads
    grow.save()
    reels = make_tactic(plan=plan, title="Reels")
    reels.position = 5
    reels.save()  # only the order moved: not listed
    reels.objective = grow
    reels.save()
    sheet = plan.worksheets.get(stage="reach")
    sheet.strategy = "Video first"
    sheet.save()
    sheet.actions = "Post daily"
    sheet.save()
    corrected = make_measurement(kpi=visitors, on=plan.period_start, value="120")
    corrected.value = Decimal("130")
    corrected.save()
    make_measurement(kpi=visitors, on=plan.period_start + timedelta(days=7), value="9").delete()
    history.delete_item(leads)
    kpi_record = plan.kpis.model.history.filter(history_type="-").get()
    history.restore(plan, "kpi", kpi_record.history_id)
    reels.delete()
    plan.name = "Spring push, again"
    plan.save()


EVERY_KIND: list[Entry] = [
    ("Plan “Spring push, again”", "changed", [("Name", "Spring push", "Spring push, again")]),
    ("Tactic “Reels” (Reach)", "deleted", []),
    ("KPI “Leads” (Act)", "restored", []),
    ("KPI “Leads” (Act)", "deleted", []),
    ("Actual of “Visitors” for 8 Jul 2026", "deleted", []),
    ("Actual of “Visitors” for 1 Jul 2026", "changed", [("Value", "120", "130")]),
    ("Reach worksheet", "changed", [("Actions", "—", "Post daily")]),
    ("Reach worksheet", "changed", []),
    ("Tactic “Reels” (Reach)", "changed", [("Objective", "—", "Grow")]),
    ("Tactic “Reels” (Reach)", "created", []),
    (
        "Objective “Grow more” (Reach)",
        "changed",
        [("Title", "Grow", "Grow more"), ("Kpi", "Visitors", "Leads")],
    ),
    ("KPI “Leads” (Act)", "created", []),
    ("Objective “Grow” (Reach)", "created", []),
    ("KPI “Visitors” (Reach)", "changed", [("Target", "200", "250")]),
    ("KPI “Visitors” (Reach)", "created", []),
    ("Plan “Spring push”", "created", []),
]


def test_every_kind_of_change_is_listed_newest_first_with_what_changed(
    editor_client: Client, plan: Plan
) -> None:
    _edit_everything(plan)
    html = editor_client.get(reverse("plans-history", args=[plan.pk])).content.decode()
    assert _entries(html) == EVERY_KIND
    assert html.count("Restore this") == 1 and "Restore this tactic" in html
    assert html.count("Its earlier values were not recorded") == 1  # the first worksheet edit


def _listed(changes: list[history.Change]) -> list[Entry]:
    return [(c.title, c.action, [(f.label, f.old, f.new) for f in c.changes]) for c in changes]


def _walk(plan: Plan, *, size: int, older: bool, start: history.Position | None = None) -> list:
    """Every page from `start` on in one direction, each read from where the last one ended."""
    pages = []
    while True:
        page = history.history_page(plan, start=start, older=older, size=size)
        pages.append(page.changes)
        start = page.older if older else page.newer
        if start is None:
            return pages


@pytest.mark.parametrize("size", [1, 3, 7])
def test_pages_of_any_size_list_every_change_once_both_ways(plan: Plan, size: int) -> None:
    _edit_everything(plan)
    pages = _walk(plan, size=size, older=True)
    assert [len(p) for p in pages[:-1]] == [size] * (len(pages) - 1)
    assert _listed([c for page in pages for c in page]) == EVERY_KIND
    # Back from the oldest page, newer pages again: the same changes, newest first on each page.
    oldest = pages[-1][0].position
    back = _walk(plan, size=size, older=False, start=oldest)
    assert _listed([c for page in reversed(back) for c in page]) == EVERY_KIND[: -len(pages[-1])]


def test_many_kpis_read_in_one_part_give_the_same_pages(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit_everything(plan)
    for name in ("Reach", "Clicks"):
        kpi = make_kpi(plan=plan, name=name)
        make_measurement(kpi=kpi, on=plan.period_start, value="1").delete()
    one_part_a_kpi = _walk(plan, size=3, older=True)
    monkeypatch.setattr(history, "MERGED_OWNERS", 1)  # past one KPI, one part for all of them
    assert _walk(plan, size=3, older=True) == one_part_a_kpi
    assert sum(c.kind == "actual" for page in one_part_a_kpi for c in page) == 4


def test_changes_that_show_nothing_never_cut_a_walk_short(
    editor_client: Client, plan: Plan
) -> None:
    """Past a page's worth of records that show nothing (only the order moved), the page ends
    early and the next one goes on from there."""
    for number in range(3):
        make_tactic(plan=plan, title=f"Tactic {number}")
    moved = Tactic.objects.get(title="Tactic 0")
    for position in range(history.PAGE_SIZE + history.SPARE_RECORDS + 5):
        moved.position = position + 10
        moved.save()
    moved.title = "Renamed"
    moved.save()
    url = reverse("plans-history", args=[plan.pk])
    html = editor_client.get(url).content.decode()
    seen = _entries(html)
    assert seen == [("Tactic “Renamed” (Reach)", "changed", [("Title", "Tactic 0", "Renamed")])]
    while match := re.search(r'href="\?older=([\w-]+)" rel="next"', html):
        html = editor_client.get(url, {"older": match[1]}).content.decode()
        seen += _entries(html)
    assert [title for title, _action, _fields in seen] == [
        "Tactic “Renamed” (Reach)",
        "Tactic “Tactic 2” (Reach)",
        "Tactic “Tactic 1” (Reach)",
        "Tactic “Tactic 0” (Reach)",
        "Plan “Spring push”",
    ]


def test_the_page_links_older_and_newer_pages_and_says_where_it_is(
    editor_client: Client, plan: Plan
) -> None:
    for number in range(60):
        make_tactic(plan=plan, title=f"Tactic {number:02}")
    url = reverse("plans-history", args=[plan.pk])
    first = editor_client.get(url).content.decode()
    assert first.count('class="card history-entry') == 50
    assert "The newest changes, from" in first and 'rel="prev"' not in first
    assert "Tactic “Tactic 59”" in first and "Tactic “Tactic 09”" not in first
    older = re.search(r'href="\?older=([\w-]+)" rel="next">Older changes</a>', first)
    assert older
    second = editor_client.get(url, {"older": older[1]}).content.decode()
    assert [title for title, _a, _f in _entries(second)] == [
        *(f"Tactic “Tactic {number:02}” (Reach)" for number in range(9, -1, -1)),
        "Plan “Spring push”",
    ]
    assert ": the oldest recorded." in second and 'rel="next"' not in second
    newer = re.search(r'href="\?newer=([\w-]+)" rel="prev">Newer changes</a>', second)
    assert newer and f'href="{url}">Newest changes</a>' in second
    again = editor_client.get(url, {"newer": newer[1]}).content.decode()
    assert _entries(again) == _entries(first)


def test_what_people_typed_shows_as_text_long_values_cut_times_in_the_sites_zone(
    editor_client: Client, plan: Plan, settings: Any
) -> None:
    settings.TIME_ZONE = "Asia/Kolkata"  # UTC+05:30 all year
    tactic = make_tactic(plan=plan, title="<b>Reels</b> & more")
    tactic.description = "x" * 400
    tactic.save()
    html = editor_client.get(reverse("plans-history", args=[plan.pk])).content.decode()
    assert "Tactic “&lt;b&gt;Reels&lt;/b&gt; &amp; more” (Reach)" in html and "<b>Reels" not in html
    assert _entries(html)[0][2] == [("Description", "—", "x" * 299 + "…")]
    record = Tactic.history.latest("history_id")
    local = timezone.localtime(record.history_date)
    assert local.utcoffset() == timedelta(hours=5, minutes=30)
    shown = f"{local.day} {local:%b %Y, %H:%M}"
    assert f'<time datetime="{local.isoformat()}">{shown}</time> by system' in html


def test_a_token_that_is_not_a_page_shows_the_newest(editor_client: Client, plan: Plan) -> None:
    make_tactic(plan=plan, title="Reels")
    url = reverse("plans-history", args=[plan.pk])
    newest = _entries(editor_client.get(url).content.decode())
    for token in ("nonsense", "MTIz", "", "%%%"):
        response = editor_client.get(url, {"older": token})
        assert response.status_code == 200 and _entries(response.content.decode()) == newest


@pytest.mark.parametrize(
    "demo", ["GreenStyle – online boutique growth", "FinTrack – pipeline and renewals"]
)
def test_the_demo_plans_list_what_they_were_built_from(db: None, demo: str) -> None:
    from tests.factories import make_demo_plan

    plan = make_demo_plan(name=demo)
    everything = history.history_page(plan, size=1000).changes
    # Built as a user would: the plan, each worksheet filled in (never recorded before, so no
    # field changes), every KPI, objective and tactic created; new actuals are not listed.
    expected = {("plan", f"Plan “{plan.name}”", "created")}
    expected |= {
        ("worksheet", f"{s.get_stage_display()} worksheet", "changed")
        for s in plan.worksheets.all()
    }
    for kind, label, text in (
        ("kpi", "KPI", "name"),
        ("objective", "Objective", "title"),
        ("tactic", "Tactic", "title"),
    ):
        items = getattr(plan, f"{kind}s" if kind != "kpi" else "kpis").all()
        expected |= {
            (kind, f"{label} “{getattr(i, text)}” ({i.get_stage_display()})", "created")
            for i in items
        }
    # The demo's 90-day actions: tactics added, then moved on (running, done) as a team would.
    from kpis.advisor.models import ImprovementAction

    taken = Tactic.objects.filter(
        pk__in=ImprovementAction.objects.filter(plan=plan).values("tactic")
    )
    moved = {("tactic", f"Tactic “{t.title}” ({t.get_stage_display()})", "changed") for t in taken}
    assert len(moved) == 2
    listed = sorted((c.kind, c.title, c.action) for c in everything)
    assert listed == sorted(expected | moved)
    assert [c.position for c in everything] == sorted(
        (c.position for c in everything), reverse=True
    )
    built = [c for c in everything if (c.kind, c.title, c.action) not in moved]
    assert all(c.changes == [] and c.no_baseline == (c.kind == "worksheet") for c in built)
    assert all([ch.label for ch in c.changes] == ["Status"] for c in everything if c not in built)
    pages = _walk(plan, size=7, older=True)
    assert [c for page in pages for c in page] == everything


@pytest.mark.parametrize("corrections", [0, 80])
def test_a_page_costs_the_same_queries_however_long_the_trails(
    editor_client: Client,
    plan: Plan,
    workspace: Workspace,
    corrections: int,
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for other in (plan, make_plan(workspace=workspace, name="Busy")):
        kpi = make_kpi(plan=other, name="Sign-ups", stage="act")
        actual = make_measurement(kpi=kpi, on=other.period_start, value="1")
        for value in range(corrections):
            actual.value = value + 2
            actual.save()
    _edit_everything(plan)  # a change of every kind on the page, newer than the corrections
    url = reverse("plans-history", args=[plan.pk])
    after_the_first = history.history_page(plan, size=1).older
    assert after_the_first is not None
    second_page = {"older": after_the_first.token()}
    # Session, user, plan; the plan's KPIs, the page's records of every kind in one query; per
    # kind those records with the one before each; the names they link to, whether the deleted
    # items are still gone; the header's unread notifications.
    with django_assert_num_queries(14):
        editor_client.get(url)
    with django_assert_max_num_queries(14):  # fewer when a kind has nothing on the page
        editor_client.get(url, second_page)
