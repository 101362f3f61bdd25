"""Security headers on every response (errors and 404s included), no-store for pages."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ]
)


def security_headers(hsts: bool):
    """A `before_send` hook: Litestar runs it for every response, including routing 404s."""
    fixed = {
        "content-security-policy": CSP,
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
    }
    if hsts:
        fixed["strict-transport-security"] = "max-age=31536000; includeSubDomains"

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in fixed.items():
            if name not in headers:
                headers[name] = value
        if not scope["path"].startswith("/static/") and "cache-control" not in headers:
            headers["cache-control"] = "no-store"

    return before_send
