"""Every write to findings, the data plan, the problem statement and the theory of change.

Controllers (HTML and API) check the shape of input in `forms.py`; these
functions check what needs the database (findings of the same initiative,
the version edited from, only the newest theory version being editable) and
write in one transaction each.

Versioned documents (problem statement, theory of change) never change an
earlier version: saving adds the next number. Their writers first take a row
lock on the initiative, so on PostgreSQL two people saving at once queue
instead of both reading the same "highest number"; the unique index on
(initiative, number) is the last line of defence and a clash there is retried.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from backend import clock, db
from backend.errors import Conflict, Invalid, NotFound
from backend.exploration import queries
from backend.exploration.tables import (
    Assumption,
    CausalLink,
    CausalLinkFinding,
    DataQuestion,
    Finding,
    ProblemStatement,
    ProblemStatementFinding,
    TheoryOfChange,
)
from backend.initiatives.tables import Initiative
from backend.versions import check_version, save_version

FINDING_EDITABLE = (
    "statement",
    "kind",
    "evidence_type",
    "source",
    "segment",
    "confidence",
    "found_on",
)
QUESTION_EDITABLE = ("question", "sources", "owner_name", "due", "status")
SAVE_ATTEMPTS = 3
T = TypeVar("T")


class OldVersion(Conflict):
    """A write to a theory version that is no longer the newest: history stays as it was."""

    def __init__(self, number: int, current: int):
        super().__init__(
            f"Version {number} of the theory of change is kept as it was: version {current} "
            "is the current one. Make your change on the current version."
        )


# ---------------------------------------------------------------- helpers


async def _lock_initiative(initiative_id: int) -> None:
    """Serialise writers of one initiative's versioned documents (a row lock on
    PostgreSQL, held to commit; SQLite writers are already serialised)."""
    updated = (
        await Initiative.update({Initiative.write_seq: Initiative.write_seq + 1})
        .where(Initiative.id == initiative_id)
        .returning(Initiative.id)
    )
    if not updated:
        raise NotFound(f"Initiative {initiative_id} was not found")


def _is_duplicate(exc: Exception) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc)
    try:
        from asyncpg.exceptions import UniqueViolationError
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(exc, UniqueViolationError)


async def _retry_duplicate(write: Callable[[], Awaitable[T]], what: str) -> T:
    """Run a write that takes the next version number; a concurrent save that took
    the same number first makes it try again, and after a few tries a 409."""
    for _ in range(SAVE_ATTEMPTS):
        try:
            return await write()
        except Exception as exc:
            if not _is_duplicate(exc):
                raise
    raise Conflict(f"Someone else saved a new version of the {what} at the same time; try again.")


async def _check_findings(initiative_id: int, ids: Sequence[int], kind: str | None = None) -> None:
    """Every id must be a finding of this initiative (and of `kind` when given)."""
    if not ids:
        return
    where = Finding.id.is_in(list(ids)) & (Finding.initiative == initiative_id)
    if kind:
        where &= Finding.kind == kind
    found = {r["id"] for r in await Finding.select(Finding.id).where(where)}
    if found != set(ids):
        if kind == "root_cause":
            raise Invalid({"findings": "Choose root causes of this initiative from the list"})
        raise Invalid({"findings": "Choose findings of this initiative from the list"})


# ---------------------------------------------------------------- plain rows (findings, questions)


def _fields(values: dict[str, Any], allowed: tuple[str, ...], required: str, new: bool) -> dict:
    """The values a row may take; its `required` text cannot be blank (or, for a
    new row, missing)."""
    fields = {k: v for k, v in values.items() if k in allowed}
    if (new or required in fields) and not fields.get(required):
        raise Invalid({required: f"Enter {required}"})
    return fields


async def _insert(table, initiative_id: int, fields: dict[str, Any]) -> int:
    async with db.writing():
        rows = await table.insert(table(initiative=initiative_id, **fields)).returning(table.id)
    return rows[0]["id"]


async def _update(
    table,
    row_id: int,
    expected_version: int,
    fields: dict[str, Any],
    reread: Callable[[int], Awaitable[dict[str, Any]]],
    what: str,
) -> None:
    """Apply an edit made from `expected_version`; a stale one raises Conflict."""
    async with db.writing():
        check_version(await reread(row_id), expected_version, what)
        await save_version(table, row_id, expected_version, fields, reread)


# ---------------------------------------------------------------- findings


async def create_finding(initiative_id: int, values: dict[str, Any]) -> int:
    fields = _fields(values, FINDING_EDITABLE, "statement", new=True)
    return await _insert(Finding, initiative_id, fields)


async def update_finding(finding_id: int, expected_version: int, values: dict[str, Any]) -> None:
    fields = _fields(values, FINDING_EDITABLE, "statement", new=False)
    fields["updated_at"] = clock.now()
    await _update(Finding, finding_id, expected_version, fields, queries.finding_or_404, "finding")


def _numbers(noun: str, numbers: list[int]) -> str:
    """In words: problem statement version 1, theory of change versions 1, 2 and 3."""
    if len(numbers) == 1:
        return f"{noun} version {numbers[0]}"
    listed = ", ".join(str(n) for n in numbers[:-1])
    return f"{noun} versions {listed} and {numbers[-1]}"


def kept_as_evidence(
    finding_id: int, statements: list[dict[str, Any]], links: list[dict[str, Any]]
) -> str | None:
    """Why the finding cannot be deleted, or None when nothing versioned cites it.

    `statements` and `links` are as `queries.statements_built_from` and
    `queries.links_citing` return them. Saved versions are history: deleting the
    finding would take it out of the versions that cite it.
    """
    statement_numbers = sorted({s["number"] for s in statements})
    theory_numbers = sorted({link["theory_number"] for link in links})
    parts = []
    if statement_numbers:
        parts.append(_numbers("problem statement", statement_numbers))
    if theory_numbers:
        parts.append(_numbers("theory of change", theory_numbers))
    if not parts:
        return None
    cited_by = " and ".join(parts)
    them = "them" if len(statement_numbers) + len(theory_numbers) > 1 else "that version"
    return f"Finding {finding_id} is cited by {cited_by}: it stays as evidence for {them}."


FINDING_CHANGED = (
    "Someone else changed this finding after you opened it; nothing was deleted. "
    "Check the finding as it is now and delete it again if it should still go."
)


async def delete_finding(finding_id: int, expected_version: int) -> None:
    """Delete a finding seen at `expected_version` (DATA-01) that no saved version cites.

    Problem statement versions and causal links (of every theory version) keep
    the findings they were built from, so a finding any of them cites is refused
    (409). Links from stories are current work, not history: they go with it.
    """
    async with db.writing():
        finding = await queries.finding_or_404(finding_id)
        # Statement saves and link edits take this lock too: no citation can
        # land between the check below and the delete.
        await _lock_initiative(finding["initiative"])
        if finding["version"] != expected_version:
            raise Conflict(FINDING_CHANGED, current=finding)
        refusal = kept_as_evidence(
            finding_id,
            await queries.statements_built_from(finding_id),
            await queries.links_citing(finding_id),
        )
        if refusal:
            raise Conflict(refusal, current=finding)
        deleted = (
            await Finding.delete()
            .where((Finding.id == finding_id) & (Finding.version == expected_version))
            .returning(Finding.id)
        )
        if not deleted:  # edited between the read and the delete
            raise Conflict(FINDING_CHANGED, current=await queries.finding_or_404(finding_id))


# ---------------------------------------------------------------- data plan


async def create_question(initiative_id: int, values: dict[str, Any]) -> int:
    fields = _fields(values, QUESTION_EDITABLE, "question", new=True)
    return await _insert(DataQuestion, initiative_id, fields)


async def update_question(question_id: int, expected_version: int, values: dict[str, Any]) -> None:
    fields = _fields(values, QUESTION_EDITABLE, "question", new=False)
    await _update(
        DataQuestion, question_id, expected_version, fields, queries.question_or_404, "question"
    )


# ---------------------------------------------------------------- problem statement


async def save_problem_statement(
    initiative_id: int, text: str, root_causes: Sequence[int], author: int | None
) -> int:
    """Add the next version; earlier versions are never touched. Returns its number."""
    if not text:
        raise Invalid({"text": "Enter problem statement"})

    async def write() -> int:
        async with db.writing():
            await _lock_initiative(initiative_id)
            await _check_findings(initiative_id, root_causes, kind="root_cause")
            number = await _next_number(ProblemStatement, initiative_id)
            rows = await ProblemStatement.insert(
                ProblemStatement(
                    initiative=initiative_id, number=number, text=text, created_by=author
                )
            ).returning(ProblemStatement.id)
            if root_causes:
                await ProblemStatementFinding.insert(
                    *[
                        ProblemStatementFinding(statement=rows[0]["id"], finding=finding)
                        for finding in root_causes
                    ]
                )
        return number

    return await _retry_duplicate(write, "problem statement")


async def _next_number(table, initiative_id: int) -> int:
    rows = await (
        table.select(table.number)
        .where(table.initiative == initiative_id)
        .order_by(table.number, ascending=False)
        .limit(1)
    )
    return rows[0]["number"] + 1 if rows else 1


def draft_statement(root_causes: list[dict[str, Any]]) -> str:
    """A first draft of the problem statement assembled from root-cause findings."""
    if not root_causes:
        return ""
    lines = ["The problem, built from these root causes:", ""]
    for finding in root_causes:
        segment = f" ({finding['segment']})" if finding.get("segment") else ""
        lines.append(f"- {queries.first_line(finding['statement'])}{segment}")
    return "\n".join(lines)


# ---------------------------------------------------------------- theory of change


async def _theory_for_write(theory_id: int) -> dict[str, Any]:
    """The theory, after locking its initiative; only the newest version may change."""
    theory = await queries.theory_or_404(theory_id)
    await _lock_initiative(theory["initiative"])
    current = await _next_number(TheoryOfChange, theory["initiative"]) - 1
    if theory["number"] != current:
        raise OldVersion(theory["number"], current)
    return theory


async def _set_product_goal(initiative_id: int, outcome: str) -> None:
    """The long-term outcome IS the initiative's product goal. The initiative's
    version moves on too, so an open edit of the charter cannot silently undo it."""
    await Initiative.update(
        {Initiative.product_goal: outcome, Initiative.version: Initiative.version + 1}
    ).where((Initiative.id == initiative_id) & (Initiative.product_goal != outcome))


async def start_theory(initiative_id: int, values: dict[str, Any], author: int | None) -> int:
    """Version 1 of the initiative's theory of change.

    Its long-term outcome becomes the product goal, which from now on only the
    theory changes (the charter shows it read-only). Left blank, the outcome is
    the product goal the charter already has, never an erased one.
    """

    async def write() -> int:
        async with db.writing():
            await _lock_initiative(initiative_id)
            if await TheoryOfChange.exists().where(TheoryOfChange.initiative == initiative_id):
                raise Conflict("This initiative's theory of change has already been started.")
            goal = await Initiative.select(Initiative.product_goal).where(
                Initiative.id == initiative_id
            )
            outcome = values.get("long_term_outcome") or goal[0]["product_goal"]
            rows = await TheoryOfChange.insert(
                TheoryOfChange(
                    initiative=initiative_id,
                    number=1,
                    population=values.get("population", ""),
                    long_term_outcome=outcome,
                    created_by=author,
                )
            ).returning(TheoryOfChange.id)
            # The charter's version moves on even when the goal stays the same: a
            # charter form opened before now conflicts (409) instead of saving a
            # product goal the theory owns.
            await Initiative.update(
                {Initiative.product_goal: outcome, Initiative.version: Initiative.version + 1}
            ).where(Initiative.id == initiative_id)
        return rows[0]["id"]

    return await _retry_duplicate(write, "theory of change")


async def update_theory(theory_id: int, expected_version: int, values: dict[str, Any]) -> None:
    """Population and long-term outcome of the current version (DATA-01)."""
    fields = {k: values[k] for k in ("population", "long_term_outcome") if k in values}
    async with db.writing():
        theory = await _theory_for_write(theory_id)
        check_version(theory, expected_version, "theory of change")
        await save_version(
            TheoryOfChange, theory_id, expected_version, fields, queries.theory_or_404
        )
        if "long_term_outcome" in fields:
            await _set_product_goal(theory["initiative"], fields["long_term_outcome"])


async def new_theory_version(theory_id: int, change_note: str, author: int | None) -> int:
    """Copy the current version into the next number: its links (new rows, same
    lineage), the findings that justify them and its assumptions."""
    if not change_note:
        raise Invalid({"change_note": "Enter what changes in this version"})

    async def write() -> int:
        async with db.writing():
            theory = await _theory_for_write(theory_id)
            content = await queries.theory_content(theory_id)
            rows = await TheoryOfChange.insert(
                TheoryOfChange(
                    initiative=theory["initiative"],
                    number=theory["number"] + 1,
                    population=theory["population"],
                    long_term_outcome=theory["long_term_outcome"],
                    change_note=change_note,
                    created_by=author,
                )
            ).returning(TheoryOfChange.id)
            new_id = rows[0]["id"]
            await _copy_links(theory["initiative"], new_id, content["links"])
            if content["assumptions"]:
                await Assumption.insert(
                    *[
                        Assumption(theory=new_id, position=a["position"], text=a["text"])
                        for a in content["assumptions"]
                    ]
                )
        return new_id

    return await _retry_duplicate(write, "theory of change")


async def _copy_links(initiative_id: int, theory_id: int, links: list[dict[str, Any]]) -> None:
    """New rows for the new version, each keeping its lineage and its findings.

    One insert per link: a rare action, and each copy's id is then known for
    sure (lineages written by hand or by old data need not be unique).
    """
    citations = []
    for link in links:
        copied = await CausalLink.insert(
            CausalLink(
                theory=theory_id,
                initiative=initiative_id,
                position=link["position"],
                condition=link["condition"],
                result=link["result"],
                lineage=link["lineage"],
            )
        ).returning(CausalLink.id)
        citations += [
            CausalLinkFinding(link=copied[0]["id"], finding=finding["id"])
            for finding in link["findings"]
        ]
    if citations:
        await CausalLinkFinding.insert(*citations)


async def add_link(theory_id: int, values: dict[str, Any]) -> int:
    """A new last step of the current version's pathway."""
    async with db.writing():
        theory = await _theory_for_write(theory_id)
        await _check_findings(theory["initiative"], values["findings"])
        last = await (
            CausalLink.select(CausalLink.position)
            .where(CausalLink.theory == theory_id)
            .order_by(CausalLink.position, ascending=False)
            .limit(1)
        )
        rows = await CausalLink.insert(
            CausalLink(
                theory=theory_id,
                initiative=theory["initiative"],
                position=last[0]["position"] + 1 if last else 1,
                condition=values["condition"],
                result=values["result"],
                lineage=uuid.uuid4().hex,
            )
        ).returning(CausalLink.id)
        link_id = rows[0]["id"]
        await _set_citations(link_id, values["findings"])
    return link_id


