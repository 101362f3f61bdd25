"""How an exploration form page saves: run the service, or say why it did not.

Every create and edit handler does the same after parsing: skip the save when
the form has errors, add the service's own field errors (422), keep a version
conflict's message (409, DATA-01) and, for an edit, show the row as saved now
with its version in the form, so that saving again knowingly replaces it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from backend.errors import Conflict, Invalid
from backend.exploration.services import OldVersion
from backend.initiatives.queries import initiative_or_404
from backend.web import pii
from backend.web.forms import Errors, edit_version, form_data, typed

Row = dict[str, Any]


@dataclass
class Saved:
    ok: bool
    value: Any = None  # what the save returned (a new row's id)
    conflict: str | None = None
    row: Row | None = None  # the row the re-rendered edit form shows
    version: int | None = None  # the version the re-rendered edit form carries

    @property
    def status(self) -> int:
        return 409 if self.conflict else 422


async def attempt(
    errors: Errors,
    save: Callable[[], Awaitable[Any]],
    *,
    row: Row | None = None,
    version: int | None = None,
    reread: Callable[[int], Awaitable[Row]] | None = None,
) -> Saved:
    """Run `save` unless `errors` already holds some.

    For an edit pass the row as loaded, the `version` the form was made from and
    `reread` (its `*_or_404`): after a conflict the result carries the row as
    saved now and its version; otherwise the row as loaded and the form's version.
    Other conflicts are not the form's to show: a write to an old theory version
    (OldVersion), or any conflict of a create, goes on to the app's 409 page.
    """
    if errors:
        return Saved(False, row=row, version=version)
    try:
        value = await save()
    except OldVersion:
        raise
    except Conflict as exc:
        if row is None:
            raise
        current = await reread(row["id"]) if reread else row
        return Saved(False, conflict=exc.message, row=current, version=current["version"])
    except Invalid as exc:
        errors.merge(exc.errors)
        return Saved(False, row=row, version=version)
    return Saved(True, value=value)


async def save_edit(
    request: Request,
    row: Row,
    *,
    what: str,
    fields: tuple[str, ...],
    parse: Callable[[dict[str, Any]], tuple[dict[str, Any], Errors]],
    pii_fields: dict[str, str],
    update: Callable[[int, int, dict[str, Any]], Awaitable[None]],
    reread: Callable[[int], Awaitable[Row]],
    form: Callable[..., Awaitable[Template]],
    done: str,
) -> Template | Redirect:
    """The POST of a plain edit form (a finding, a data plan question).

    Parse, pass the free text through the personal-information guard (PII-01)
    and save from the form's version; then 303 to `done`, or the form again
    with what was typed: `form(initiative, row, values, errors, status,
    conflict, version=...)`.
    """
    initiative = await initiative_or_404(row["initiative"])
    data = await form_data(request)
    version = edit_version(data, what)
    values, errors = parse(data)
    await pii.check(data, pii_fields, initiative["agency"], errors)
    saved = await attempt(
        errors,
        lambda: update(row["id"], version, values),
        row=row,
        version=version,
        reread=reread,
    )
    if saved.ok:
        return Redirect(done, status_code=303)
    return await form(
        initiative,
        saved.row,
        typed(data, fields),
        errors,
        saved.status,
        saved.conflict,
        version=saved.version,
    )
