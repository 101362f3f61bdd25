"""Loads the demo world from seeds/ into an empty database."""

from __future__ import annotations

from backend.accounts.tables import Agency


async def database_is_empty() -> bool:
    return not await Agency.exists()


async def load_demo() -> str:
    """Build the demo world (seeds/demo.py); returns what was loaded and where to start."""
    from seeds.demo import build  # noqa: PLC0415

    return await build()
