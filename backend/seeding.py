"""Loads the demo world from seeds/ into a database nobody uses yet."""

from __future__ import annotations

from backend.accounts.tables import User


async def database_is_empty() -> bool:
    """No people: nobody could sign in, so the demo world is welcome. (A database
    from before accounts existed has agencies but no people; it gets them too.)"""
    return not await User.exists()


async def load_demo(local: bool = True) -> str:
    """Build the demo world (seeds/demo.py); returns what was loaded and where to start.

    Outside local development the demo people get no usable password."""
    from seeds.demo import build  # noqa: PLC0415

    return await build(local=local)
