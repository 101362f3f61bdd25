"""Writes to an initiative's C&I stages: status, key tasks, gate decisions,
liaison sign-offs and readiness assessments.

A stage's progress row (and its default key tasks) is created by the first
write to the stage, never by a read. Two first writes at once must not both
create it: the insert is `ON CONFLICT DO NOTHING` against the unique index on
(initiative, stage), and only the request whose insert returned a row adds the
default tasks. Gate decisions and sign-offs are history: added, never edited.
"""

from __future__ import annotations

from typing import Any

from backend import clock, db
from backend.errors import NotFound
from backend.initiatives.progress_queries import PROGRESS_COLUMNS, progress_of, task_or_404
from backend.initiatives.tables import (
    DEFAULT_STAGE_TASKS,
    CIStage,
    GateDecision,
    GateSignOff,
    Initiative,
    ReadinessAssessment,
    StageProgress,
    StageTask,
)
from backend.reviews.signoff_queries import notify_gate_outcome
from backend.versions import check_version, save_version

# Statuses in which a stage is being worked: entering one records the start.
WORKING = frozenset({"active", "revisiting"})
# What a key-task edit reads before it writes: done (for done_at) and the version.
TASK_CHECK_COLUMNS = (StageTask.id, StageTask.done, StageTask.version)


async def ensure_progress(initiative_id: int, stage: dict[str, Any]) -> dict[str, Any]:
    """The stage's progress row, created with its default tasks if it is the first
    write. Call inside `db.writing()` so the row and its tasks land together."""
    inserted = (
        await StageProgress.insert(
            StageProgress(initiative=initiative_id, stage=stage["id"], status="not_started")
        )
        .on_conflict(action="DO NOTHING")
        .returning(StageProgress.id)
    )
    if inserted:
        titles = DEFAULT_STAGE_TASKS.get(stage["position"], ())
        if titles:
            await StageTask.insert(
                *[
                    StageTask(progress=inserted[0]["id"], position=position, title=title)
                    for position, title in enumerate(titles, start=1)
                ]
            )
    rows = await StageProgress.select(*PROGRESS_COLUMNS).where(
        (StageProgress.initiative == initiative_id) & (StageProgress.stage == stage["id"])
    )
    return rows[0]


def status_fields(progress: dict[str, Any], status: str) -> dict[str, Any]:
    """The new status with the dates it implies: the first start is kept, done is dated."""
    fields: dict[str, Any] = {"status": status}
    today = clock.today()
    if status in WORKING and progress["started_on"] is None:
        fields["started_on"] = today
    if status == "done":
        fields["done_on"] = today
    return fields


async def _move_to(progress: dict[str, Any], status: str) -> None:
    """Change status as a consequence of another write (a gate): the version still
    moves on, so a status form loaded before the gate is refused as stale."""
    fields = status_fields(progress, status)
    await StageProgress.update({**fields, "version": StageProgress.version + 1}).where(
        StageProgress.id == progress["id"]
    )


async def set_status(
    initiative_id: int, stage: dict[str, Any], status: str, expected_version: int
) -> None:
    """DATA-01: the form carries the version it was loaded at; a stage nobody has
    worked on reads as version 1, the version its new row starts at."""
    async with db.writing():
        progress = await ensure_progress(initiative_id, stage)
        check_version(progress, expected_version, "stage")
        if progress["status"] == status:
            return
        await save_version(
            StageProgress,
            progress["id"],
            expected_version,
            status_fields(progress, status),
            reread=lambda _: progress_of(initiative_id, stage["id"]),
        )


async def add_task(initiative_id: int, stage: dict[str, Any], title: str) -> int:
    async with db.writing():
        progress = await ensure_progress(initiative_id, stage)
        rows = await StageTask.select(StageTask.position).where(
            StageTask.progress == progress["id"]
        )
        position = max((r["position"] for r in rows), default=0) + 1
        row = (
            await StageTask.insert(
                StageTask(progress=progress["id"], position=position, title=title)
            ).returning(StageTask.id)
        )[0]
    return row["id"]


def _task_fields(current: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in values.items() if k in ("done", "evidence_url", "evidence_note")}
    if "done" in fields:
        if not fields["done"]:
            fields["done_at"] = None
        elif not current["done"]:
            fields["done_at"] = clock.now()
    return fields


async def _save_task(
    task: dict[str, Any], expected_version: int | None, values: dict[str, Any]
) -> None:
    """DATA-01: an edit made from an older version of the task is a Conflict. Only
    the API's tick of `done` alone may come without a version (`None`): ticking is
    the same whoever saved last, and the version still moves on."""
    fields = _task_fields(task, values)
    if expected_version is None:
        if fields:
            await StageTask.update({**fields, "version": StageTask.version + 1}).where(
                StageTask.id == task["id"]
            )
        return
    check_version(task, expected_version, "key task")
    if fields:
        await save_version(StageTask, task["id"], expected_version, fields, reread=task_or_404)


