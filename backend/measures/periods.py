"""Periods of a measure: a data point's date is the first day of its month, quarter or week.

A person may type any day in the period (the 15th of March, a Wednesday); it
is stored as the period's start, so two entries for the same month are the
same period and the unique (measure, period_start) index refuses the second.
CSV files may also name a month ("2025-03") or, for quarterly measures, a
quarter ("2025-Q1").
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from backend.web.forms import FIRST_DAY, LAST_DAY

_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")
_DAY = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_QUARTER = re.compile(r"([0-9]{4})-?[Qq]([1-4])")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def start_of(day: date, period_kind: str) -> date:
    """The first day of the period `day` falls in."""
    if period_kind == "week":
        return day - timedelta(days=day.weekday())  # Monday
    if period_kind == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


def label(start: date, period_kind: str) -> str:
    """How people name a period: "Mar 2025", "Q1 2025", "Week of 3 Mar 2025"."""
    if period_kind == "week":
        return f"Week of {start.day} {_MONTH_NAMES[start.month - 1]} {start.year}"
    if period_kind == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"{_MONTH_NAMES[start.month - 1]} {start.year}"


def code(start: date, period_kind: str) -> str:
    """The period as a CSV row or an error message writes it: 2025-03, 2025-Q1, 2025-03-03."""
    if period_kind == "week":
        return start.isoformat()
    if period_kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def example(period_kind: str) -> str:
    """The forms a period may be typed in, for hints and error messages."""
    if period_kind == "quarter":
        return "2025-01-01, 2025-01 or 2025-Q1"
    if period_kind == "week":
        return "2025-03-03 (any day of the week)"
    return "2025-03-01 or 2025-03"


def parse(raw: str, period_kind: str) -> date | None:
    """The start of the period written as `raw` (a day, a month or a quarter), else None."""
    text = raw.strip()
    day: date | None = None
    if _DAY.fullmatch(text):
        year, month, dom = (int(part) for part in text.split("-"))
        try:
            day = date(year, month, dom)
        except ValueError:
            return None
    elif period_kind != "week" and (match := _MONTH.fullmatch(text)):
        # A month names no single week, so weekly measures need a day.
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            return None
        day = date(year, month, 1)
    elif period_kind == "quarter" and (match := _QUARTER.fullmatch(text)):
        day = date(int(match.group(1)), 3 * (int(match.group(2)) - 1) + 1, 1)
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        return None
    return start_of(day, period_kind)
