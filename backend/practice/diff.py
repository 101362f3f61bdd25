"""What changed between two versions of a practice profile, in words.

Components and behaviours are matched by lineage (kept when a version is
copied), continuum levels by position (1 = best), and a behaviour's
descriptors by the behaviour's lineage and the level's position. Text changes
are marked word by word so a page can show them with <del> and <ins>.
Pure functions over two `queries.rubric` results: no database access.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

# Words (with inner apostrophes and hyphens), runs of spaces, single marks.
_TOKENS = re.compile(r"\s+|[\w'’-]+|[^\w\s]")

Segments = list[tuple[str, str]]  # (kind, text): kind is "same", "removed" or "added"


def _merge(parts: Segments) -> Segments:
    """Join neighbours of one kind; a lone space between two changes joins them too,
    so "the father" -> "both parents" reads as one change, not two."""
    parts = [p for p in parts if p[1]]
    for i in range(1, len(parts) - 1):
        kind, text = parts[i]
        if kind == "same" and not text.strip() and parts[i - 1][0] == parts[i + 1][0] != "same":
            parts[i] = (parts[i - 1][0], text)
    out: Segments = []
    for kind, text in parts:
        if not text:
            continue
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + text)
        else:
            out.append((kind, text))
    return out


def word_diff(old: str, new: str) -> dict[str, Segments]:
    """{"old": segments with removed words marked, "new": segments with added words marked}."""
    a = _TOKENS.findall(old or "")
    b = _TOKENS.findall(new or "")
    before: Segments = []
    after: Segments = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            before.append(("same", "".join(a[i1:i2])))
            after.append(("same", "".join(b[j1:j2])))
            continue
        if tag in ("replace", "delete"):
            before.append(("removed", "".join(a[i1:i2])))
        if tag in ("replace", "insert"):
            after.append(("added", "".join(b[j1:j2])))
    return {"old": _merge(before), "new": _merge(after)}


def _moved(old_order: list[str], new_order: list[str]) -> set[str]:
    """Keys whose place relative to the others changed (the rest form the longest
    common order): inserting or deleting a row moves nothing else."""
    common = set(old_order) & set(new_order)
    a = [key for key in old_order if key in common]
    b = [key for key in new_order if key in common]
    stay: set[str] = set()
    for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        stay.update(a[block.a : block.a + block.size])
    return common - stay


def _kind(before: dict[str, Any] | None, after: dict[str, Any] | None, *changes: Any) -> str:
    """added or removed when one side is missing; else changed if any of `changes`
    (flags, or lists of changes further down) is true, else same."""
    if before is None:
        return "added"
    if after is None:
        return "removed"
    return "changed" if any(changes) else "same"


def _by_lineage(
    old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None, bool]]:
    """Rows of two versions matched by lineage, as (before, after, moved): in the new
    version's order, then the rows it no longer has (after is None)."""
    old_by = {row["lineage"]: row for row in old}
    new_by = {row["lineage"]: row for row in new}
    moved = _moved([row["lineage"] for row in old], [row["lineage"] for row in new])
    order = [row["lineage"] for row in new] + [
        row["lineage"] for row in old if row["lineage"] not in new_by
    ]
    return [(old_by.get(key), new_by.get(key), key in moved) for key in order]


