"""TOTP second factor (SEC-04): codes checked with one step of clock drift, never twice."""

from __future__ import annotations

import re

import pyotp
import segno
from markupsafe import Markup

from backend import clock

ISSUER = "Tandem"
STEP_SECONDS = 30
_CODE = re.compile(r"[0-9]{6}")


def new_secret() -> str:
    return pyotp.random_base32()


def setup_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The set-up QR code as inline SVG, drawn here (no image service, no script)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", border=2)
    return Markup(svg)  # noqa: S704 - segno's own markup, no user text inside but the URI


def accepted_step(secret: str, code: str, last_step: int) -> int | None:
    """The time step `code` belongs to, if it is right, current and newer than `last_step`.

    Refusing any step at or before the last accepted one makes a code single-use,
    even within its 30 seconds (a code read over someone's shoulder is worthless).
    """
    code = (code or "").replace(" ", "")
    if not secret or not _CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(clock.now().timestamp()) // STEP_SECONDS
    for step in (now_step - 1, now_step, now_step + 1):
        if step > last_step and pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None
