"""The one place the app reads the time, so tests can move it."""

from collections.abc import Callable
from datetime import UTC, date, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _now()


def today() -> date:
    return now().date()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Tests pass a function returning an aware datetime; None restores real time."""
    global _now
    _now = fn or (lambda: datetime.now(UTC))
