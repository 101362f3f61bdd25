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


class SignInRequired(DomainError):
    """No valid session (or API token): people are sent to sign in, scripts get a 401."""

    status_code = 401

    def __init__(self, message: str = "Sign in to continue", route: str = "accounts.sign_in"):
        super().__init__(message)
        # Where a person is sent: the sign-in page, or the authenticator set-up
        # page for a site admin who has none yet.
        self.route = route


class Forbidden(DomainError):
    status_code = 403
