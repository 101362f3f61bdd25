"""Every write to backlog items and sprints: one transaction each, history kept.

Controllers (HTML and API) validate the shape of input in `forms.py` and call
these functions, which check that referenced rows belong to the same
initiative, apply the change atomically and append `ItemHistory` rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from backend import clock, db
from backend.errors import Conflict, Invalid, NotFound
from backend.initiatives.tables import CIStage, Initiative
from backend.reviews.signoff_queries import notify_review_ready
from backend.scrum.tables import (
    BacklogItem,
    BoardColumn,
    ItemBlock,
    ItemHistory,
    Release,
    Sprint,
)
from backend.versions import check_version, save_version

RANK_GAP = 1024
SPRINT_LENGTH_DAYS = 14
SPRINT_MAX_DAYS = 31  # Scrum: a sprint is a month or less
# History rows written when a sprint closes; the closed sprint's burndown
# ignores them so carrying work forward never rewrites it.
CLOSE_CHANGES = frozenset({"carried_over", "returned_at_close"})
EDITABLE_ITEM_FIELDS = frozenset(
    {
        "kind",
        "title",
        "narrative",
        "acceptance_criteria",
        "estimate",
        "stage",
        "sprint",
        "status",
        "assignee_name",
    }
)
ITEM_COLUMNS = (
    BacklogItem.id,
    BacklogItem.initiative,
    BacklogItem.kind,
    BacklogItem.title,
    BacklogItem.narrative,
    BacklogItem.acceptance_criteria,
    BacklogItem.estimate,
    BacklogItem.rank,
    BacklogItem.status,
    BacklogItem.stage,
    BacklogItem.sprint,
    BacklogItem.assignee_name,
    BacklogItem.version,
    BacklogItem.created_at,
    BacklogItem.updated_at,
    BacklogItem.done_at,
)


# ---------------------------------------------------------------- reads


async def get_item(item_id: int) -> dict[str, Any]:
    if not db.possible_id(item_id):
        raise NotFound(f"Backlog item #{item_id} was not found")
    rows = await BacklogItem.select(*ITEM_COLUMNS).where(BacklogItem.id == item_id)
    if not rows:
        raise NotFound(f"Backlog item #{item_id} was not found")
    return rows[0]


async def get_sprint(sprint_id: int) -> dict[str, Any]:
    if not db.possible_id(sprint_id):
        raise NotFound(f"Sprint {sprint_id} was not found")
    rows = await Sprint.select().where(Sprint.id == sprint_id)
    if not rows:
        raise NotFound(f"Sprint {sprint_id} was not found")
    return rows[0]


async def get_initiative(initiative_id: int) -> dict[str, Any]:
    if not db.possible_id(initiative_id):
        raise NotFound(f"Initiative {initiative_id} was not found")
    rows = await Initiative.select().where(Initiative.id == initiative_id)
    if not rows:
        raise NotFound(f"Initiative {initiative_id} was not found")
    return rows[0]


async def columns_for(initiative_id: int) -> list[dict[str, Any]]:
    return await (
        BoardColumn.select()
        .where(BoardColumn.initiative == initiative_id)
        .order_by(BoardColumn.position)
        .order_by(BoardColumn.id)
    )


async def active_sprint(initiative_id: int) -> dict[str, Any] | None:
    rows = await Sprint.select().where(
        (Sprint.initiative == initiative_id) & (Sprint.state == "active")
    )
    return rows[0] if rows else None


# ---------------------------------------------------------------- helpers


async def _lock_initiative(initiative_id: int) -> None:
    """Serialise writers of one initiative's order and sprints.

    The UPDATE takes a row lock on PostgreSQL that is held until commit; on
    SQLite the process-wide write lock already serialises writers.
    """
    updated = (
        await Initiative.update({Initiative.write_seq: Initiative.write_seq + 1})
        .where(Initiative.id == initiative_id)
        .returning(Initiative.id)
    )
    if not updated:
        raise NotFound(f"Initiative {initiative_id} was not found")


async def _record(item_ids: Iterable[int], change: str, at=None) -> None:
    """Append each item's state after a change to its history."""
    ids = list(item_ids)
    if not ids:
        return
    at = at or clock.now()
    rows = await BacklogItem.select(
        BacklogItem.id,
        BacklogItem.sprint,
        BacklogItem.status,
        BacklogItem.estimate,
        BacklogItem.status.is_done.as_alias("is_done"),
    ).where(BacklogItem.id.is_in(ids))
    await ItemHistory.insert(
        *[
            ItemHistory(
                item=r["id"],
                at=at,
                change=change,
                sprint=r["sprint"],
                status=r["status"],
                estimate=r["estimate"],
                is_done=bool(r["is_done"]),
            )
            for r in rows
        ]
    )


