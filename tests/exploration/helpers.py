"""Builders and readers for the exploration tests (through the same services as the app)."""

from __future__ import annotations

import re
from typing import Any

from backend.exploration import services
from backend.exploration.tables import (
    Assumption,
    CausalLink,
    CausalLinkFinding,
    Finding,
    ProblemStatement,
    TheoryOfChange,
)


def text_of(html: str) -> str:
    """The page's words with tags removed and spaces collapsed (none before , . ; or ))."""
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([,.;)])", r"\1", words)


async def page_queries(client, count_queries, urls) -> list[int]:
    """How many queries each page takes to render (PERF-01: compared at two sizes)."""
    counts = []
    for url in urls:
        with count_queries() as counted:
            assert (await client.get(url)).status_code == 200, url
        counts.append(counted.count)
    return counts


async def finding(initiative_id: int, statement: str = "Fathers are rarely invited", **kw) -> int:
    return await services.create_finding(initiative_id, {"statement": statement, **kw})


async def saved_finding(finding_id: int) -> dict[str, Any]:
    rows = await Finding.select().where(Finding.id == finding_id)
    assert rows, f"finding {finding_id} is not in the database"
    return rows[0]


async def theory_with_steps(initiative_id: int, steps: int = 2, cite: list[int] | None = None):
    """Theory v1 with `steps` links (each citing `cite`) and two assumptions."""
    theory = await services.start_theory(
        initiative_id, {"population": "Fathers", "long_term_outcome": "Fathers are partners"}, None
    )
    links = [
        await services.add_link(
            theory,
            {"condition": f"step {n} happens", "result": f"result {n}", "findings": cite or []},
        )
        for n in range(1, steps + 1)
    ]
    await services.add_assumption(theory, "Supervisors have time to coach")
    await services.add_assumption(theory, "Fathers can be reached")
    return theory, links


async def snapshot_theory(theory_id: int) -> dict[str, Any]:
    """A theory version's rows as the database holds them (to compare before and after)."""
    theory = (await TheoryOfChange.select().where(TheoryOfChange.id == theory_id))[0]
    links = await (
        CausalLink.select().where(CausalLink.theory == theory_id).order_by(CausalLink.position)
    )
    cited = await (
        CausalLinkFinding.select(CausalLinkFinding.link, CausalLinkFinding.finding)
        .where(CausalLinkFinding.link.is_in([link["id"] for link in links] or [-1]))
        .order_by(CausalLinkFinding.id)
    )
    assumptions = await (
        Assumption.select(Assumption.position, Assumption.text)
        .where(Assumption.theory == theory_id)
        .order_by(Assumption.position)
    )
    return {"theory": theory, "links": links, "cited": cited, "assumptions": assumptions}


async def statements(initiative_id: int) -> list[dict[str, Any]]:
    return await (
        ProblemStatement.select()
        .where(ProblemStatement.initiative == initiative_id)
        .order_by(ProblemStatement.number)
    )
