"""Security events (SEC-16): one log line each, with UTC time, user and client address.

Never passwords, codes, tokens or cookies. Values are quoted so that a line
break or control character typed into a form cannot forge a log line.
"""

from __future__ import annotations

import json
import logging

from litestar.connection import ASGIConnection

from backend import clock

log = logging.getLogger("tandem.security")


def _inert(value: object) -> str:
    # json.dumps escapes \r, \n and every other control character.
    return json.dumps(str(value), ensure_ascii=True)


def client_address(connection: ASGIConnection) -> str:
    client = connection.scope.get("client")
    return client[0] if client else "unknown"


def security_event(
    event: str, connection: ASGIConnection, *, user: object = None, **details: object
) -> None:
    fields = {
        "event": event,
        "at": clock.now().isoformat(timespec="seconds"),
        "user": user if user is not None else "-",
        "address": client_address(connection),
        **details,
    }
    log.info(" ".join(f"{key}={_inert(value)}" for key, value in fields.items()))
