"""Reads for the problem-exploration and theory-of-change pages.

Every function sends a fixed number of queries whatever the number of rows
(PERF-01): lists fetch their counts grouped in one query, never one per row.
"""

from __future__ import annotations

import re
from typing import Any

from piccolo.query.functions.aggregate import Count

from backend import db
from backend.errors import NotFound
from backend.exploration.forms import FindingFilters
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
from backend.traceability.tables import ItemFinding

FINDING_COLUMNS = (
    Finding.id,
    Finding.initiative,
    Finding.statement,
    Finding.kind,
    Finding.evidence_type,
    Finding.source,
    Finding.segment,
    Finding.confidence,
    Finding.found_on,
    Finding.version,
    Finding.created_at,
    Finding.updated_at,
)
THEORY_COLUMNS = (
    TheoryOfChange.id,
    TheoryOfChange.initiative,
    TheoryOfChange.number,
    TheoryOfChange.population,
    TheoryOfChange.long_term_outcome,
    TheoryOfChange.change_note,
    TheoryOfChange.created_at,
    TheoryOfChange.version,
    TheoryOfChange.created_by.name.as_alias("author"),
)
LINK_COLUMNS = (
    CausalLink.id,
    CausalLink.theory,
    CausalLink.initiative,
    CausalLink.position,
    CausalLink.condition,
    CausalLink.result,
    CausalLink.lineage,
    CausalLink.version,
)

_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"[*_`~]+")
FIRST_LINE_MAX = 160


def plain(markdown: str) -> str:
    """Markdown as plain words on one line, for link texts and the pathway diagram."""
    lines = [
        _EMPHASIS.sub("", _LINK.sub(r"\1", _MARKUP.sub("", line))) for line in markdown.splitlines()
    ]
    return " ".join(" ".join(lines).split())


def first_line(statement: str) -> str:
    """The first non-blank line of a finding's markdown, as plain words."""
    line = plain(next((ln for ln in (statement or "").splitlines() if ln.strip()), ""))
    if len(line) > FIRST_LINE_MAX:
        line = line[: FIRST_LINE_MAX - 1].rstrip() + "…"
    return line or "(no statement)"


def _one(rows: list[dict[str, Any]], message: str) -> dict[str, Any]:
    if not rows:
        raise NotFound(message)
    return rows[0]


# ---------------------------------------------------------------- findings


async def finding_or_404(finding_id: int) -> dict[str, Any]:
    if not db.possible_id(finding_id):
        raise NotFound(f"Finding {finding_id} was not found")
    rows = await Finding.select(*FINDING_COLUMNS).where(Finding.id == finding_id)
    return _one(rows, f"Finding {finding_id} was not found")


async def segments_of(initiative_id: int) -> list[str]:
    """The population segments the initiative's findings name, for the filter."""
    rows = await (
        Finding.select(Finding.segment)
        .where((Finding.initiative == initiative_id) & (Finding.segment != ""))
        .distinct()
        .order_by(Finding.segment)
    )
    return [r["segment"] for r in rows]


async def finding_count(initiative_id: int) -> int:
    return await Finding.count().where(Finding.initiative == initiative_id)


