"""Reads the progress packet needs that no other area offers: sprints in the period
with their carry-over, the markers of every run chart at once, and open review items.

Each read is a fixed number of queries whatever the number of sprints, measures,
cycles or comments (PERF-01).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from backend.exploration.tables import Finding
from backend.initiatives.tables import GateDecision, Initiative
from backend.measures.chart import TimeMarker
from backend.pdsa.tables import PdsaMeasure
from backend.practice.tables import PracticeProfile
from backend.reviews.tables import SIGN_OFF_DECISIONS, TARGET_KINDS, Comment, SprintSignOff
from backend.scrum.charts import SPRINT_COLUMNS
from backend.scrum.services import CLOSE_CHANGES
from backend.scrum.tables import BacklogItem, ItemHistory, Release, Sprint


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def sprints_of(initiative_id: int) -> list[dict[str, Any]]:
    """Every sprint of the initiative by number (one query): the period's sprints,
    the active sprint's burndown and the run charts' markers all come from it."""
    return await (
        Sprint.select(*SPRINT_COLUMNS)
        .where(Sprint.initiative == initiative_id)
        .order_by(Sprint.number)
    )


def in_period(sprint: dict[str, Any], since: date) -> bool:
    """A sprint counts in the packet when it is active, or closed on or after `since`."""
    if sprint["state"] == "active":
        return True
    closed_at = sprint["closed_at"]
    return (
        sprint["state"] == "closed" and closed_at is not None and closed_at >= start_of_day(since)
    )


async def add_carry_over(sprints: list[dict[str, Any]], initiative_id: int) -> None:
    """Give each closed sprint the items (and their points) it did not finish: the close
    writes one history row per unfinished item at the very moment of the close (one query)."""
    for sprint in sprints:
        sprint["carried_items"] = 0
        sprint["carried_points"] = 0
    closed = {s["closed_at"]: s for s in sprints if s["closed_at"] is not None}
    if not closed:
        return
    # Matched on the moment in Python: comparing timestamps for equality in SQL
    # depends on how each database stores them.
    rows = await ItemHistory.select(ItemHistory.at, ItemHistory.estimate).where(
        (ItemHistory.item.initiative == initiative_id)
        & ItemHistory.change.is_in(sorted(CLOSE_CHANGES))
        & (ItemHistory.at >= min(closed))
    )
    for row in rows:
        sprint = closed.get(row["at"])
        if sprint is not None:
            sprint["carried_items"] += 1
            sprint["carried_points"] += row["estimate"] or 0


async def markers_by_measure(
    sprints: list[dict[str, Any]], initiative_id: int, measure_ids: list[int]
) -> dict[int, list[TimeMarker]]:
    """The same markers as measures.queries.markers_of, for every measure at once
    (two queries here; the sprints are already read)."""
    releases = (
        await Release.select(Release.name, Release.target_date)
        .where((Release.initiative == initiative_id) & Release.target_date.is_not_null())
        .order_by(Release.target_date)
    )
    cycles = []
    if measure_ids:
        cycles = (
            await PdsaMeasure.select(
                PdsaMeasure.measure,
                PdsaMeasure.cycle.change_idea.as_alias("change_idea"),
                PdsaMeasure.cycle.start_date.as_alias("start_date"),
                PdsaMeasure.cycle.end_date.as_alias("end_date"),
            )
            .where(
                PdsaMeasure.measure.is_in(measure_ids) & PdsaMeasure.cycle.start_date.is_not_null()
            )
            .order_by(PdsaMeasure.cycle.start_date)
        )
    shared = [
        TimeMarker("sprint", f"Sprint {s['number']}", s["start_date"], s["end_date"])
        for s in sorted(sprints, key=lambda s: s["start_date"])
    ]
    shared += [TimeMarker("release", r["name"], r["target_date"]) for r in releases]
    out = {measure_id: list(shared) for measure_id in measure_ids}
    for c in cycles:
        end = c["end_date"] if c["end_date"] and c["end_date"] >= c["start_date"] else None
        out[c["measure"]].append(TimeMarker("pdsa", c["change_idea"], c["start_date"], end))
    return out


# ---------------------------------------------------------------- open review items


def _first_line(text: str, limit: int = 160) -> str:
    line = next((ln.strip() for ln in (text or "").splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


async def open_threads(initiative_id: int, agency_id: int) -> list[dict[str, Any]]:
    """Unresolved comment threads on anything of this initiative, oldest first (one query)."""
    of_initiative = {
        "sprint_review": Sprint.select(Sprint.id).where(Sprint.initiative == initiative_id),
        "sprint_retrospective": Sprint.select(Sprint.id).where(Sprint.initiative == initiative_id),
        "gate": GateDecision.select(GateDecision.id).where(
            GateDecision.progress.initiative == initiative_id
        ),
        "profile": PracticeProfile.select(PracticeProfile.id).where(
            PracticeProfile.initiative == initiative_id
        ),
        "finding": Finding.select(Finding.id).where(Finding.initiative == initiative_id),
        "item": BacklogItem.select(BacklogItem.id).where(BacklogItem.initiative == initiative_id),
    }
    about = None
    for kind, ids in of_initiative.items():
        clause = (Comment.target_kind == kind) & Comment.target_id.is_in(ids)
        about = clause if about is None else about | clause
    rows = await (
        Comment.select(
            Comment.id,
            Comment.target_kind,
            Comment.target_id,
            Comment.body,
            Comment.created_at,
            Comment.author.name.as_alias("author_name"),
        )
        .where(
            (Comment.agency == agency_id)
            & Comment.thread_root.is_null()
            & Comment.resolved_at.is_null()
            & about
        )
        .order_by(Comment.created_at)
        .order_by(Comment.id)
    )
    for row in rows:
        row["kind_label"] = TARGET_KINDS.get(row["target_kind"], row["target_kind"])
        row["first_line"] = _first_line(row.pop("body"))
    return rows


async def latest_sign_offs(sprint_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Sprint -> its latest sign-off decision (one query)."""
    if not sprint_ids:
        return {}
    rows = await (
        SprintSignOff.select(
            SprintSignOff.sprint,
            SprintSignOff.decision,
            SprintSignOff.signed_at,
            SprintSignOff.signed_by.name.as_alias("signed_by_name"),
        )
        .where(SprintSignOff.sprint.is_in(sprint_ids))
        .order_by(SprintSignOff.signed_at)
        .order_by(SprintSignOff.id)
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:
        row["label"] = SIGN_OFF_DECISIONS.get(row["decision"], row["decision"])
        latest[row["sprint"]] = row  # later rows replace earlier ones
    return latest


async def initiatives_by_id(ids: list[int]) -> dict[int, dict[str, Any]]:
    """Initiatives with the columns initiative_or_404 gives, for many at once (one query)."""
    if not ids:
        return {}
    rows = await Initiative.select(
        *Initiative.all_columns(),
        Initiative.agency.name.as_alias("agency_name"),
        Initiative.current_stage.name.as_alias("stage_name"),
        Initiative.current_stage.position.as_alias("stage_position"),
    ).where(Initiative.id.is_in(ids))
    return {r["id"]: r for r in rows}