async def _check_refs(initiative: dict[str, Any], values: dict[str, Any]) -> None:
    """Referenced stage, sprint and column must belong to the same initiative/agency."""
    errors: dict[str, str] = {}
    if values.get("stage") is not None:
        ok = await CIStage.exists().where(
            (CIStage.id == values["stage"]) & (CIStage.agency == initiative["agency"])
        )
        if not ok:
            errors["stage"] = "Choose a C&I stage from the list"
    if values.get("sprint") is not None:
        rows = await Sprint.select(Sprint.state).where(
            (Sprint.id == values["sprint"]) & (Sprint.initiative == initiative["id"])
        )
        if not rows:
            errors["sprint"] = "Choose a sprint of this initiative"
        elif rows[0]["state"] == "closed":
            errors["sprint"] = "That sprint is closed; choose a planned or active sprint"
    if values.get("status") is not None:
        ok = await BoardColumn.exists().where(
            (BoardColumn.id == values["status"]) & (BoardColumn.initiative == initiative["id"])
        )
        if not ok:
            errors["status"] = "Choose a status from the board's columns"
    if errors:
        raise Invalid(errors)


async def _column(initiative_id: int, column_id: int) -> dict[str, Any]:
    rows = await BoardColumn.select().where(
        (BoardColumn.id == column_id) & (BoardColumn.initiative == initiative_id)
    )
    if not rows:
        raise Invalid({"status": "Choose a status from the board's columns"})
    return rows[0]


# ---------------------------------------------------------------- items


async def create_item(initiative_id: int, values: dict[str, Any], at_top: bool = False) -> int:
    """Create a backlog item at the bottom (or top) of the ranked backlog."""
    fields = {k: v for k, v in values.items() if k in EDITABLE_ITEM_FIELDS}
    now = clock.now()
    async with db.writing():
        initiative = await get_initiative(initiative_id)
        await _lock_initiative(initiative_id)
        await _check_refs(initiative, fields)
        if fields.get("status") is None:
            first = await columns_for(initiative_id)
            fields["status"] = first[0]["id"]
        column = await _column(initiative_id, fields["status"])
        rank = await _edge_rank(initiative_id, top=at_top)
        row = (
            await BacklogItem.insert(
                BacklogItem(
                    initiative=initiative_id,
                    rank=rank,
                    created_at=now,
                    updated_at=now,
                    done_at=now if column["is_done"] else None,
                    **fields,
                )
            ).returning(BacklogItem.id)
        )[0]
        await _record([row["id"]], "created", now)
    return row["id"]


async def _edge_rank(initiative_id: int, top: bool) -> int:
    query = BacklogItem.select(BacklogItem.rank).where(BacklogItem.initiative == initiative_id)
    query = query.order_by(BacklogItem.rank, ascending=top).limit(1)
    rows = await query
    if not rows:
        return 0
    return rows[0]["rank"] - RANK_GAP if top else rows[0]["rank"] + RANK_GAP