async def findings_of(initiative_id: int, filters: FindingFilters | None = None) -> list[dict]:
    """The initiative's findings, newest first, with how many stories and causal links
    of the current theory of change use each (three queries in all)."""
    where = Finding.initiative == initiative_id
    if filters is not None:
        if filters.kind:
            where &= Finding.kind == filters.kind
        if filters.source:
            where &= Finding.source == filters.source
        if filters.segment:
            where &= Finding.segment == filters.segment
    rows = await Finding.select(*FINDING_COLUMNS).where(where).order_by(Finding.id, ascending=False)
    of_initiative = Finding.select(Finding.id).where(Finding.initiative == initiative_id)
    stories = await (
        ItemFinding.select(ItemFinding.finding, Count(ItemFinding.id, alias="n"))
        .where(ItemFinding.finding.is_in(of_initiative))
        .group_by(ItemFinding.finding)
    )
    current = (
        TheoryOfChange.select(TheoryOfChange.id)
        .where(TheoryOfChange.initiative == initiative_id)
        .order_by(TheoryOfChange.number, ascending=False)
        .limit(1)
    )
    links = await (
        CausalLinkFinding.select(CausalLinkFinding.finding, Count(CausalLinkFinding.id, alias="n"))
        .where(CausalLinkFinding.link.theory.is_in(current))
        .group_by(CausalLinkFinding.finding)
    )
    story_counts = {r["finding"]: r["n"] for r in stories}
    link_counts = {r["finding"]: r["n"] for r in links}
    for row in rows:
        row["story_count"] = story_counts.get(row["id"], 0)
        row["link_count"] = link_counts.get(row["id"], 0)
        row["first_line"] = first_line(row["statement"])
    return rows


async def finding_choices(initiative_id: int, kind: str | None = None) -> list[dict]:
    """Findings to tick on a form (a link's justification, a statement's root causes)."""
    where = Finding.initiative == initiative_id
    if kind:
        where &= Finding.kind == kind
    rows = await (
        Finding.select(Finding.id, Finding.statement, Finding.kind, Finding.segment)
        .where(where)
        .order_by(Finding.id)
    )
    for row in rows:
        row["first_line"] = first_line(row["statement"])
    return rows


async def links_citing(finding_id: int) -> list[dict[str, Any]]:
    """Causal links in any theory version that cite the finding, newest version first."""
    rows = await (
        CausalLinkFinding.select(
            CausalLinkFinding.link.as_alias("id"),
            CausalLinkFinding.link.condition.as_alias("condition"),
            CausalLinkFinding.link.result.as_alias("result"),
            CausalLinkFinding.link.position.as_alias("position"),
            CausalLinkFinding.link.theory.as_alias("theory"),
            CausalLinkFinding.link.theory.number.as_alias("theory_number"),
        )
        .where(CausalLinkFinding.finding == finding_id)
        .order_by(CausalLinkFinding.link.theory.number, ascending=False)
        .order_by(CausalLinkFinding.link.position)
    )
    return rows


async def statements_built_from(finding_id: int) -> list[dict[str, Any]]:
    return await (
        ProblemStatementFinding.select(
            ProblemStatementFinding.statement.number.as_alias("number"),
            ProblemStatementFinding.statement.created_at.as_alias("created_at"),
        )
        .where(ProblemStatementFinding.finding == finding_id)
        .order_by(ProblemStatementFinding.statement.number, ascending=False)
    )


# ---------------------------------------------------------------- data plan


async def question_or_404(question_id: int) -> dict[str, Any]:
    if not db.possible_id(question_id):
        raise NotFound(f"Data plan question {question_id} was not found")
    rows = await DataQuestion.select().where(DataQuestion.id == question_id)
    return _one(rows, f"Data plan question {question_id} was not found")


async def questions_of(initiative_id: int) -> list[dict[str, Any]]:
    return await (
        DataQuestion.select()
        .where(DataQuestion.initiative == initiative_id)
        .order_by(DataQuestion.id)
    )


# ---------------------------------------------------------------- problem statement


async def statement_versions(initiative_id: int) -> list[dict[str, Any]]:
    """Every version, newest first, without their (possibly long) texts."""
    return await (
        ProblemStatement.select(
            ProblemStatement.id,
            ProblemStatement.number,
            ProblemStatement.created_at,
            ProblemStatement.created_by.name.as_alias("author"),
        )
        .where(ProblemStatement.initiative == initiative_id)
        .order_by(ProblemStatement.number, ascending=False)
    )


async def statement_version(initiative_id: int, number: int) -> dict[str, Any]:
    message = f"Problem statement version {number} was not found"
    if not db.possible_id(number):
        raise NotFound(message)
    rows = await ProblemStatement.select(
        ProblemStatement.id,
        ProblemStatement.number,
        ProblemStatement.text,
        ProblemStatement.created_at,
        ProblemStatement.created_by.name.as_alias("author"),
    ).where((ProblemStatement.initiative == initiative_id) & (ProblemStatement.number == number))
    return _one(rows, message)