async def _set_citations(link_id: int, finding_ids: Sequence[int]) -> None:
    await CausalLinkFinding.delete().where(CausalLinkFinding.link == link_id)
    if finding_ids:
        await CausalLinkFinding.insert(
            *[CausalLinkFinding(link=link_id, finding=f) for f in finding_ids]
        )


async def update_link(link_id: int, expected_version: int, values: dict[str, Any]) -> None:
    async with db.writing():
        link = await queries.link_or_404(link_id)
        theory = await _theory_for_write(link["theory"])
        check_version(link, expected_version, "causal link")
        await _check_findings(theory["initiative"], values["findings"])
        await save_version(
            CausalLink,
            link_id,
            expected_version,
            {"condition": values["condition"], "result": values["result"]},
            queries.link_or_404,
        )
        await _set_citations(link_id, values["findings"])


async def move_link(link_id: int, direction: str) -> bool:
    """Swap the link with its neighbour above or below; False when already at that end."""
    async with db.writing():
        link = await queries.link_or_404(link_id)
        await _theory_for_write(link["theory"])
        order = await (
            CausalLink.select(CausalLink.id, CausalLink.position)
            .where(CausalLink.theory == link["theory"])
            .order_by(CausalLink.position)
            .order_by(CausalLink.id)
        )
        ids = [row["id"] for row in order]
        here = ids.index(link_id)
        there = here - 1 if direction == "up" else here + 1
        if not 0 <= there < len(ids):
            return False
        ids[here], ids[there] = ids[there], ids[here]
        await _renumber(CausalLink, ids)
    return True