def _levels(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    old_at = {level["position"]: level for level in old}
    new_at = {level["position"]: level for level in new}
    out = []
    for position in sorted(set(old_at) | set(new_at)):
        before, after = old_at.get(position), new_at.get(position)
        change: dict[str, Any] = {"position": position, "old": before, "new": after}
        if before is not None and after is not None:
            change["renamed"] = before["label"] != after["label"]
            change["fidelity_changed"] = before["meets_fidelity"] != after["meets_fidelity"]
        change["kind"] = _kind(before, after, change.get("renamed"), change.get("fidelity_changed"))
        out.append(change)
    return out


def _descriptors(
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    old_levels: list[dict[str, Any]],
    new_levels: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Descriptor texts that differ, per level position (empty where there is none)."""
    old_at = {level["position"]: level for level in old_levels}
    new_at = {level["position"]: level for level in new_levels}
    out = []
    for position in sorted(set(old_at) | set(new_at)):
        old_level, new_level = old_at.get(position), new_at.get(position)
        before = (old or {}).get("descriptors", {}).get(old_level["id"], "") if old_level else ""
        after = (new or {}).get("descriptors", {}).get(new_level["id"], "") if new_level else ""
        if before == after:
            continue
        kind = "added" if not before else "removed" if not after else "changed"
        out.append(
            {
                "position": position,
                "label": (new_level or old_level)["label"],
                "kind": kind,
                "old": before,
                "new": after,
                "text": word_diff(before, after),
            }
        )
    return out


def _behaviours(
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    old_levels: list[dict[str, Any]],
    new_levels: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    out = []
    for before, after, moved in _by_lineage(old, new):
        change: dict[str, Any] = {
            "old": before,
            "new": after,
            "descriptors": _descriptors(before, after, old_levels, new_levels),
            "moved": moved,
        }
        if before is not None and after is not None:
            change["text_changed"] = before["text"] != after["text"]
            change["role_changed"] = before["role"] != after["role"]
            change["text"] = word_diff(before["text"], after["text"])
        change["kind"] = _kind(
            before,
            after,
            change.get("text_changed"),
            change.get("role_changed"),
            moved,
            change["descriptors"],
        )
        out.append(change)
    return out


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The changes from rubric `old` to rubric `new` (both from queries.rubric)."""
    components = []
    for before, after, moved in _by_lineage(old["components"], new["components"]):
        behaviours = _behaviours(
            (before or {}).get("behaviours", []),
            (after or {}).get("behaviours", []),
            old["levels"],
            new["levels"],
        )
        change: dict[str, Any] = {
            "old": before,
            "new": after,
            "behaviours": [b for b in behaviours if b["kind"] != "same"],
            "unchanged_behaviours": sum(1 for b in behaviours if b["kind"] == "same"),
            "moved": moved,
        }
        if before is not None and after is not None:
            change["renamed"] = before["name"] != after["name"]
            change["name"] = word_diff(before["name"], after["name"])
            change["description_changed"] = before["description"] != after["description"]
            change["description"] = word_diff(before["description"], after["description"])
        change["kind"] = _kind(
            before,
            after,
            change.get("renamed"),
            change.get("description_changed"),
            moved,
            change["behaviours"],
        )
        components.append(change)
    levels = _levels(old["levels"], new["levels"])
    result = {"levels": levels, "components": components}
    result["summary"] = summary(result)
    return result


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary(result: dict[str, Any]) -> list[str]:
    """One sentence per kind of change, for the top of the page; empty when nothing changed."""
    lines = []
    kinds: dict[str, int] = {}
    for level in result["levels"]:
        kinds[level["kind"]] = kinds.get(level["kind"], 0) + 1
    for kind in ("added", "removed", "changed"):
        if kinds.get(kind):
            lines.append(f"{_count(kinds[kind], 'continuum level', 'continuum levels')} {kind}")
    components: dict[str, int] = {}
    behaviours: dict[str, int] = {}
    descriptors = 0
    for component in result["components"]:
        components[component["kind"]] = components.get(component["kind"], 0) + 1
        for behaviour in component["behaviours"]:
            behaviours[behaviour["kind"]] = behaviours.get(behaviour["kind"], 0) + 1
            descriptors += len(behaviour["descriptors"])
    for kind in ("added", "removed", "changed"):
        if components.get(kind):
            lines.append(f"{_count(components[kind], 'core component', 'core components')} {kind}")
    for kind in ("added", "removed", "changed"):
        if behaviours.get(kind):
            lines.append(
                f"{_count(behaviours[kind], 'practice behaviour', 'practice behaviours')} {kind}"
            )
    if descriptors:
        lines.append(
            f"{_count(descriptors, 'descriptor', 'descriptors')} "
            + ("differs" if descriptors == 1 else "differ")
        )
    return lines
