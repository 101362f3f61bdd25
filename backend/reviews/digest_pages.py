"""(being built: issue 6)"""

from __future__ import annotations

route_handlers: list = []
