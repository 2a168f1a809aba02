"""Template filters for measured values; the rules live in kpis/formatting.py."""

from django import template

from kpis import formatting

register = template.Library()
register.filter("amount", formatting.amount)
register.filter("with_unit", formatting.with_unit)
register.filter("percent", formatting.percent)
