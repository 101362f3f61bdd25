"""A liaison's sign-off of a sprint review: signed off, or changes requested.

Only a closed sprint can be signed off: closing the sprint is the team saying the
work against the goal is done and the review notes say what was done, and the
agency's liaisons are told it is ready (scrum.services.complete_sprint). Each
decision adds a row, so the history is kept; the sprint page shows it, newest
first, in its "Review sign-off" section. A bad form comes back on the sprint page
(422, with what was typed); a sprint that is not closed is a 409.
"""

from __future__ import annotations

from litestar import Request, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend.errors import Conflict
from backend.initiatives.queries import initiative_or_404
from backend.reviews.signoff_queries import (
    SPRINT_ANCHOR,
    check_comment,
    parse_decision,
    sign_off_sprint,
)
from backend.scrum.sprint_queries import sprint_or_404
from backend.scrum.sprints import render_sprint
from backend.web.forms import form_data, typed

# Field ids of the form on the sprint page (the page holds other forms).
DECISION_FIELD = "sign_off_decision"
COMMENT_FIELD = "sign_off_comment"
FORM = "sign-off"


@post("/sprints/{sprint_id:int}/sign-off", name="reviews.sprint_sign_off")
async def sprint_sign_off(request: Request, sprint_id: FromPath[int]) -> Template | Redirect:
    sprint = await sprint_or_404(sprint_id)
    data = await form_data(request)
    values, errors = parse_decision(
        data, decision_field=DECISION_FIELD, comment_field=COMMENT_FIELD
    )
    agency_id = (await initiative_or_404(sprint["initiative"]))["agency"]
    await check_comment(data, agency_id, errors, COMMENT_FIELD, FORM)
    if not errors:
        access = request.state.access
        try:
            await sign_off_sprint(
                sprint_id, values["decision"], values["comment"], access.user_id, access.name
            )
        except Conflict as exc:
            return await render_sprint(request, sprint, status=409, conflict=exc.message)
        url = request.app.route_reverse("scrum.sprint", sprint_id=sprint_id)
        return Redirect(f"{url}#{SPRINT_ANCHOR}", status_code=303)
    page = await render_sprint(request, sprint, status=422, errors=errors)
    # What was typed goes back into the form (the sprint page knows nothing of it).
    page.context["sign_off_typed"] = typed(data, ("decision", "comment"))
    return page


route_handlers = [sprint_sign_off]
