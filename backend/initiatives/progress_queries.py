"""Reads for the stage map, a stage's page, gate history and readiness, shared by the
pages and the JSON API. Each read is a fixed number of queries whatever the number
of stages, tasks, decisions or assessments (PERF-01)."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from backend.errors import NotFound
from backend.initiatives.tables import (
    DEFAULT_STAGE_TASKS,
    GATE_DECISIONS,
    STAGE_STATUSES,
    CIStage,
    GateDecision,
    GateSignOff,
    ReadinessAssessment,
    StageProgress,
    StageTask,
)

STAGE_COLUMNS = (
    CIStage.id,
    CIStage.agency,
    CIStage.position,
    CIStage.name,
    CIStage.short_name,
    CIStage.cross_cutting,
)
PROGRESS_COLUMNS = (
    StageProgress.id,
    StageProgress.initiative,
    StageProgress.stage,
    StageProgress.status,
    StageProgress.started_on,
    StageProgress.done_on,
    StageProgress.version,
)
TASK_COLUMNS = (
    StageTask.id,
    StageTask.progress,
    StageTask.position,
    StageTask.title,
    StageTask.done,
    StageTask.evidence_url,
    StageTask.evidence_note,
    StageTask.done_at,
    StageTask.version,
)
DECISION_COLUMNS = (
    GateDecision.id,
    GateDecision.progress,
    GateDecision.progress.stage.as_alias("stage"),
    GateDecision.decision,
    GateDecision.notes,
    GateDecision.decided_by,
    GateDecision.decided_by.name.as_alias("decided_by_name"),
    GateDecision.decided_at,
)
SIGN_OFF_COLUMNS = (
    GateSignOff.id,
    GateSignOff.decision,
    GateSignOff.outcome,
    GateSignOff.signed_by,
    GateSignOff.signed_by.name.as_alias("signed_by_name"),
    GateSignOff.signed_at,
    GateSignOff.comment,
)
ASSESSMENT_COLUMNS = (
    ReadinessAssessment.id,
    ReadinessAssessment.initiative,
    ReadinessAssessment.assessed_on,
    ReadinessAssessment.motivation,
    ReadinessAssessment.motivation_notes,
    ReadinessAssessment.general_capacity,
    ReadinessAssessment.general_capacity_notes,
    ReadinessAssessment.specific_capacity,
    ReadinessAssessment.specific_capacity_notes,
    ReadinessAssessment.assessed_by,
    ReadinessAssessment.assessed_by.name.as_alias("assessed_by_name"),
    ReadinessAssessment.created_at,
)


def stage_label(stage: dict[str, Any]) -> str:
    return f"{stage['position']}. {stage['name']}"


def default_tasks(stage: dict[str, Any]) -> list[dict[str, Any]]:
    """The key tasks a stage starts with, as unsaved rows (no id) for display."""
    return [
        {
            "id": None,
            "position": position,
            "title": title,
            "done": False,
            "evidence_url": "",
            "evidence_note": "",
            "done_at": None,
            "version": 1,  # the version their rows start at, once saved
        }
        for position, title in enumerate(DEFAULT_STAGE_TASKS.get(stage["position"], ()), start=1)
    ]


def _with_labels(decision: dict[str, Any]) -> dict[str, Any]:
    decision["label"] = GATE_DECISIONS.get(decision["decision"], decision["decision"])
    return decision


def empty_progress(initiative_id: int, stage_id: int) -> dict[str, Any]:
    """How a stage nobody has worked on yet reads (no row is written by a read)."""
    return {
        "id": None,
        "initiative": initiative_id,
        "stage": stage_id,
        "status": "not_started",
        "started_on": None,
        "done_on": None,
        "version": 1,
    }


# ---------------------------------------------------------------- one row


async def agency_stages(agency_id: int) -> list[dict[str, Any]]:
    return await (
        CIStage.select(*STAGE_COLUMNS)
        .where(CIStage.agency == agency_id)
        .order_by(CIStage.position)
        .order_by(CIStage.id)
    )


async def stage_or_404(initiative: dict[str, Any], stage_id: int) -> dict[str, Any]:
    """The stage, only if it is one of the initiative's agency's stages.

    The route guard already refuses a path whose ids belong to two agencies;
    this check keeps the handler right on its own."""
    rows = await CIStage.select(*STAGE_COLUMNS).where(
        (CIStage.id == stage_id) & (CIStage.agency == initiative["agency"])
    )
    if not rows:
        raise NotFound(f"Stage {stage_id} was not found")
    return rows[0]


async def progress_of(initiative_id: int, stage_id: int) -> dict[str, Any]:
    rows = await StageProgress.select(*PROGRESS_COLUMNS).where(
        (StageProgress.initiative == initiative_id) & (StageProgress.stage == stage_id)
    )
    return rows[0] if rows else empty_progress(initiative_id, stage_id)


async def task_or_404(task_id: int) -> dict[str, Any]:
    """The task with the initiative and stage it belongs to."""
    rows = await StageTask.select(
        *TASK_COLUMNS,
        StageTask.progress.initiative.as_alias("initiative"),
        StageTask.progress.stage.as_alias("stage"),
    ).where(StageTask.id == task_id)
    if not rows:
        raise NotFound(f"Key task {task_id} was not found")
    return rows[0]


async def decision_or_404(decision_id: int) -> dict[str, Any]:
    rows = await GateDecision.select(
        *DECISION_COLUMNS, GateDecision.progress.initiative.as_alias("initiative")
    ).where(GateDecision.id == decision_id)
    if not rows:
        raise NotFound(f"Gate decision {decision_id} was not found")
    return _with_labels(rows[0])


# ---------------------------------------------------------------- lists


async def _tasks(where: Any) -> list[dict[str, Any]]:
    """Key tasks in the order of the checklist."""
    return await (
        StageTask.select(*TASK_COLUMNS)
        .where(where)
        .order_by(StageTask.position)
        .order_by(StageTask.id)
    )


async def _decisions(where: Any) -> list[dict[str, Any]]:
    """Gate decisions newest first, each with its label."""
    rows = await (
        GateDecision.select(*DECISION_COLUMNS)
        .where(where)
        .order_by(GateDecision.decided_at, ascending=False)
        .order_by(GateDecision.id, ascending=False)
    )
    return [_with_labels(row) for row in rows]


async def _add_sign_offs(decisions: list[dict[str, Any]], where: Any) -> None:
    """Give each decision its sign-offs, oldest first, read in one query (`where`
    picks the sign-offs of the same decisions)."""
    by_decision: dict[int, list[dict[str, Any]]] = {}
    for row in await (
        GateSignOff.select(*SIGN_OFF_COLUMNS)
        .where(where)
        .order_by(GateSignOff.signed_at)
        .order_by(GateSignOff.id)
    ):
        by_decision.setdefault(row["decision"], []).append(row)
    for decision in decisions:
        decision["sign_offs"] = by_decision.get(decision["id"], [])


# ---------------------------------------------------------------- a stage's page


async def stage_detail(initiative: dict[str, Any], stage: dict[str, Any]) -> dict[str, Any]:
    """Progress, key tasks (saved, or the defaults when nobody has worked the stage
    yet) and gate decisions newest first, each with its sign-offs oldest first."""
    progress = await progress_of(initiative["id"], stage["id"])
    if progress["id"] is None:
        tasks = default_tasks(stage)
        return {"progress": progress, "tasks": tasks, "saved": False, "decisions": []}
    tasks = await _tasks(StageTask.progress == progress["id"])
    decisions = await _decisions(GateDecision.progress == progress["id"])
    await _add_sign_offs(decisions, GateSignOff.decision.progress == progress["id"])
    return {"progress": progress, "tasks": tasks, "saved": True, "decisions": decisions}


# ---------------------------------------------------------------- the stage map


async def stage_map(initiative: dict[str, Any]) -> list[dict[str, Any]]:
    """Every stage of the agency in order with its status, task counts and latest gate."""
    stages = await agency_stages(initiative["agency"])
    progress = {
        row["stage"]: row
        for row in await StageProgress.select(*PROGRESS_COLUMNS).where(
            StageProgress.initiative == initiative["id"]
        )
    }
    counts: dict[int, dict[str, int]] = {}
    for row in await (
        StageTask.select(StageTask.progress, StageTask.done, Count(StageTask.id, alias="n"))
        .where(StageTask.progress.initiative == initiative["id"])
        .group_by(StageTask.progress, StageTask.done)
    ):
        count = counts.setdefault(row["progress"], {"done": 0, "total": 0})
        count["total"] += row["n"]
        if row["done"]:
            count["done"] += row["n"]
    latest: dict[int, dict[str, Any]] = {}
    for row in await _decisions(GateDecision.progress.initiative == initiative["id"]):
        latest.setdefault(row["stage"], row)
    signed: dict[int, int] = {}
    decision_ids = [d["id"] for d in latest.values()] or [-1]  # IN () is not valid SQL
    for row in await (
        GateSignOff.select(GateSignOff.decision, Count(GateSignOff.id, alias="n"))
        .where(GateSignOff.decision.is_in(decision_ids))
        .group_by(GateSignOff.decision)
    ):
        signed[row["decision"]] = row["n"]
    out = []
    for stage in stages:
        row = progress.get(stage["id"]) or empty_progress(initiative["id"], stage["id"])
        if row["id"] is None:
            tasks = {"done": 0, "total": len(DEFAULT_STAGE_TASKS.get(stage["position"], ()))}
        else:
            tasks = counts.get(row["id"], {"done": 0, "total": 0})
        decision = latest.get(stage["id"])
        if decision is not None:
            decision["sign_off_count"] = signed.get(decision["id"], 0)
        out.append(
            {
                **stage,
                "label": stage_label(stage),
                "is_current": stage["id"] == initiative["current_stage"],
                "progress": row,
                "status": row["status"],
                "status_label": STAGE_STATUSES.get(row["status"], row["status"]),
                "tasks_done": tasks["done"],
                "tasks_total": tasks["total"],
                "latest_decision": decision,
            }
        )
    return out


async def stage_map_in_full(initiative: dict[str, Any]) -> list[dict[str, Any]]:
    """The stage map with every task and every decision (with sign-offs), for the API."""
    stages = await stage_map(initiative)
    tasks: dict[int, list[dict[str, Any]]] = {}
    for row in await _tasks(StageTask.progress.initiative == initiative["id"]):
        tasks.setdefault(row["progress"], []).append(row)
    rows = await _decisions(GateDecision.progress.initiative == initiative["id"])
    await _add_sign_offs(rows, GateSignOff.decision.progress.initiative == initiative["id"])
    decisions: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        decisions.setdefault(row["stage"], []).append(row)
    for stage in stages:
        progress_id = stage["progress"]["id"]
        stage["tasks"] = tasks.get(progress_id, []) if progress_id else default_tasks(stage)
        stage["decisions"] = decisions.get(stage["id"], [])
    return stages


# ---------------------------------------------------------------- readiness


async def assessments(initiative_id: int) -> list[dict[str, Any]]:
    """Oldest first: the order of the trend."""
    return await (
        ReadinessAssessment.select(*ASSESSMENT_COLUMNS)
        .where(ReadinessAssessment.initiative == initiative_id)
        .order_by(ReadinessAssessment.assessed_on)
        .order_by(ReadinessAssessment.id)
    )
