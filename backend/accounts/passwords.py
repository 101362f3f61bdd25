"""Password hashing (argon2id, off the event loop) and the password rules (SEC-01, SEC-02)."""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 128

# OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Hashing takes ~0.1 s of CPU and 19 MiB each: a burst of sign-ins queues here
# instead of exhausting memory or every worker thread.
_HASHING_AT_ONCE = 4
_slots: dict[int, asyncio.Semaphore] = {}

# Verified against when the email is unknown, so that answer takes as long as a
# wrong password (SEC-03: no timing difference between the two).
_DUMMY_HASH = HASHER.hash("not a real password: only spends the same time")


def _slot() -> asyncio.Semaphore:
    loop_id = id(asyncio.get_running_loop())
    if loop_id not in _slots:
        _slots[loop_id] = asyncio.Semaphore(_HASHING_AT_ONCE)
    return _slots[loop_id]


async def hash_password(password: str) -> str:
    async with _slot():
        return await anyio.to_thread.run_sync(HASHER.hash, password)


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored or _DUMMY_HASH, password) and bool(stored)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str, password: str) -> bool:
    """True when `password` matches; an empty `stored` never matches but costs the same."""
    async with _slot():
        return await anyio.to_thread.run_sync(_verify, stored, password)


def needs_rehash(stored: str) -> bool:
    """A hash made with weaker (older) parameters is replaced at the next sign-in."""
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """30,000 passwords seen most often in leaks (zxcvbn's list), lower-case."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


_TRAILING_FILLER = re.compile(r"[\d\W_]+$")


_NOT_LETTERS = re.compile(r"[\d\W_]+")


def _context_words(context: tuple[str, ...]) -> set[str]:
    """ "Marisol Vega", "m.vega@agency.gov" -> {"marisol", "vega", "m.vega", ...}."""
    words: set[str] = set()
    for value in context:
        value = value.lower()
        words.add(value)
        local = value.split("@", 1)[0]
        words.add(local)
        words.update(re.split(r"[\s._@-]+", value))
    return {w for w in words if len(w) >= 4}


def _is_common(password: str, context: tuple[str, ...]) -> bool:
    lowered = password.lower()
    common = _common_passwords()
    if lowered in common:
        return True
    # "password1234!" is "password" with filler on the end.
    stem = _TRAILING_FILLER.sub("", lowered)
    if stem != lowered and stem in common:
        return True
    # One short pattern repeated: "aaaaaaaaaaaa", "abcabcabcabc", "121212121212".
    for size in range(1, 5):
        if len(lowered) % size == 0 and lowered == lowered[:size] * (len(lowered) // size):
            return True
    # The person's own name or email (or this product's name) plus digits and symbols.
    for word in _context_words(context):
        if word in lowered and len(_NOT_LETTERS.sub("", lowered.replace(word, ""))) < 4:
            return True
    return False


def password_problem(password: str, *, context: tuple[str, ...] = ()) -> str | None:
    """What is wrong with a new password, in words, or None. No composition rules."""
    length = len(password)
    if length < MIN_LENGTH:
        return f"Enter a password of at least {MIN_LENGTH} characters"
    if length > MAX_LENGTH:
        return f"Enter a password of at most {MAX_LENGTH} characters"
    if _is_common(password, (*context, "tandem")):
        return "This password is too common or too easy to guess: choose another"
    return None