async def update_task(task_id: int, expected_version: int | None, values: dict[str, Any]) -> None:
    async with db.writing():
        rows = await StageTask.select(*TASK_CHECK_COLUMNS).where(StageTask.id == task_id)
        if not rows:
            raise NotFound(f"Key task {task_id} was not found")
        await _save_task(rows[0], expected_version, values)


async def update_default_task(
    initiative_id: int,
    stage: dict[str, Any],
    position: int,
    expected_version: int,
    values: dict[str, Any],
) -> int:
    """Tick (or add evidence to) one of the default tasks of a stage shown before its
    first write: creates the stage's row and tasks (at version 1, the version the
    unsaved task was shown at), then changes the one at `position`."""
    async with db.writing():
        progress = await ensure_progress(initiative_id, stage)
        rows = await StageTask.select(*TASK_CHECK_COLUMNS).where(
            (StageTask.progress == progress["id"]) & (StageTask.position == position)
        )
        if not rows:
            raise NotFound("That key task was not found: reload the stage and try again")
        await _save_task(rows[0], expected_version, values)
    return rows[0]["id"]


async def _next_stage(stage: dict[str, Any]) -> dict[str, Any] | None:
    rows = await (
        CIStage.select(CIStage.id, CIStage.position, CIStage.name, CIStage.agency)
        .where(
            (CIStage.agency == stage["agency"])
            & (CIStage.position > stage["position"])
            & (CIStage.cross_cutting == False)  # noqa: E712 - piccolo needs ==
        )
        .order_by(CIStage.position)
        .order_by(CIStage.id)
        .limit(1)
    )
    return rows[0] if rows else None


async def decide_gate(
    initiative_id: int, stage: dict[str, Any], decision: str, notes: str, user_id: int
) -> int:
    """Record the agency lead's decision and what it implies, in one transaction:
    advance = this stage is done and, if it is the current stage, the initiative
    moves on to the next stage that is not cross-cutting, which becomes active;
    revisit = the stage is being revisited; hold = nothing else changes."""
    async with db.writing():
        progress = await ensure_progress(initiative_id, stage)
        row = (
            await GateDecision.insert(
                GateDecision(
                    progress=progress["id"],
                    decision=decision,
                    notes=notes,
                    decided_by=user_id,
                    decided_at=clock.now(),
                )
            ).returning(GateDecision.id)
        )[0]
        if decision == "advance":
            await _move_to(progress, "done")
            await _advance_initiative(initiative_id, stage)
        elif decision == "revisit":
            await _move_to(progress, "revisiting")
    return row["id"]


async def _advance_initiative(initiative_id: int, stage: dict[str, Any]) -> None:
    current = await Initiative.select(Initiative.current_stage).where(
        Initiative.id == initiative_id
    )
    if not current or current[0]["current_stage"] != stage["id"]:
        return
    following = await _next_stage(stage)
    if following is None:
        return  # the last stage: the initiative stays there, done
    # The charter's version moves on too: an edit form loaded before the gate must
    # not put the old current stage back.
    await Initiative.update(
        {Initiative.current_stage: following["id"], Initiative.version: Initiative.version + 1}
    ).where(Initiative.id == initiative_id)
    progress = await ensure_progress(initiative_id, following)
    if progress["status"] not in WORKING:
        await _move_to(progress, "active")


async def sign_off(
    decision_id: int, user_id: int, comment: str, outcome: str = "signed_off"
) -> int:
    """A liaison's outcome on a gate decision ("signed_off" or "changes_requested"),
    kept as history, and the team's lead roles told, in one transaction."""
    async with db.writing():
        if not await GateDecision.exists().where(GateDecision.id == decision_id):
            raise NotFound(f"Gate decision {decision_id} was not found")
        row = (
            await GateSignOff.insert(
                GateSignOff(
                    decision=decision_id,
                    outcome=outcome,
                    signed_by=user_id,
                    signed_at=clock.now(),
                    comment=comment,
                )
            ).returning(GateSignOff.id)
        )[0]
        await notify_gate_outcome(decision_id, outcome, user_id)
    return row["id"]


async def add_assessment(initiative_id: int, values: dict[str, Any], user_id: int) -> int:
    fields = {
        key: values[key]
        for key in (
            "assessed_on",
            "motivation",
            "motivation_notes",
            "general_capacity",
            "general_capacity_notes",
            "specific_capacity",
            "specific_capacity_notes",
        )
    }
    async with db.writing():
        row = (
            await ReadinessAssessment.insert(
                ReadinessAssessment(initiative=initiative_id, assessed_by=user_id, **fields)
            ).returning(ReadinessAssessment.id)
        )[0]
    return row["id"]
