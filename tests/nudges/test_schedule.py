from datetime import date, datetime
from zoneinfo import ZoneInfo

from nudges.schedule import due_dates, local_day, missed_due_date

START, END = date(2026, 7, 1), date(2026, 9, 30)


def test_weekly_due_dates_end_each_week_of_the_period():
    dues = due_dates("weekly", START, END)
    assert dues[:3] == [date(2026, 7, 7), date(2026, 7, 14), date(2026, 7, 21)]
    assert dues[-1] == date(2026, 9, 29)  # the last full week; 30 Sep starts a 14th week


def test_monthly_due_dates_are_the_day_before_the_same_day_next_month():
    assert due_dates("monthly", START, END) == [
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
    ]
    assert due_dates("monthly", date(2026, 1, 31), date(2026, 4, 30)) == [
        date(2026, 2, 27),  # 28 Feb is "31 Feb", the month's last day; due the day before
        date(2026, 3, 30),
        date(2026, 4, 29),
    ]


def test_no_cadence_is_never_due():
    assert due_dates("none", START, END) == []
    assert missed_due_date("none", START, END, None, date(2026, 8, 1)) is None


def test_missed_only_from_the_day_after_the_due_date():
    assert missed_due_date("weekly", START, END, None, date(2026, 7, 7)) is None
    assert missed_due_date("weekly", START, END, None, date(2026, 7, 8)) == date(2026, 7, 7)


def test_an_actual_in_the_week_or_the_morning_after_counts():
    assert missed_due_date("weekly", START, END, date(2026, 7, 3), date(2026, 7, 8)) is None
    assert missed_due_date("weekly", START, END, date(2026, 7, 8), date(2026, 7, 8)) is None
    # Last week's actual does not count for this week.
    assert missed_due_date("weekly", START, END, date(2026, 7, 7), date(2026, 7, 15)) == date(
        2026, 7, 14
    )


def test_a_users_day_follows_their_time_zone():
    instant = datetime(2026, 7, 7, 12, 30, tzinfo=ZoneInfo("UTC"))
    assert local_day(instant, ZoneInfo("Pacific/Auckland")) == date(2026, 7, 8)
    assert local_day(instant, ZoneInfo("UTC")) == date(2026, 7, 7)
    assert local_day(instant, ZoneInfo("America/Los_Angeles")) == date(2026, 7, 7)


def test_nothing_is_due_once_the_period_is_over():
    assert missed_due_date("weekly", START, END, None, date(2026, 10, 6)) == date(2026, 9, 29)
    assert missed_due_date("weekly", START, END, None, date(2026, 10, 7)) is None
