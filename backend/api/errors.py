"""JSON errors for bodies the API cannot use: 400 unreadable, 422 per field.

Litestar raises one ValidationException (status 400) for every value it cannot
convert, whether the body is not an object at all or one field has the wrong
type. The API answers the first with 400 and the second with 422 and a
message per field, the same shape as `backend.errors.Invalid`.
"""

from __future__ import annotations

import re

from litestar import MediaType, Request, Response
from litestar.exceptions import ClientException, SerializationException, ValidationException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_422_UNPROCESSABLE_ENTITY

from backend.api.schemas import FIELD_MESSAGES, MISSING_MESSAGES

MISSING_FIELD = re.compile(r"missing required field `(\w+)`")
# msgspec names the offending field as the last key of its path, e.g. `$.data.title`.
BODY = "data"


def field_errors(exc: ValidationException) -> tuple[dict[str, str], str | None]:
    """(errors per field, a problem with the body as a whole or None)."""
    errors: dict[str, str] = {}
    body_problem = None
    for entry in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(entry, dict):
            continue
        key = str(entry.get("key") or "")
        message = str(entry.get("message") or "")
        missing = MISSING_FIELD.search(message)
        if missing:
            name = missing.group(1)
            errors.setdefault(name, MISSING_MESSAGES.get(name, f"Enter {name}"))
        elif key == BODY or not key:
            body_problem = "The request body must be a JSON object"
        else:
            errors.setdefault(key, FIELD_MESSAGES.get(key, f"{key}: {message}"))
    return errors, body_problem


def validation_error_handler(request: Request, exc: ValidationException) -> Response:
    errors, body_problem = field_errors(exc)
    if errors:
        return Response(
            {"detail": "Check the fields listed in errors", "errors": errors},
            status_code=HTTP_422_UNPROCESSABLE_ENTITY,
            media_type=MediaType.JSON,
        )
    return Response(
        {"detail": body_problem or "The request could not be read"},
        status_code=HTTP_400_BAD_REQUEST,
        media_type=MediaType.JSON,
    )


async def read_json_body(request: Request) -> None:
    """Decode a write's JSON body before the handler's arguments are built.

    Litestar 2.25 turns malformed JSON into a 400 but lets invalid UTF-8 and
    very deep nesting escape as UnicodeDecodeError/RecursionError (a 500).
    Decoding here first refuses those with 400; a good body is cached on the
    request, so Litestar does not decode it twice.
    """
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    try:
        await request.json()
    except SerializationException as exc:
        raise ClientException(f"The request body is not valid JSON: {exc.detail}") from exc
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ClientException("The request body is not valid JSON (UTF-8, not too deep)") from exc