async def update_item(item_id: int, expected_version: int, values: dict[str, Any]) -> dict:
    """Apply an edit made from `expected_version`; a stale edit raises Conflict."""
    fields = {k: v for k, v in values.items() if k in EDITABLE_ITEM_FIELDS}
    now = clock.now()
    async with db.writing():
        item = await get_item(item_id)
        initiative = await get_initiative(item["initiative"])
        check_version(item, expected_version, "item")
        # An unchanged sprint is not re-checked: a story finished in a sprint
        # that has since closed must stay editable.
        await _check_refs(
            initiative,
            {k: v for k, v in fields.items() if not (k == "sprint" and v == item["sprint"])},
        )
        if "status" in fields and fields["status"] is None:
            del fields["status"]
        if "status" in fields and fields["status"] != item["status"]:
            await _lock_initiative(item["initiative"])  # as in move_item
            column = await _column(item["initiative"], fields["status"])
            fields["done_at"] = now if column["is_done"] else None
        await save_version(
            BacklogItem, item_id, expected_version, {**fields, "updated_at": now}, get_item
        )
        if any(fields.get(k, item[k]) != item[k] for k in ("sprint", "status", "estimate")):
            await _record([item_id], "edited", now)
    return await get_item(item_id)


async def move_item(
    item_id: int, column_id: int, expected_version: int | None = None
) -> tuple[dict, dict]:
    """Move an item to a board column; returns (item before, item after)."""
    now = clock.now()
    async with db.writing():
        item = await get_item(item_id)
        if expected_version is not None and item["version"] != expected_version:
            raise Conflict("This card changed since you loaded the board.", current=item)
        # Column settings lock the initiative too: the column read here cannot be
        # deleted (or stop being the done column) before this move commits.
        await _lock_initiative(item["initiative"])
        column = await _column(item["initiative"], column_id)
        if column["id"] == item["status"]:
            return item, item
        await BacklogItem.update(
            {
                BacklogItem.status: column_id,
                BacklogItem.done_at: now if column["is_done"] else None,
                BacklogItem.version: BacklogItem.version + 1,
                BacklogItem.updated_at: now,
            }
        ).where(BacklogItem.id == item_id)
        await _record([item_id], "moved", now)
    return item, await get_item(item_id)


async def set_estimate(item_id: int, estimate: int | None) -> dict:
    now = clock.now()
    async with db.writing():
        item = await get_item(item_id)
        if item["estimate"] == estimate:
            return item
        await BacklogItem.update(
            {
                BacklogItem.estimate: estimate,
                BacklogItem.version: BacklogItem.version + 1,
                BacklogItem.updated_at: now,
            }
        ).where(BacklogItem.id == item_id)
        await _record([item_id], "estimated", now)
    return await get_item(item_id)


async def _items_of(initiative_id: int, item_ids: Sequence[int]) -> list[int]:
    """The given ids that belong to the initiative (others are refused)."""
    if not item_ids:
        return []
    rows = await BacklogItem.select(BacklogItem.id).where(
        BacklogItem.id.is_in(list(item_ids)) & (BacklogItem.initiative == initiative_id)
    )
    found = {r["id"] for r in rows}
    missing = [i for i in item_ids if i not in found]
    if missing:
        raise Invalid({"items": f"Items not in this initiative: {', '.join(map(str, missing))}"})
    return sorted(found)


