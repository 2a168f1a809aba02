"""Calendar quarters: the periods plans are made for, and the period after a plan's."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from race_planner.dates import FIRST_DAY, LAST_DAY


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        last_month = 3 * self.number
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year} ({self.start:%-d %b} – {self.end:%-d %b})"

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def from_key(cls, key: str) -> Quarter:
        """Parse "2026-Q3"; ValueError for anything else, years outside the app's dates too."""
        year, _, number = key.partition("-Q")
        quarter = cls(int(year), int(number))
        if not 1 <= quarter.number <= 4 or not FIRST_DAY.year <= quarter.year <= LAST_DAY.year:
            raise ValueError(key)
        return quarter


def quarter_choices(today: date, *, ahead: int = 4) -> list[Quarter]:
    """The current quarter and the next few, for the new-plan form."""
    quarter = Quarter.containing(today)
    quarters = [quarter]
    for _ in range(ahead):
        quarter = quarter.next()
        quarters.append(quarter)
    return quarters


class BeyondTheCalendar(ValueError):
    """The period after a plan's would end after the last date the app accepts."""


def next_period(start: date, end: date) -> tuple[date, date]:
    """The period after [start, end]: the next quarter when it is one, else as long again.

    BeyondTheCalendar when it would end after LAST_DAY (2100), with a message for people.
    """
    quarter = Quarter.containing(start)
    try:
        if quarter.start == start and quarter.end == end:
            start, end = quarter.next().start, quarter.next().end
        else:
            start, end = end + timedelta(days=1), end + (end - start) + timedelta(days=1)
    except (ValueError, OverflowError):  # past year 9999: a plan stored before the limits
        end = date.max
    if end > LAST_DAY:
        raise BeyondTheCalendar(
            f"The next period would end after {LAST_DAY:%-d %b %Y}, the last date plans can use."
        )
    return start, end