async def _renumber(table, ids: list[int]) -> None:
    """Positions 1..n in the given order (only rows whose position changes are written)."""
    if not ids:
        return
    current = {
        row["id"]: row["position"]
        for row in await table.select(table.id, table.position).where(table.id.is_in(ids))
    }
    for position, row_id in enumerate(ids, start=1):
        if current.get(row_id) != position:
            await table.update({table.position: position}).where(table.id == row_id)


async def delete_link(link_id: int) -> dict[str, Any]:
    async with db.writing():
        link = await queries.link_or_404(link_id)
        await _theory_for_write(link["theory"])
        await CausalLink.delete().where(CausalLink.id == link_id)
        rest = await (
            CausalLink.select(CausalLink.id)
            .where(CausalLink.theory == link["theory"])
            .order_by(CausalLink.position)
            .order_by(CausalLink.id)
        )
        await _renumber(CausalLink, [row["id"] for row in rest])
    return link


async def add_assumption(theory_id: int, text: str) -> None:
    if not text:
        raise Invalid({"assumption": "Enter assumption"})
    async with db.writing():
        await _theory_for_write(theory_id)
        count = await Assumption.count().where(Assumption.theory == theory_id)
        await Assumption.insert(Assumption(theory=theory_id, position=count + 1, text=text))


async def delete_assumption(theory_id: int, position: int, expected_id: int | None) -> None:
    """Delete the assumption at `position` (1 = first). A form also sends the id it
    showed there: if the list changed meanwhile, nothing is deleted (409)."""
    async with db.writing():
        await _theory_for_write(theory_id)
        rows = await (
            Assumption.select(Assumption.id)
            .where(Assumption.theory == theory_id)
            .order_by(Assumption.position)
            .order_by(Assumption.id)
        )
        ids = [row["id"] for row in rows]
        if not 1 <= position <= len(ids):
            raise NotFound(f"Assumption {position} was not found")
        if expected_id is not None and ids[position - 1] != expected_id:
            raise Conflict(
                "The list of assumptions changed while you were looking at it; "
                "nothing was deleted. Check the list and try again."
            )
        await Assumption.delete().where(Assumption.id == ids[position - 1])
        await _renumber(Assumption, ids[: position - 1] + ids[position:])
