"""The dashboard's lists and tables as HTML, written in Python like the KPI cards (board.py).

The stage tiles, what needs attention, the funnel and the two budget tables were a third of
the template's variables, each looked up, escaped and localized on its own. The markup is the
template's; every text is escaped with html.escape.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString

from kpis.formatting import amount

if TYPE_CHECKING:  # board.py imports this module to fill its Dashboard
    from kpis.dashboards.board import FunnelRow, KPICard, StagePanel


def _kpi_link(card: KPICard) -> str:
    return f'<a href="#kpi-{card.pk}" class="status-{card.status.value}">{escape(card.name)}</a>'


def stage_section(panel: StagePanel) -> SafeString:
    """A stage with KPIs: its heading and status, then its cards (a stage without KPIs says
    where to add them, which depends on the page: the template writes that one)."""
    summary = panel.summary
    stage = summary.stage.value
    return SafeString(
        f'<section class="stage-block stage-{stage}" id="stage-{stage}" '
        f'aria-labelledby="kpis-{stage}">\n'
        f'  <h2 id="kpis-{stage}">{escape(summary.stage.label)} '
        f'<span class="badge status-{summary.status.value}">{escape(summary.status.label)}'
        f'</span></h2>\n  <div class="kpi-grid">\n    {panel.cards_html}\n  </div>\n</section>\n'
    )


def stage_tiles(panels: Iterable[StagePanel]) -> SafeString:
    """A tile a stage: its status, and the KPIs behind it (else how many KPIs it has)."""
    tiles = []
    for panel in panels:
        summary = panel.summary
        stage = summary.stage.value
        behind = panel.behind
        if behind:
            detail = f'<span class="behind">{", ".join(map(_kpi_link, behind))}</span>'
        else:
            count = len(summary.kpis)
            detail = f'<span class="muted">{count} KPI{"" if count == 1 else "s"}</span>'
        tiles.append(
            f'<li class="tile stage-{stage}">\n'
            f'      <a href="#stage-{stage}">{escape(summary.stage.label)}</a>\n'
            f'      <strong class="status-{summary.status.value}">'
            f"{escape(summary.status.label)}</strong>\n"
            f"      {detail}\n    </li>\n"
        )
    return SafeString("    ".join(tiles))


def attention_items(attention: Iterable[tuple[str, KPICard]]) -> SafeString:
    """The KPIs off track, then at risk: status, link to the card, stage and figures."""
    return SafeString(
        "".join(
            f'<li><span class="badge status-{card.status.value}">{escape(card.status.label)}'
            f'</span> <a href="#kpi-{card.pk}">{escape(card.name)}</a> <span class="muted">'
            f"{escape(stage)} · {escape(card.latest)} of {escape(card.target)}</span></li>"
            for stage, card in attention
        )
    )


def funnel_items(rows: Iterable[FunnelRow]) -> SafeString:
    """Each funnel stage: the conversion into it, then its actual against its target."""
    items = []
    for row in rows:
        if row.conversion:
            items.append(f'<li class="funnel-conversion">↓ {escape(row.conversion)}</li>\n    ')
        if row.not_a_volume:
            figures = (
                '<span class="muted funnel-figures">'
                "Not a volume: choose a count as this stage's primary KPI.</span>"
            )
        elif not row.kpi_name:
            figures = (
                '<span class="muted funnel-figures">'
                "Choose a primary KPI (a count) for this stage on the worksheet.</span>"
            )
        else:
            figures = (
                f'<progress class="funnel-bar" max="100" value="{row.filled}" '
                'aria-hidden="true"></progress>\n      <span class="funnel-figures">'
                f"<strong>{escape(row.actual)}</strong> "
                f'<span class="muted">actual of {escape(row.target)} target</span></span>'
            )
        items.append(
            '<li class="funnel-row">\n      <span class="funnel-stage">'
            f"<strong>{escape(row.stage)}</strong> "
            f'<span class="muted">{escape(row.kpi_name or "")}</span></span>\n'
            f"      {figures}\n    </li>\n    "
        )
    return SafeString("".join(items))


def budget_rows(rows: Iterable[tuple[str, Decimal, Decimal]]) -> SafeString:
    """A budget table's body: a row a stage or channel, planned and spent."""
    return SafeString(
        "".join(
            f'<tr><th scope="row">{escape(name)}</th><td class="num">{amount(planned)}</td>'
            f'<td class="num">{amount(spent)}</td></tr>'
            for name, planned, spent in rows
        )
        or '<tr><td colspan="3">No tactics with a budget yet.</td></tr>'
    )
