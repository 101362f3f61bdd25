"""Error responses: a plain page for people, JSON under /api/, never a traceback."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from backend.errors import Conflict, DomainError, Invalid, SignInRequired
from backend.web.safe_next import safe_next

log = logging.getLogger("tandem.errors")

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    409: "Changed by someone else",
    413: "Too large",
    422: "Check your input",
    500: "Something went wrong",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _respond(request: Request, status: int, message: str, extra: dict[str, Any]) -> Response:
    if is_api(request):
        return Response({"detail": message, **extra}, status_code=status, media_type=MediaType.JSON)
    if request.headers.get("hx-request"):
        # An htmx swap gets a short fragment it can show in place.
        return Template(
            "_error_message.html",
            context={"message": message, "status": status},
            status_code=status,
        )
    return Template(
        "error.html",
        context={"title": TITLES.get(status, "Error"), "message": message, "status": status},
        status_code=status,
    )


def sign_in_handler(request: Request, exc: SignInRequired) -> Response:
    """Scripts get a 401; htmx is told to load the page; browsers a 303 with a safe `next`."""
    if is_api(request):
        return Response(
            {"detail": exc.message},
            status_code=401,
            media_type=MediaType.JSON,
            headers={"www-authenticate": 'Bearer realm="tandem"'},
        )
    target = request.app.route_reverse(exc.route)
    if exc.route == "accounts.sign_in" and request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = f"{target}?{urlencode({'next': safe_next(here, '/')})}"
    if request.headers.get("hx-request"):
        return Response("", status_code=401, headers={"hx-redirect": target})
    return Redirect(target, status_code=303)


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    extra: dict[str, Any] = {}
    if isinstance(exc, Invalid):
        extra["errors"] = exc.errors
    if isinstance(exc, Conflict) and exc.current:
        extra["current"] = exc.current
    return _respond(request, exc.status_code, exc.message, extra)


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    message = exc.detail if status < 500 else TITLES[500]
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException):
        message = "The request could not be read: check the values sent"
        if is_api(request) and exc.extra:
            extra["errors"] = [
                {"key": e.get("key"), "message": e.get("message")}
                for e in exc.extra
                if isinstance(e, dict)
            ]
    if status == 404 and message in ("", "Not Found"):
        message = "There is nothing at this address."
    return _respond(request, status, message, extra)


def server_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("Unhandled error on %s %s", request.method, request.url.path)
    return _respond(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Your request was not completed; please try again.",
        {},
    )


EXCEPTION_HANDLERS = {
    SignInRequired: sign_in_handler,
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: server_error_handler,
}
