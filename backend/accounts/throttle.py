"""Sign-in throttling per account and per client address (SEC-03).

A few mistakes cost nothing; after that each further try waits twice as long
as the last, up to 15 minutes, and old failures age out after 15 minutes, so
the real person is never locked out for long. Unknown emails count exactly
like known ones, so the answers cannot tell them apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend import clock
from backend.accounts.store import Store

WINDOW_SECONDS = 15 * 60
MAX_WAIT_SECONDS = 15 * 60
FIRST_WAIT_SECONDS = 30


@dataclass(frozen=True)
class Rule:
    prefix: str
    free_failures: int


ACCOUNT = Rule("email", free_failures=5)
# An office behind one address holds many people: more room before waits start.
ADDRESS = Rule("ip", free_failures=30)


def _key(rule: Rule, value: str) -> str:
    return f"{rule.prefix}:{value.strip().lower()[:250]}"


def _wait(rule: Rule, failures: list[datetime], now: datetime) -> int:
    extra = len(failures) - rule.free_failures
    if extra < 0:
        return 0
    wait = min(FIRST_WAIT_SECONDS * 2**extra, MAX_WAIT_SECONDS)
    ready_at = failures[-1] + timedelta(seconds=wait)
    return math.ceil((ready_at - now).total_seconds()) if ready_at > now else 0


@dataclass
class Attempt:
    """One sign-in try, counted as a failure until it proves otherwise."""

    handles: list[tuple[str, str]]  # (store key, handle of this try's record)
    wait: int  # seconds to wait before trying; 0 = go ahead


async def begin_attempt(store: Store, email: str, address: str) -> Attempt:
    """Count this try first and judge it by the tries before it.

    Counting before the ~0.1 s password check means a burst of requests sent
    all at once sees itself: only the first few get a password checked.
    A try refused here was never tried, so it does not count.
    """
    now = clock.now()
    since = now - timedelta(seconds=WINDOW_SECONDS)
    handles: list[tuple[str, str]] = []
    waits: list[int] = []
    for rule, value in ((ACCOUNT, email), (ADDRESS, address)):
        key = _key(rule, value)
        handles.append((key, await store.add_failure(key, now, WINDOW_SECONDS)))
        earlier = await store.failures_since(key, since)
        if now in earlier:
            earlier.remove(now)  # this try itself
        waits.append(_wait(rule, earlier, now))
    attempt = Attempt(handles, max(waits))
    if attempt.wait:
        await forget(store, attempt)
    return attempt


async def forget(store: Store, attempt: Attempt) -> None:
    """Take this try back: it was refused unheard, or its password was right."""
    for key, handle in attempt.handles:
        await store.remove_failure(key, handle)


async def succeeded(store: Store, attempt: Attempt, email: str) -> None:
    """Signed in: this try is no failure, and the account's slate is wiped (the
    address keeps its count: one success must not reset a run against many accounts)."""
    await forget(store, attempt)
    await store.clear_failures(_key(ACCOUNT, email))


def wait_in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = (seconds + 59) // 60
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
