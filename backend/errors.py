"""Domain errors that controllers turn into 4xx responses."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status_code = 404


class Invalid(DomainError):
    """Input failed validation; `errors` maps field name to message."""

    status_code = 422

    def __init__(self, errors: dict[str, str], message: str = "Check the highlighted fields"):
        super().__init__(message)
        self.errors = errors


class Conflict(DomainError):
    """Someone else changed the row first; `current` holds what is saved now."""

    status_code = 409

    def __init__(self, message: str, current: dict[str, Any] | None = None):
        super().__init__(message)
        self.current = current or {}
