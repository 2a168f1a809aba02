"""The one-click "Add to plan" form: which library action, nothing else to fill in."""

from __future__ import annotations

from django import forms

from kpis.advisor.actions.library import ACTIONS, LibraryAction


class AddActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(key, action.title) for key, action in ACTIONS.items()],
        widget=forms.HiddenInput,
        error_messages={
            "required": "Pick an action to add from the suggestions.",
            "invalid_choice": "That action is not in the library; pick one from the suggestions.",
        },
    )

    def library_action(self) -> LibraryAction:
        return ACTIONS[self.cleaned_data["action"]]

    def error_text(self) -> str:
        return " ".join(str(error) for error in self.errors.get("action", []))