async def statement_root_causes(statement_id: int) -> list[dict[str, Any]]:
    rows = await (
        ProblemStatementFinding.select(
            ProblemStatementFinding.finding.as_alias("id"),
            ProblemStatementFinding.finding.statement.as_alias("statement"),
            ProblemStatementFinding.finding.segment.as_alias("segment"),
        )
        .where(ProblemStatementFinding.statement == statement_id)
        .order_by(ProblemStatementFinding.finding)
    )
    for row in rows:
        row["first_line"] = first_line(row["statement"])
    return rows


# ---------------------------------------------------------------- theory of change


async def theory_or_404(theory_id: int) -> dict[str, Any]:
    if not db.possible_id(theory_id):
        raise NotFound(f"Theory of change {theory_id} was not found")
    rows = await TheoryOfChange.select(*THEORY_COLUMNS).where(TheoryOfChange.id == theory_id)
    return _one(rows, f"Theory of change {theory_id} was not found")


async def has_theory(initiative_id: int) -> bool:
    """Once it has one, the initiative's product goal is its theory's long-term outcome."""
    return await TheoryOfChange.exists().where(TheoryOfChange.initiative == initiative_id)


async def theory_versions(initiative_id: int) -> list[dict[str, Any]]:
    """Every version of the initiative's theory of change, newest (current) first."""
    return await (
        TheoryOfChange.select(*THEORY_COLUMNS)
        .where(TheoryOfChange.initiative == initiative_id)
        .order_by(TheoryOfChange.number, ascending=False)
    )


async def link_or_404(link_id: int) -> dict[str, Any]:
    if not db.possible_id(link_id):
        raise NotFound(f"Causal link {link_id} was not found")
    rows = await CausalLink.select(
        *LINK_COLUMNS, CausalLink.theory.number.as_alias("theory_number")
    ).where(CausalLink.id == link_id)
    return _one(rows, f"Causal link {link_id} was not found")


async def link_findings(link_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """link id -> the findings that justify it (one query for all links)."""
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in link_ids}
    if not link_ids:
        return out
    rows = await (
        CausalLinkFinding.select(
            CausalLinkFinding.link,
            CausalLinkFinding.finding.as_alias("id"),
            CausalLinkFinding.finding.statement.as_alias("statement"),
            CausalLinkFinding.finding.kind.as_alias("kind"),
            CausalLinkFinding.finding.segment.as_alias("segment"),
        )
        .where(CausalLinkFinding.link.is_in(link_ids))
        .order_by(CausalLinkFinding.finding)
    )
    for row in rows:
        row["first_line"] = first_line(row["statement"])
        out[row.pop("link")].append(row)
    return out


async def theory_content(theory_id: int) -> dict[str, Any]:
    """A version's pathway (links in order, each with its findings) and assumptions."""
    links = await (
        CausalLink.select(*LINK_COLUMNS)
        .where(CausalLink.theory == theory_id)
        .order_by(CausalLink.position)
        .order_by(CausalLink.id)
    )
    cited = await link_findings([link["id"] for link in links])
    for link in links:
        link["findings"] = cited[link["id"]]
    assumptions = await (
        Assumption.select(Assumption.id, Assumption.position, Assumption.text)
        .where(Assumption.theory == theory_id)
        .order_by(Assumption.position)
        .order_by(Assumption.id)
    )
    return {"links": links, "assumptions": assumptions}


def root_causes_of(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The distinct root-cause findings a pathway cites, in the order first cited."""
    seen: dict[int, dict[str, Any]] = {}
    for link in links:
        for finding in link["findings"]:
            if finding["kind"] == "root_cause":
                seen.setdefault(finding["id"], finding)
    return list(seen.values())
