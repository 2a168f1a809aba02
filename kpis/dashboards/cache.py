"""A plan's dashboard kept between views, until what it shows changes.

Judging a plan and writing its cards and charts is most of the page's cost (four queries, and
at 200 KPIs ten thousand actuals packed), and most views show what the view before showed. So
each process keeps the last boards it built (`board.Dashboard`: cards, tiles, funnel, tables
and chart data, nothing of the reader but whether they may add actuals), stamped with all
they depend on:

- the plan's `content_revision`, which every write to its KPIs, tactics, worksheets and
  actuals moves on, by any door (plans/revisions.py, kpis/extensions.py), and its
  `updated_at` (period, currency, audience); its `created_at`, as SQLite can give a deleted
  plan's id to a new one;
- today's date (statuses move with time), the language and the URL prefix.

A plan has a board for each period and audience asked (the filter's cleaned values) and for
each kind of reader: where an editor adds an actual, None for viewers and share links.

The stamp comes from the plan row every view reads first (`plans.access`, the share link's
plan), so a kept board is never shown once its plan has changed, in this process or another.
The board holds no CSRF token and nothing of the user: the page around it is drawn per request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from kpis.dashboards.board import BuiltCard, Dashboard, KeptCards, build_dashboard
from kpis.dashboards.snapshot import plan_snapshot
from plans.models import Plan
from plans.worksheet.cache import Stamp, stamp  # the worksheet's kept HTML has the same stamp
from race_planner.kept import Kept

# Boards a process keeps; the least recently viewed go first. A board of 200 KPIs x 52 weeks
# holds some 1.5 MB (its ten thousand actuals as read, the page's text), one of 40 KPIs x 13
# some 0.1 MB: at most some 50 MB a process.
MAX_BOARDS = 32

Slot = tuple[int, str | None, date | None, date | None, str | None]

_boards: OrderedDict[Slot, tuple[Stamp, Dashboard]] = OrderedDict()
# After a change the board is built again, but most of its KPIs show what they showed: their
# cards and packed charts are kept too, each by what it was built from (`board.KeptCards`).
# A card of 52 actuals is some 3 KB; 16 MB holds some five thousand.
_cards: Kept[BuiltCard] = Kept(lambda built: built.size, 16_000_000)
_lock = threading.Lock()  # threaded servers share one process's boards


def dashboard(
    plan: Plan,
    *,
    start: date | None,
    end: date | None,
    audience: str | None,
    add_url: str | None,
) -> Dashboard:
    """The plan's board for this period and audience, as last built unless the plan changed."""
    slot, now = (plan.pk, add_url, start, end, audience), stamp(plan)
    with _lock:
        found = _boards.get(slot)
        if found is not None and found[0] == now:
            _boards.move_to_end(slot)
            return found[1]
    snapshot = plan_snapshot(plan, start=start, end=end, audience=audience)
    kept = KeptCards(_cards, now[:2] + now[3:])  # all but the revision: cards have their own
    board = build_dashboard(snapshot, add_url=add_url, kept=kept)
    with _lock:
        _boards[slot] = (now, board)
        _boards.move_to_end(slot)
        while len(_boards) > MAX_BOARDS:
            _boards.popitem(last=False)
    return board


def clear() -> None:
    """Forget every kept board and card (tests, and benchmarks measuring a new process)."""
    with _lock:
        _boards.clear()
    _cards.clear()
