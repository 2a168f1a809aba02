"""The 90-day improvement plan: the action library, suggestions, one-click add, tracking."""
