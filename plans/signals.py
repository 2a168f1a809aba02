"""What the planning side announces, for the measuring side to add its part."""

from django.dispatch import Signal

# A plan is being rolled forward into the next period: sent with `old` and `new` (saved plans)
# and `kpi_map`, the old KPI ids mapped to their unsaved copies in `new`. Receivers may change
# the copies (their baselines, say) before they are saved.
rolling_forward = Signal()
