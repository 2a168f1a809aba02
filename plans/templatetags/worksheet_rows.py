"""`{% item_row %}` and `{% item_list %}`: the worksheet row in the context (`item`, `kind`,
`saved`) and the list of a `group` as HTML, built by plans/worksheet/row_html.py with what the
page's rows share worked out once per render."""

from django import template
from django.utils.safestring import SafeString

from plans.worksheet.row_html import RowPage
from plans.worksheet.row_html import item_list as list_html
from plans.worksheet.row_html import item_row as row_html

register = template.Library()
ROW_PAGE = "worksheet_row_page"  # where a render keeps what its rows share


def _page(context: template.Context) -> RowPage:
    page = context.render_context.get(ROW_PAGE)
    if page is None:
        page = RowPage.of(
            context["plan"],
            can_edit=bool(context.get("can_edit")),
            csrf_token=str(context.get("csrf_token") or ""),
            readings=context.get("kpi_readings"),  # the page reads them for its stage headings
        )
        context.render_context[ROW_PAGE] = page
    return page


@register.simple_tag(takes_context=True)
def item_row(context: template.Context) -> SafeString:
    kind, saved = context["kind"], bool(context.get("saved"))
    return row_html(context["item"], kind.key, kind.label, _page(context), saved=saved)


@register.simple_tag(takes_context=True)
def item_list(context: template.Context) -> SafeString:
    group, page, oob = context["group"], _page(context), bool(context.get("oob"))
    return list_html(group.items, context["kind"], context["stage"], group, page, oob=oob)