async def assign_sprint(
    initiative_id: int,
    item_ids: Sequence[int],
    sprint_id: int | None,
    *,
    from_backlog_only: bool = False,
) -> int:
    """Put items into a planned or active sprint, or back into the backlog (None).

    `from_backlog_only`: the items were chosen from a list of items in no
    sprint; one that has joined another sprint since is a Conflict, not a move.
    """
    now = clock.now()
    async with db.writing():
        initiative = await get_initiative(initiative_id)
        await _check_refs(initiative, {"sprint": sprint_id})
        ids = await _items_of(initiative_id, item_ids)
        if not ids:
            return 0
        rows = await BacklogItem.select(
            BacklogItem.id,
            BacklogItem.sprint,
            BacklogItem.sprint.state,
            BacklogItem.sprint.number.as_alias("sprint_number"),
        ).where(BacklogItem.id.is_in(ids))
        if from_backlog_only:
            taken = [r for r in rows if r["sprint"] not in (None, sprint_id)]
            if taken:
                where = ", ".join(f"#{r['id']} (sprint {r['sprint_number']})" for r in taken)
                raise Conflict(
                    f"Already in another sprint since you loaded the page: {where}. "
                    "Nothing was added; the list now shows what is still in the backlog."
                )
        # Items finished in a closed sprint stay there: that sprint is history.
        changing = [r["id"] for r in rows if r["sprint.state"] != "closed"]
        if not changing:
            return 0
        await BacklogItem.update(
            {
                BacklogItem.sprint: sprint_id,
                BacklogItem.version: BacklogItem.version + 1,
                BacklogItem.updated_at: now,
            }
        ).where(BacklogItem.id.is_in(changing))
        await _record(changing, "sprint_added" if sprint_id else "sprint_removed", now)
    return len(changing)


async def set_stage(initiative_id: int, item_ids: Sequence[int], stage_id: int | None) -> int:
    now = clock.now()
    async with db.writing():
        initiative = await get_initiative(initiative_id)
        await _check_refs(initiative, {"stage": stage_id})
        ids = await _items_of(initiative_id, item_ids)
        if not ids:
            return 0
        await BacklogItem.update(
            {
                BacklogItem.stage: stage_id,
                BacklogItem.version: BacklogItem.version + 1,
                BacklogItem.updated_at: now,
            }
        ).where(BacklogItem.id.is_in(ids))
    return len(ids)


async def set_blockers(item_id: int, blocker_ids: Sequence[int]) -> None:
    """Replace the items that block `item_id` (same initiative, not itself)."""
    async with db.writing():
        item = await get_item(item_id)
        await _lock_initiative(item["initiative"])  # two edits cannot close a cycle together
        wanted = [b for b in dict.fromkeys(blocker_ids) if b != item_id]
        ids = await _items_of(item["initiative"], wanted)
        await _refuse_cycles(item["initiative"], item_id, ids)
        await ItemBlock.delete().where(ItemBlock.item == item_id)
        if ids:
            await ItemBlock.insert(*[ItemBlock(item=item_id, blocker=b) for b in ids])


async def _refuse_cycles(initiative_id: int, item_id: int, blocker_ids: list[int]) -> None:
    """Items that wait for each other, directly or through others, would never start."""
    rows = await ItemBlock.select(ItemBlock.item, ItemBlock.blocker).where(
        (ItemBlock.item.initiative == initiative_id) & (ItemBlock.item != item_id)
    )
    waits_for: dict[int, list[int]] = {}
    for row in rows:
        waits_for.setdefault(row["item"], []).append(row["blocker"])
    for blocker in blocker_ids:
        seen, todo = set(), [blocker]
        while todo:
            current = todo.pop()
            if current == item_id:
                raise Invalid(
                    {
                        "items": f"#{blocker} already waits for #{item_id}, directly or through "
                        "other items: they cannot block each other"
                    }
                )
            if current not in seen:
                seen.add(current)
                todo.extend(waits_for.get(current, []))


# ---------------------------------------------------------------- ranking

RANK_ACTIONS = ("top", "up", "down", "bottom", "above")


