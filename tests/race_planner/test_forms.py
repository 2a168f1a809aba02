"""The shared form pieces: `QuickSelect` writes the markup of Django's own select template."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from race_planner.forms import QuickSelect, form_fields

CHOICES: list[Any] = [
    ("", "Any"),
    ("a&b", 'Tom & "Jerry" <b>'),
    ("safe", mark_safe("<em>kept</em>")),
    ("Group <1>", [("g1", "First"), ("g2", "Second")]),
    (3, "A number"),
]


@pytest.mark.parametrize("value", [None, "", "a&b", "g2", "3", ["a&b", "g1"], "missing"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_pick", "required": True, "disabled": False, "data-x": '"q"'}]
)
def test_the_markup_is_django_s_own(value: Any, attrs: dict[str, Any] | None) -> None:
    ours = QuickSelect(choices=CHOICES).render("pick", value, attrs)
    django_s = forms.Select(choices=CHOICES).render("pick", value, attrs)
    assert ours == django_s


def test_a_form_field_renders_with_its_errors_described() -> None:
    class PickForm(forms.Form):
        pick = forms.ChoiceField(choices=CHOICES[:3], widget=QuickSelect)

    class DjangoPickForm(forms.Form):
        pick = forms.ChoiceField(choices=CHOICES[:3])

    data = {"pick": "nope"}
    assert str(PickForm(data)["pick"]) == str(DjangoPickForm(data)["pick"])
    assert 'aria-invalid="true"' in str(PickForm(data)["pick"])


class _Filters(forms.Form):
    q = forms.CharField(label="Search <plans> & more", help_text="Name or “summary”")
    size = forms.IntegerField(required=False, label=mark_safe("Size <em>of</em> page"))
    token = forms.CharField(widget=forms.HiddenInput, required=False)


@pytest.mark.parametrize("data", [None, {"q": "", "size": "many", "token": '"><script>'}])
def test_fields_written_in_python_are_the_form_include_s(data: dict[str, str] | None) -> None:
    form = _Filters(data)
    expected = get_template("form_fields_inc.html").render({"form": form})
    assert form_fields(form) == expected
    if data:
        assert expected.count('class="field-error"') == 2  # the errors were compared too
