"""Each person's choice of email digest: off, daily or weekly."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from backend import db
from backend.reviews.digest import DEFAULT_FREQUENCY
from backend.reviews.tables import DIGEST_CHOICES, DigestSetting
from backend.web.forms import Errors, choice, form_data
from backend.web.pages import form_page

HINTS = {
    "off": "Updates stay in your Tandem inbox only.",
    "daily": "At most one email a day, only on days with something new.",
    "weekly": "At most one email a week, only when there is something new.",
}


async def _current(user_id: int) -> dict:
    rows = await DigestSetting.select(DigestSetting.frequency, DigestSetting.last_sent_at).where(
        DigestSetting.user == user_id
    )
    return rows[0] if rows else {"frequency": DEFAULT_FREQUENCY, "last_sent_at": None}


async def _page(
    request: Request, status: int = 200, *, errors=None, chosen: str | None = None, notice=""
) -> Template:
    saved = await _current(request.state.access.user_id)
    return form_page(
        "reviews/digest_settings.html",
        status,
        title="Email about notifications",
        errors=errors or {},
        chosen=chosen if chosen is not None else saved["frequency"],
        last_sent_at=saved["last_sent_at"],
        choices=DIGEST_CHOICES,
        hints=HINTS,
        notice=notice,
    )


@get("/account/notifications", name="reviews.digest_settings")
async def digest_settings(request: Request, done: FromQuery[str | None] = None) -> Template:
    notice = "Your choice is saved." if done == "saved" else ""
    return await _page(request, notice=notice)


@post("/account/notifications", name="reviews.digest_settings_save")
async def digest_settings_save(request: Request) -> Template | Redirect:
    data = await form_data(request)
    errors = Errors()
    frequency = choice(
        data.get("frequency"),
        "frequency",
        errors,
        label="How often to email you",
        choices=DIGEST_CHOICES,
    )
    if errors:
        raw = data.get("frequency")
        return await _page(request, 422, errors=errors, chosen=raw if isinstance(raw, str) else "")
    user_id = request.state.access.user_id
    async with db.writing():
        # One row per person: made on first save, then updated (no race: unique user).
        await DigestSetting.insert(
            DigestSetting(user=user_id, frequency=DEFAULT_FREQUENCY)
        ).on_conflict(target=DigestSetting.user, action="DO NOTHING")
        await DigestSetting.update(
            {DigestSetting.frequency: frequency, DigestSetting.version: DigestSetting.version + 1}
        ).where(DigestSetting.user == user_id)
    url = request.app.route_reverse("reviews.digest_settings")
    return Redirect(f"{url}?done=saved", status_code=303)


route_handlers = [digest_settings, digest_settings_save]