async def rank_item(item_id: int, action: str, target_id: int | None = None) -> dict:
    """Move an item in its initiative's ranked backlog of open (not done) items.

    `up`/`down` swap with the neighbouring open item; `above` places it just
    before `target_id`. Writers of one initiative are serialised, so two
    concurrent moves never produce duplicate or lost positions.
    """
    if action not in RANK_ACTIONS:
        raise Invalid({"action": "Choose top, up, down, bottom or above"})
    async with db.writing():
        item = await get_item(item_id)
        initiative_id = item["initiative"]
        await _lock_initiative(initiative_id)
        item = await get_item(item_id)  # re-read under the lock
        open_items = BacklogItem.initiative == initiative_id
        open_items &= BacklogItem.status.is_done == False  # noqa: E712
        open_items &= BacklogItem.id != item_id
        if action in ("top", "bottom"):
            rank = await _edge_rank(initiative_id, top=(action == "top"))
            if (action == "top" and rank + RANK_GAP == item["rank"]) or (
                action == "bottom" and rank - RANK_GAP == item["rank"]
            ):
                return item  # already at that edge
        elif action in ("up", "down"):
            up = action == "up"
            neighbour = await (
                BacklogItem.select(BacklogItem.id, BacklogItem.rank)
                .where(
                    open_items
                    & (BacklogItem.rank < item["rank"] if up else BacklogItem.rank > item["rank"])
                )
                .order_by(BacklogItem.rank, ascending=not up)
                .limit(1)
            )
            if not neighbour:
                return item
            other = neighbour[0]
            await BacklogItem.update({BacklogItem.rank: item["rank"]}).where(
                BacklogItem.id == other["id"]
            )
            rank = other["rank"]
        else:
            if target_id is None or target_id == item_id:
                raise Invalid({"target": "Give the number of another item to rank above"})
            target = await BacklogItem.select(BacklogItem.rank).where(
                (BacklogItem.id == target_id) & (BacklogItem.initiative == initiative_id)
            )
            if not target:
                raise Invalid({"target": f"#{target_id} is not an item of this initiative"})
            target_rank = target[0]["rank"]
            before = await (
                BacklogItem.select(BacklogItem.rank)
                .where(
                    (BacklogItem.initiative == initiative_id)
                    & (BacklogItem.id != item_id)
                    & (BacklogItem.rank < target_rank)
                )
                .order_by(BacklogItem.rank, ascending=False)
                .limit(1)
            )
            if not before:
                rank = target_rank - RANK_GAP
            elif target_rank - before[0]["rank"] > 1:
                rank = (before[0]["rank"] + target_rank) // 2
            else:  # no room left: open a gap by shifting the target and all after it
                await BacklogItem.update({BacklogItem.rank: BacklogItem.rank + RANK_GAP}).where(
                    (BacklogItem.initiative == initiative_id) & (BacklogItem.rank >= target_rank)
                )
                rank = target_rank
        await BacklogItem.update({BacklogItem.rank: rank}).where(BacklogItem.id == item_id)
    return await get_item(item_id)


# ---------------------------------------------------------------- sprints


async def next_sprint_number(initiative_id: int) -> int:
    rows = (
        await Sprint.select(Sprint.number)
        .where(Sprint.initiative == initiative_id)
        .order_by(Sprint.number, ascending=False)
        .limit(1)
    )
    return rows[0]["number"] + 1 if rows else 1


def sprint_dates_problem(start: date, end: date) -> str | None:
    """What is wrong with a sprint running from `start` to `end`, if anything."""
    if end < start:
        return "End date must be on or after the start date"
    if (end - start).days > SPRINT_MAX_DAYS:
        # A sprint is a month or less; a years-long one would also make a
        # burndown of thousands of days.
        return f"A sprint lasts at most {SPRINT_MAX_DAYS} days: choose an earlier end date"
    return None


async def create_sprint(initiative_id: int, values: dict[str, Any]) -> int:
    """A planned sprint; end defaults to 14 days after start."""
    start: date = values.get("start_date") or clock.today()
    end: date = values.get("end_date") or start + timedelta(days=SPRINT_LENGTH_DAYS)
    if problem := sprint_dates_problem(start, end):
        raise Invalid({"end_date": problem})
    async with db.writing():
        await get_initiative(initiative_id)
        await _check_release(initiative_id, values.get("release"))
        await _lock_initiative(initiative_id)
        number = await next_sprint_number(initiative_id)
        row = (
            await Sprint.insert(
                Sprint(
                    initiative=initiative_id,
                    number=number,
                    goal=values.get("goal", ""),
                    start_date=start,
                    end_date=end,
                    capacity=values.get("capacity"),
                    release=values.get("release"),
                )
            ).returning(Sprint.id)
        )[0]
    return row["id"]


