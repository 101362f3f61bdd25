"""Local redirect targets only: `next=` never leaves this site (SEC-15)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def safe_next(raw: Any, fallback: str) -> str:
    """`raw` when it is a path on this site, else `fallback` (SEC-15).

    Refuses other hosts (`//evil.example`, `https://...`), backslashes (which
    browsers read as slashes) and control characters (which browsers strip,
    turning `/\\t/evil` into `//evil`).
    """
    if not isinstance(raw, str) or not raw.startswith("/") or len(raw) > 2000:
        return fallback
    if raw.startswith("//") or "\\" in raw or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        return fallback
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return fallback
    return raw
