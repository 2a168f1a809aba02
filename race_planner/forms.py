"""Form pieces shared by both sides of the app."""

import re
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe


def set_choices(field: forms.Field, choices: list[tuple[Any, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")  # fits every database's 64-bit integers


def whole_number(text: str) -> int | None:
    """The one parser for ids, versions and positions sent by a browser: ASCII digits only, at
    most 18 of them; None for anything else ("①", "²", "-1", " 7", "1_000", 5,000 digits)."""
    return int(text) if WHOLE_NUMBER.fullmatch(text) else None


class WholeNumberField(forms.IntegerField):
    """A form's hidden version or position, read with `whole_number`."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = whole_number(str(value))
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdConverter:
    """`<id:plan_id>` in URLs: an id as `whole_number` reads it, so a 30-digit id is a 404."""

    regex = WHOLE_NUMBER.pattern

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def end_not_before_start(form: forms.BaseForm, start: str, end: str, message: str) -> None:
    """After cleaning: an error on the `end` field when both dates are given and it comes first."""
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and last < first:
        form.add_error(end, message)


def widget_attributes(attrs: dict[str, Any]) -> str:
    """As Django's `attrs.html`: False leaves an attribute out, True writes its bare name."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class WrittenInPython(forms.Widget):
    """A widget that writes the HTML of Django's widget template itself: the template engine
    cost more than everything else in a stage's notes, or in a filter form of four lists."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        return mark_safe(self.html(escape(name), widget))  # each piece escaped by `html`

    def html(self, name: str, widget: dict[str, Any]) -> str:
        raise NotImplementedError


class QuickSelect(WrittenInPython, forms.Select):
    """django/forms/widgets/select.html: each option was a template include, so a list grew
    slower with every choice (a stage's primary KPI, the portfolio's filters)."""

    def html(self, name: str, widget: dict[str, Any]) -> str:
        html = [f'<select name="{name}"{widget_attributes(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{escape(group_name)}">')
            html += [
                f'\n  <option value="{escape(option["value"])}"{widget_attributes(option["attrs"])}>'
                f"{escape(option['label'])}</option>\n"
                for option in options
            ]
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return "".join(html)


def field_html(field: forms.BoundField) -> str:
    """A field as templates/field_inc.html writes it (label, widget, help, errors beside it)."""
    auto_id, errors = escape(field.auto_id), field.errors
    help_text = (
        f'<small class="help" id="{auto_id}_helptext">{escape(field.help_text)}</small>'
        if field.help_text
        else ""
    )
    messages = "".join(
        f'<p class="field-error" id="{auto_id}_error">{escape(str(error))}</p>' for error in errors
    )
    return (
        f'<div class="field field-{escape(field.name)}{" has-error" if errors else ""}">\n'
        f'  <label for="{escape(field.id_for_label)}">{escape(field.label)}</label>\n'
        f"  {field}\n  {help_text}\n  {messages}\n</div>\n"
    )


def form_fields(form: forms.BaseForm) -> SafeString:
    """A form's fields as templates/form_fields_inc.html writes them: for the forms drawn on
    every view of a page (filters), where an include a field costs more than the widgets."""
    visible = "".join(field_html(field) for field in form.visible_fields())
    hidden = "".join(str(field) for field in form.hidden_fields())
    return mark_safe(f"{visible}\n{hidden}\n")  # every text escaped, the widgets by Django