SPRINT_EDITABLE = frozenset(
    {
        "goal",
        "start_date",
        "end_date",
        "capacity",
        "release",
        "planning_notes",
        "review_notes",
        "retrospective_notes",
    }
)


async def _check_release(initiative_id: int, release_id: Any) -> None:
    """A sprint's release must be one of the same initiative's releases."""
    if release_id is None:
        return
    ok = db.possible_id(release_id) and await Release.exists().where(
        (Release.id == release_id) & (Release.initiative == initiative_id)
    )
    if not ok:
        raise Invalid({"release": "Choose a release of this initiative"})


async def update_sprint(sprint_id: int, expected_version: int, values: dict[str, Any]) -> dict:
    fields = {k: v for k, v in values.items() if k in SPRINT_EDITABLE}
    # Start and end are required columns: an empty value leaves them unchanged.
    for key in ("start_date", "end_date"):
        if key in fields and fields[key] is None:
            del fields[key]
    async with db.writing():
        sprint = await get_sprint(sprint_id)
        check_version(sprint, expected_version, "sprint")
        if sprint["state"] == "closed":
            # A closed sprint's plan is history; only its event notes may change.
            fields = {
                k: v
                for k, v in fields.items()
                if k in ("review_notes", "retrospective_notes", "planning_notes")
            }
        if "release" in fields and fields["release"] != sprint["release"]:
            await _check_release(sprint["initiative"], fields["release"])
        start = fields.get("start_date", sprint["start_date"])
        if problem := sprint_dates_problem(start, fields.get("end_date", sprint["end_date"])):
            raise Invalid({"end_date": problem})
        await save_version(Sprint, sprint_id, expected_version, fields, get_sprint)
    return await get_sprint(sprint_id)


async def sprint_points(sprint_id: int) -> tuple[int, int]:
    """(points in the sprint now, points done now)."""
    rows = await BacklogItem.select(
        BacklogItem.estimate, BacklogItem.status.is_done.as_alias("is_done")
    ).where(BacklogItem.sprint == sprint_id)
    total = sum(r["estimate"] or 0 for r in rows)
    done = sum(r["estimate"] or 0 for r in rows if r["is_done"])
    return total, done


async def start_sprint(sprint_id: int) -> dict:
    """Start a planned sprint; only one sprint per initiative may be active."""
    now = clock.now()
    async with db.writing():
        sprint = await get_sprint(sprint_id)
        await _lock_initiative(sprint["initiative"])
        sprint = await get_sprint(sprint_id)
        if sprint["state"] != "planned":
            raise Conflict(f"Sprint {sprint['number']} is {sprint['state']}, not planned.")
        current = await active_sprint(sprint["initiative"])
        if current is not None:
            raise Conflict(
                f"Sprint {current['number']} is still active: complete it before starting "
                f"sprint {sprint['number']}."
            )
        committed, _ = await sprint_points(sprint_id)
        await Sprint.update(
            {
                Sprint.state: "active",
                Sprint.started_at: now,
                Sprint.committed_points: committed,
                Sprint.version: Sprint.version + 1,
            }
        ).where(Sprint.id == sprint_id)
        # Mark the committed scope in history at the start instant, so the
        # burndown's first point is exactly what the team committed to.
        ids = [
            r["id"]
            for r in await BacklogItem.select(BacklogItem.id).where(BacklogItem.sprint == sprint_id)
        ]
        await _record(ids, "sprint_started", now)
    return await get_sprint(sprint_id)


