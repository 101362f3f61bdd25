"""The PDSA ramp view: per change idea, the chains of cycles that follow one another.

A ramp starts at a cycle that follows no other (a first test, or one whose
previous cycle was deleted) and goes on through the cycles started from each
Act decision. Usually each cycle has one next cycle; when a cycle has several
(the idea tested on at two sites, say), each is a branch of its own.

Built from the rows `queries.cycles_of` gives, with no query of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend.pdsa.queries import short


@dataclass
class Step:
    cycle: dict[str, Any]
    number: int  # its place in the ramp: 1 for the first cycle
    prediction: str
    result: str
    branches: list[list[Step]] = field(default_factory=list)


@dataclass
class Ramp:
    change_idea: str
    chains: list[list[Step]]

    @property
    def cycle_count(self) -> int:
        return sum(_count(chain) for chain in self.chains)


def _count(chain: list[Step]) -> int:
    return sum(1 + sum(_count(b) for b in step.branches) for step in chain)


def _start_key(cycle: dict[str, Any]) -> tuple:
    """Earliest start first, undated after the dated ones, then in the order made."""
    start = cycle["start_date"]
    return (start is None, start.toordinal() if start else 0, cycle["id"])


def build(cycles: list[dict[str, Any]]) -> list[Ramp]:
    """Ramps by change idea (as the first cycle of each chain names it), in name order."""
    by_id = {c["id"]: c for c in cycles}
    following: dict[int, list[dict[str, Any]]] = {}
    firsts = []
    for cycle in cycles:
        parent = cycle["parent"]
        if parent in by_id and parent != cycle["id"]:
            following.setdefault(parent, []).append(cycle)
        else:
            firsts.append(cycle)
    for kids in following.values():
        kids.sort(key=_start_key)
    seen: set[int] = set()

    def chain_from(cycle: dict[str, Any], number: int) -> list[Step]:
        chain: list[Step] = []
        current: dict[str, Any] | None = cycle
        while current is not None and current["id"] not in seen:
            seen.add(current["id"])
            step = Step(
                cycle=current,
                number=number,
                prediction=short(current["prediction"]),
                result=short(current["study"]),
            )
            chain.append(step)
            kids = following.get(current["id"], [])
            number += 1
            if len(kids) == 1:
                current = kids[0]
            else:
                step.branches = [b for b in (chain_from(k, number) for k in kids) if b]
                current = None
        return chain

    groups: dict[str, Ramp] = {}
    for first in sorted(firsts, key=_start_key):
        key = " ".join(first["change_idea"].split()).casefold()
        ramp = groups.setdefault(key, Ramp(change_idea=first["change_idea"], chains=[]))
        ramp.chains.append(chain_from(first, 1))
    return [groups[key] for key in sorted(groups)]
