"""Reads behind the sprint and release pages, each a fixed number of queries (PERF-01).

Points are summed in SQL per sprint (GROUP BY), so a sprint list or a release
page costs the same whatever the number of items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from backend import db
from backend.errors import NotFound
from backend.scrum.services import CLOSE_CHANGES
from backend.scrum.tables import BacklogItem, ItemHistory, Release, Sprint

ADD_PER_PAGE = 50  # backlog items offered for adding to a sprint, per page

SPRINT_COLUMNS = (
    Sprint.id,
    Sprint.initiative,
    Sprint.number,
    Sprint.goal,
    Sprint.start_date,
    Sprint.end_date,
    Sprint.capacity,
    Sprint.state,
    Sprint.started_at,
    Sprint.closed_at,
    Sprint.committed_points,
    Sprint.completed_points,
    Sprint.planning_notes,
    Sprint.review_notes,
    Sprint.retrospective_notes,
    Sprint.version,
    Sprint.release,
    Sprint.release.name.as_alias("release_name"),
)

ITEM_ROW_COLUMNS = (
    BacklogItem.id,
    BacklogItem.kind,
    BacklogItem.title,
    BacklogItem.estimate,
    BacklogItem.rank,
    BacklogItem.status.name.as_alias("status_name"),
    BacklogItem.status.is_done.as_alias("is_done"),
)


async def sprint_or_404(sprint_id: int) -> dict[str, Any]:
    if not db.possible_id(sprint_id):
        raise NotFound(f"Sprint {sprint_id} was not found")
    rows = await Sprint.select(*SPRINT_COLUMNS).where(Sprint.id == sprint_id)
    if not rows:
        raise NotFound(f"Sprint {sprint_id} was not found")
    return rows[0]


async def points_by_sprint(sprint_ids: list[int]) -> dict[int, dict[str, int]]:
    """sprint id -> {"points", "done", "items"} as the sprint holds them now (2 queries)."""
    out = {sid: {"points": 0, "done": 0, "items": 0} for sid in sprint_ids}
    if not sprint_ids:
        return out
    total = (
        await BacklogItem.select(
            BacklogItem.sprint,
            Sum(BacklogItem.estimate, alias="points"),
            Count(BacklogItem.id, alias="n"),
        )
        .where(BacklogItem.sprint.is_in(sprint_ids))
        .group_by(BacklogItem.sprint)
    )
    done = (
        await BacklogItem.select(BacklogItem.sprint, Sum(BacklogItem.estimate, alias="points"))
        .where(
            BacklogItem.sprint.is_in(sprint_ids) & (BacklogItem.status.is_done == True)  # noqa: E712 - piccolo builds SQL from ==
        )
        .group_by(BacklogItem.sprint)
    )
    for row in total:
        out[row["sprint"]]["points"] = int(row["points"] or 0)
        out[row["sprint"]]["items"] = int(row["n"] or 0)
    for row in done:
        out[row["sprint"]]["done"] = int(row["points"] or 0)
    return out


def shown_points(sprint: dict[str, Any], now: dict[str, int]) -> tuple[int, int]:
    """(committed, completed) as a person should read them.

    A closed sprint shows the numbers frozen when it started and closed; an
    active one its committed scope and what is done now; a planned one what is
    planned in it so far.
    """
    if sprint["state"] == "closed":
        return sprint["committed_points"] or 0, sprint["completed_points"] or 0
    if sprint["state"] == "active" and sprint["committed_points"] is not None:
        return sprint["committed_points"], now["done"]
    return now["points"], now["done"]


async def initiative_sprints(initiative_id: int) -> list[dict[str, Any]]:
    """Every sprint of the initiative by number, with the points to show (3 queries)."""
    sprints = await (
        Sprint.select(*SPRINT_COLUMNS)
        .where(Sprint.initiative == initiative_id)
        .order_by(Sprint.number)
    )
    points = await points_by_sprint([s["id"] for s in sprints])
    for sprint in sprints:
        now = points[sprint["id"]]
        sprint["now"] = now
        sprint["committed"], sprint["completed"] = shown_points(sprint, now)
    return sprints


async def sprint_items(sprint_id: int) -> list[dict[str, Any]]:
    return await (
        BacklogItem.select(*ITEM_ROW_COLUMNS)
        .where(BacklogItem.sprint == sprint_id)
        .order_by(BacklogItem.rank)
    )


@dataclass
class AddablePage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int

    @property
    def first(self) -> int:
        return (self.page - 1) * ADD_PER_PAGE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * ADD_PER_PAGE, self.total)


async def addable_items(initiative_id: int, page: int) -> AddablePage:
    """Open backlog items in no sprint, in rank order, one page at a time."""
    where = (
        (BacklogItem.initiative == initiative_id)
        & BacklogItem.sprint.is_null()
        & (BacklogItem.status.is_done == False)  # noqa: E712
    )
    total = await BacklogItem.count().where(where)
    pages = max(1, -(-total // ADD_PER_PAGE))
    page = min(max(page, 1), pages)
    rows = await (
        BacklogItem.select(*ITEM_ROW_COLUMNS)
        .where(where)
        .order_by(BacklogItem.rank)
        .limit(ADD_PER_PAGE)
        .offset((page - 1) * ADD_PER_PAGE)
    )
    return AddablePage(rows, total, page, pages)


async def items_at_close(sprint: dict[str, Any]) -> list[dict[str, Any]]:
    """The items a closed sprint held when it closed, as item history recorded them.

    Each item's latest history row before the close (ignoring the carry-over
    rows written by the close itself) says whether it was in the sprint, its
    estimate then and whether it was done. Later changes do not show here.
    """
    closed_at = sprint["closed_at"]
    member_ids = ItemHistory.select(ItemHistory.item).where(ItemHistory.sprint == sprint["id"])
    history = await (
        ItemHistory.select(
            ItemHistory.id,
            ItemHistory.item,
            ItemHistory.at,
            ItemHistory.change,
            ItemHistory.sprint,
            ItemHistory.estimate,
            ItemHistory.is_done,
        )
        .where(ItemHistory.item.is_in(member_ids) & (ItemHistory.at <= closed_at))
        .order_by(ItemHistory.at)
        .order_by(ItemHistory.id)
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in history:
        if row["at"] >= closed_at and row["change"] in CLOSE_CHANGES:
            continue
        latest[row["item"]] = row
    inside = {i: r for i, r in latest.items() if r["sprint"] == sprint["id"]}
    if not inside:
        return []
    items = await (
        BacklogItem.select(
            BacklogItem.id,
            BacklogItem.kind,
            BacklogItem.title,
            BacklogItem.rank,
            BacklogItem.sprint,
            BacklogItem.sprint.number.as_alias("sprint_number"),
        )
        .where(BacklogItem.id.is_in(list(inside)))
        .order_by(BacklogItem.rank)
    )
    for item in items:
        at_close = inside[item["id"]]
        item["estimate"] = at_close["estimate"]
        item["is_done"] = bool(at_close["is_done"])
    return items


# ---------------------------------------------------------------- releases


async def release_or_404(release_id: int) -> dict[str, Any]:
    if not db.possible_id(release_id):
        raise NotFound(f"Release {release_id} was not found")
    rows = await Release.select(
        *Release.all_columns(),
        Release.stage.name.as_alias("stage_name"),
        Release.stage.position.as_alias("stage_position"),
    ).where(Release.id == release_id)
    if not rows:
        raise NotFound(f"Release {release_id} was not found")
    return rows[0]


async def release_progress(release_ids: list[int]) -> dict[int, dict[str, int]]:
    """release id -> planned and done points of the items in its sprints (2 queries)."""
    out = {rid: {"planned": 0, "done": 0} for rid in release_ids}
    if not release_ids:
        return out
    in_releases = BacklogItem.sprint.release.is_in(release_ids)
    release = BacklogItem.sprint.release.as_alias("release")
    planned = (
        await BacklogItem.select(release, Sum(BacklogItem.estimate, alias="points"))
        .where(in_releases)
        .group_by(BacklogItem.sprint.release)
    )
    done = (
        await BacklogItem.select(
            BacklogItem.sprint.release.as_alias("release"),
            Sum(BacklogItem.estimate, alias="points"),
        )
        .where(in_releases & (BacklogItem.status.is_done == True))  # noqa: E712
        .group_by(BacklogItem.sprint.release)
    )
    for row in planned:
        out[row["release"]]["planned"] = int(row["points"] or 0)
    for row in done:
        out[row["release"]]["done"] = int(row["points"] or 0)
    for p in out.values():
        p["percent"] = round(100 * p["done"] / p["planned"]) if p["planned"] else 0
    return out


async def release_options(initiative_id: int) -> list[tuple[int, str]]:
    rows = await (
        Release.select(Release.id, Release.name)
        .where(Release.initiative == initiative_id)
        .order_by(Release.id)
    )
    return [(r["id"], r["name"]) for r in rows]