async def complete_sprint(sprint_id: int, destination: str | int) -> dict:
    """Close the active sprint; unfinished items go to `destination`.

    `destination` is "backlog", "new" (a new planned sprint is created) or the
    id of a planned sprint of the same initiative. All or nothing.
    """
    now = clock.now()
    async with db.writing():
        sprint = await get_sprint(sprint_id)
        await _lock_initiative(sprint["initiative"])
        sprint = await get_sprint(sprint_id)
        if sprint["state"] != "active":
            raise Conflict(f"Sprint {sprint['number']} is {sprint['state']}, not active.")
        if destination == "backlog":
            target: int | None = None
        elif destination == "new":
            start = max(sprint["end_date"], now.date())
            target = await create_sprint(
                sprint["initiative"],
                {"start_date": start, "capacity": sprint["capacity"], "release": sprint["release"]},
            )
        else:
            try:
                target = int(destination)
            except (TypeError, ValueError):
                target = 0
            rows = []
            if db.possible_id(target):
                rows = await Sprint.select(Sprint.state).where(
                    (Sprint.id == target) & (Sprint.initiative == sprint["initiative"])
                )
            if not rows or rows[0]["state"] != "planned":
                raise Invalid({"destination": "Choose a planned sprint of this initiative"})
        items = await BacklogItem.select(
            BacklogItem.id, BacklogItem.estimate, BacklogItem.status.is_done.as_alias("is_done")
        ).where(BacklogItem.sprint == sprint_id)
        unfinished = [r["id"] for r in items if not r["is_done"]]
        completed = sum(r["estimate"] or 0 for r in items if r["is_done"])
        await Sprint.update(
            {
                Sprint.state: "closed",
                Sprint.closed_at: now,
                Sprint.completed_points: completed,
                Sprint.version: Sprint.version + 1,
            }
        ).where(Sprint.id == sprint_id)
        if unfinished:
            await BacklogItem.update(
                {
                    BacklogItem.sprint: target,
                    BacklogItem.version: BacklogItem.version + 1,
                    BacklogItem.updated_at: now,
                }
            ).where(BacklogItem.id.is_in(unfinished))
            await _record(unfinished, "carried_over" if target else "returned_at_close", now)
        # The review is ready once the sprint closes: its liaisons are told.
        await notify_review_ready(sprint_id)
    return {"sprint": await get_sprint(sprint_id), "carried": len(unfinished), "target": target}


# ---------------------------------------------------------------- releases

RELEASE_EDITABLE = frozenset({"name", "milestone", "target_date", "stage"})


async def get_release(release_id: int) -> dict[str, Any]:
    if not db.possible_id(release_id):
        raise NotFound(f"Release {release_id} was not found")
    rows = await Release.select().where(Release.id == release_id)
    if not rows:
        raise NotFound(f"Release {release_id} was not found")
    return rows[0]


async def create_release(initiative_id: int, values: dict[str, Any]) -> int:
    """A release (a group of sprints toward one milestone) of the initiative."""
    fields = {k: v for k, v in values.items() if k in RELEASE_EDITABLE}
    if not fields.get("name"):
        raise Invalid({"name": "Enter a name"})
    async with db.writing():
        initiative = await get_initiative(initiative_id)
        await _check_refs(initiative, {"stage": fields.get("stage")})
        row = (
            await Release.insert(
                Release(
                    initiative=initiative_id,
                    name=fields["name"],
                    milestone=fields.get("milestone") or "",
                    target_date=fields.get("target_date"),
                    stage=fields.get("stage"),
                )
            ).returning(Release.id)
        )[0]
    return row["id"]


async def update_release(release_id: int, expected_version: int, values: dict[str, Any]) -> dict:
    """Apply an edit made from `expected_version`; a stale edit raises Conflict."""
    fields = {k: v for k, v in values.items() if k in RELEASE_EDITABLE}
    if "name" in fields and not fields["name"]:
        raise Invalid({"name": "Enter a name"})
    async with db.writing():
        release = await get_release(release_id)
        check_version(release, expected_version, "release")
        initiative = await get_initiative(release["initiative"])
        await _check_refs(initiative, {"stage": fields.get("stage")})
        await save_version(Release, release_id, expected_version, fields, get_release)
    return await get_release(release_id)
