"""Charts page: the burndown of one sprint and the initiative's velocity (A11Y-07).

Each chart is an SVG drawn on the server with a text takeaway and the same
numbers in a table, so nobody needs to read the picture to get the facts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from backend import clock
from backend.errors import NotFound
from backend.initiatives.queries import initiative_or_404
from backend.scrum import metrics, svg
from backend.scrum.metrics import Burndown, VelocityPoint
from backend.scrum.tables import Sprint
from backend.web.templating import points as format_points

SPRINT_COLUMNS = (
    Sprint.id,
    Sprint.number,
    Sprint.state,
    Sprint.goal,
    Sprint.start_date,
    Sprint.end_date,
    Sprint.started_at,
    Sprint.closed_at,
    Sprint.committed_points,
    Sprint.completed_points,
)


def _points(n: int | float) -> str:
    return f"{format_points(n)} point" + ("" if n == 1 else "s")


def _days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _scope_clause(days: list[metrics.BurndownDay], attr: str, verb: str) -> str | None:
    changes = [(d.day, getattr(d, attr)) for d in days if getattr(d, attr)]
    if not changes:
        return None
    total = sum(n for _, n in changes)
    if len(changes) == 1:
        was = "was" if total == 1 else "were"
        return f"{_points(total)} {was} {verb} on {svg.short_date(changes[0][0])}"
    when = _joined([f"{n} on {svg.short_date(day)}" for day, n in changes])
    return f"{_points(total)} were {verb} ({when})"


def burndown_takeaway(sprint: dict[str, Any], burndown: Burndown, today: date) -> str:
    """One sentence a person can act on, e.g. "12 of 30 points remain with 4 days left; ..."."""
    known = [d for d in burndown.days if d.remaining is not None]
    if not known:
        return f"Sprint {sprint['number']} has not started yet."
    last = known[-1]
    remaining, scope = last.remaining, last.scope or 0
    if sprint["state"] == "closed":
        if remaining == 0:
            sentence = f"Sprint {sprint['number']} finished all {_points(scope)}"
        else:
            sentence = (
                f"Sprint {sprint['number']} closed with {remaining} of {_points(scope)} not done"
            )
    else:
        left = max((sprint["end_date"] - today).days, 0)
        when = f"with {_days(left)} left" if left else "on the last day"
        verb = "remains" if remaining == 1 and scope == 1 else "remain"
        sentence = f"{remaining} of {_points(scope)} {verb} {when}"
    clauses = [
        c
        for c in (
            _scope_clause(burndown.days, "added", "added"),
            _scope_clause(burndown.days, "removed", "removed"),
        )
        if c
    ]
    return "; ".join([sentence, *clauses]) + "."


def velocity_takeaway(points: list[VelocityPoint], average: float | None) -> str:
    if not points or average is None:
        return "No sprint has closed yet, so there is no velocity to show."
    recent = min(len(points), 3)
    last = points[-1]
    return (
        f"Average velocity over the last {recent} closed sprint{'' if recent == 1 else 's'} "
        f"is {_points(average)}; sprint {last.number} completed {last.completed} of "
        f"{_points(last.committed)} committed."
    )


def _default_sprint(sprints: list[dict[str, Any]]) -> dict[str, Any] | None:
    active = [s for s in sprints if s["state"] == "active"]
    if active:
        return active[0]
    closed = [s for s in sprints if s["state"] == "closed"]
    return closed[-1] if closed else None


@get("/initiatives/{initiative_id:int}/charts", name="scrum.charts")
async def charts_page(
    initiative_id: FromPath[int], sprint_id: FromQuery[int | None] = None
) -> Template:
    initiative = await initiative_or_404(initiative_id)
    sprints = await (
        Sprint.select(*SPRINT_COLUMNS)
        .where(Sprint.initiative == initiative_id)
        .order_by(Sprint.number)
    )
    if sprint_id is not None:
        sprint = next((s for s in sprints if s["id"] == sprint_id), None)
        if sprint is None:
            raise NotFound(f"Sprint {sprint_id} is not a sprint of this initiative")
    else:
        sprint = _default_sprint(sprints)
    now = clock.now()
    burndown = burndown_chart = takeaway = None
    if sprint is not None and sprint["state"] != "planned":
        burndown = await metrics.sprint_burndown(sprint, now)
        burndown_chart = svg.burndown_chart(burndown)
        takeaway = burndown_takeaway(sprint, burndown, now.date())
    velocity = await metrics.velocity(initiative_id)
    average = metrics.average_velocity(velocity)
    return Template(
        "scrum/charts.html",
        context={
            "title": "Charts",
            "initiative": initiative,
            "nav": "charts",
            "sprint": sprint,
            "sprint_options": [
                (s["id"], f"Sprint {s['number']} ({s['state']})")
                for s in reversed(sprints)
                if s["state"] != "planned" or s["id"] == (sprint or {}).get("id")
            ],
            "burndown": burndown,
            "burndown_chart": burndown_chart,
            "burndown_takeaway": takeaway,
            "velocity": velocity,
            "average": average,
            "velocity_chart": svg.velocity_chart(velocity, average) if velocity else None,
            "velocity_takeaway": velocity_takeaway(velocity, average),
        },
    )


route_handlers = [charts_page]
