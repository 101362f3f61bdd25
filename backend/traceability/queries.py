"""Reads behind traceability: which stories act on a row, what an item links to and
may link to, the chips on cards, and the gaps of an initiative.

Each read is a fixed number of queries whatever the number of rows (PERF-01).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from backend.exploration.tables import (
    FINDING_KINDS,
    CausalLink,
    CausalLinkFinding,
    Finding,
    TheoryOfChange,
)
from backend.practice.tables import CoreComponent, PracticeProfile
from backend.scrum.tables import BacklogItem
from backend.traceability import rules
from backend.traceability.tables import ItemCausalLink, ItemComponent, ItemFinding

# The three kinds of link to rows of the item's own initiative, by the name forms
# and the API use for them.
LINK_KINDS = ("findings", "components", "causal_links")
# Links to the CFSR reference (items 1-36, shared by every agency), by item number.
CFSR_ITEMS = "cfsr_items"


async def _stories(item_ids: list[int]) -> list[dict[str, Any]]:
    if not item_ids:
        return []
    return await (
        BacklogItem.select(
            BacklogItem.id,
            BacklogItem.kind,
            BacklogItem.title,
            BacklogItem.status.name.as_alias("status_name"),
            BacklogItem.status.is_done.as_alias("is_done"),
            BacklogItem.sprint.number.as_alias("sprint_number"),
            BacklogItem.sprint.state.as_alias("sprint_state"),
        )
        .where(BacklogItem.id.is_in(item_ids))
        .order_by(BacklogItem.rank)
    )


async def stories_acting_on_finding(finding_id: int) -> list[dict[str, Any]]:
    links = await ItemFinding.select(ItemFinding.item).where(ItemFinding.finding == finding_id)
    return await _stories([row["item"] for row in links])


async def stories_acting_on_component(component_id: int) -> list[dict[str, Any]]:
    """Stories linked to this component in any version of its profile (same lineage)."""
    links = await ItemComponent.select(ItemComponent.item).where(
        ItemComponent.component.is_in(
            CoreComponent.select(CoreComponent.id).where(
                CoreComponent.lineage.is_in(
                    CoreComponent.select(CoreComponent.lineage).where(
                        CoreComponent.id == component_id
                    )
                )
            )
        )
    )
    return await _stories(sorted({row["item"] for row in links}))


async def stories_acting_on_link(link_id: int) -> list[dict[str, Any]]:
    """Stories linked to this causal link in any version of the theory (same lineage)."""
    links = await ItemCausalLink.select(ItemCausalLink.item).where(
        ItemCausalLink.link.is_in(
            CausalLink.select(CausalLink.id).where(
                CausalLink.lineage.is_in(
                    CausalLink.select(CausalLink.lineage).where(CausalLink.id == link_id)
                )
            )
        )
    )
    return await _stories(sorted({row["item"] for row in links}))


# ---------------------------------------------------------------- what an initiative holds


async def findings_of(initiative_id: int) -> list[dict[str, Any]]:
    """The initiative's findings, grouped by kind in the kinds' order, each with a label."""
    rows = await (
        Finding.select(Finding.id, Finding.kind, Finding.statement, Finding.segment)
        .where(Finding.initiative == initiative_id)
        .order_by(Finding.id)
    )
    order = {kind: n for n, kind in enumerate(FINDING_KINDS)}
    rows.sort(key=lambda r: (order.get(r["kind"], len(order)), r["id"]))
    for row in rows:
        row["kind_label"] = FINDING_KINDS.get(row["kind"], row["kind"])
        row["label"] = rules.first_line(row.pop("statement"))
    return rows


async def components_of(initiative_id: int) -> list[dict[str, Any]]:
    """Every core component of every profile version of the initiative (two queries).

    `latest` marks the components of the latest version of each intervention's
    profile: those are the ones to link to now; older ones stay readable.
    """
    profiles = await PracticeProfile.select(
        PracticeProfile.id, PracticeProfile.intervention, PracticeProfile.number
    ).where(PracticeProfile.initiative == initiative_id)
    latest: dict[int, dict[str, Any]] = {}
    for profile in profiles:
        best = latest.get(profile["intervention"])
        if best is None or profile["number"] > best["number"]:
            latest[profile["intervention"]] = profile
    latest_ids = {p["id"] for p in latest.values()}
    rows = await (
        CoreComponent.select(
            CoreComponent.id,
            CoreComponent.name,
            CoreComponent.position,
            CoreComponent.lineage,
            CoreComponent.profile,
            CoreComponent.profile.number.as_alias("profile_number"),
            CoreComponent.profile.status.as_alias("profile_status"),
            CoreComponent.profile.intervention.as_alias("intervention_id"),
            CoreComponent.profile.intervention.name.as_alias("intervention_name"),
        )
        .where(CoreComponent.initiative == initiative_id)
        .order_by(CoreComponent.profile.intervention.name)
        .order_by(CoreComponent.profile.intervention)
        .order_by(CoreComponent.profile.number, ascending=False)
        .order_by(CoreComponent.position)
        .order_by(CoreComponent.id)
    )
    for row in rows:
        row["latest"] = row["profile"] in latest_ids
        row["profile_label"] = rules.profile_label(row["intervention_name"], row["profile_number"])
        row["label"] = rules.component_label(
            row["name"], row["intervention_name"], row["profile_number"]
        )
    return rows


async def current_theory(initiative_id: int) -> dict[str, Any] | None:
    """The initiative's current theory of change: the highest number."""
    rows = await (
        TheoryOfChange.select(TheoryOfChange.id, TheoryOfChange.number)
        .where(TheoryOfChange.initiative == initiative_id)
        .order_by(TheoryOfChange.number, ascending=False)
        .limit(1)
    )
    return rows[0] if rows else None


async def causal_links_of(initiative_id: int) -> list[dict[str, Any]]:
    """Every causal link of every theory version, current first (two queries).

    `current` marks the links of the current theory of change.
    """
    theory = await current_theory(initiative_id)
    rows = await (
        CausalLink.select(
            CausalLink.id,
            CausalLink.theory,
            CausalLink.theory.number.as_alias("theory_number"),
            CausalLink.position,
            CausalLink.condition,
            CausalLink.result,
            CausalLink.lineage,
        )
        .where(CausalLink.initiative == initiative_id)
        .order_by(CausalLink.theory.number, ascending=False)
        .order_by(CausalLink.position)
        .order_by(CausalLink.id)
    )
    for row in rows:
        row["current"] = theory is not None and row["theory"] == theory["id"]
        row["theory_label"] = f"theory of change v{row['theory_number']}"
        row["label"] = rules.causal_label(row.pop("condition"), row.pop("result"))
    return rows


# ---------------------------------------------------------------- what items link to

# One statement for the four link tables. {scope} is replaced by constant SQL
# text (a subquery, or one bound placeholder per id); values are always bound.
# A CFSR link's target is the item's number (1-36), not its row id.
_LINKS_SQL = (
    "SELECT ic.item AS item, 'components' AS what, ic.component AS target, cc.name AS name"
    " FROM item_component ic JOIN core_component cc ON cc.id = ic.component"
    " WHERE ic.item IN ({scope})"
    " UNION ALL SELECT f.item, 'findings', f.finding, NULL FROM item_finding f"
    " WHERE f.item IN ({scope})"
    " UNION ALL SELECT l.item, 'causal_links', l.link, NULL FROM item_causal_link l"
    " WHERE l.item IN ({scope})"
    " UNION ALL SELECT x.item, 'cfsr_items', ci.number, NULL FROM item_cfsr_item x"
    " JOIN cfsr_item ci ON ci.id = x.cfsr_item WHERE x.item IN ({scope})"
)
_SPRINT_ITEMS = "SELECT b.id FROM backlog_item b WHERE b.sprint = {}"


async def linked_rows(
    *, item_ids: Iterable[int] | None = None, sprint_id: int | None = None
) -> list[dict[str, Any]]:
    """(item, what, target, name) of every link of the given items or of a sprint's
    items, in one query. `name` is the component's name, None for the others;
    `target` is a row id, or the item number for `cfsr_items`."""
    if sprint_id is not None:
        scope, args = _SPRINT_ITEMS, [sprint_id]
    else:
        ids = sorted(set(item_ids or ()))
        if not ids:
            return []
        scope, args = ", ".join("{}" for _ in ids), ids
    sql = _LINKS_SQL.replace("{scope}", scope)
    rows = await ItemFinding.raw(sql, *args, *args, *args, *args)
    return sorted(rows, key=lambda r: (r["item"], r["what"], r["target"]))


async def linked_ids(item_id: int) -> dict[str, set[int]]:
    """The ids one item links to, by kind, and its CFSR item numbers (one query)."""
    chosen: dict[str, set[int]] = {kind: set() for kind in (*LINK_KINDS, CFSR_ITEMS)}
    for row in await linked_rows(item_ids=[item_id]):
        chosen[row["what"]].add(row["target"])
    return chosen


def _empty_trace() -> dict[str, Any]:
    return {"chips": [], "findings": 0, "causal_links": 0, CFSR_ITEMS: 0}


async def annotate(
    rows: list[dict[str, Any]], *, sprint_id: int | None = None, rule_on: bool | None = None
) -> None:
    """Give each card or backlog row its `trace`: component chips, the number of
    findings and whether the rule flags it (one query for all rows).

    Rows carry `id`, `kind`, `stage_position` and, unless `rule_on` is given,
    `trace_rule` (their initiative's rule).
    """
    if not rows:
        return
    if sprint_id is not None:
        links = await linked_rows(sprint_id=sprint_id)
    else:
        links = await linked_rows(item_ids=[r["id"] for r in rows])
    by_item: dict[int, dict[str, Any]] = {}
    for link in links:
        trace = by_item.setdefault(link["item"], _empty_trace())
        if link["what"] == "components":
            trace["chips"].append(rules.chip(link["name"]))
        else:
            trace[link["what"]] += 1
    for row in rows:
        trace = by_item.get(row["id"]) or _empty_trace()
        on = row.get("trace_rule", True) if rule_on is None else rule_on
        trace["flag"] = rules.flagged(
            on, row["kind"], row["stage_position"], trace["findings"] > 0, bool(trace["chips"])
        )
        row["trace"] = trace


# ---------------------------------------------------------------- the gaps of an initiative

STORY_COLUMNS = (
    BacklogItem.id,
    BacklogItem.kind,
    BacklogItem.title,
    BacklogItem.stage.name.as_alias("stage_name"),
    BacklogItem.stage.position.as_alias("stage_position"),
    BacklogItem.status.name.as_alias("status_name"),
    BacklogItem.status.is_done.as_alias("is_done"),
)


async def component_stories(initiative_id: int) -> dict[str, list[dict[str, Any]]]:
    """Component lineage -> the items linked to any version of it, in backlog order."""
    rows = await (
        ItemComponent.select(
            ItemComponent.component.lineage.as_alias("lineage"),
            ItemComponent.item.as_alias("id"),
            ItemComponent.item.kind.as_alias("kind"),
            ItemComponent.item.title.as_alias("title"),
            ItemComponent.item.status.name.as_alias("status_name"),
            ItemComponent.item.status.is_done.as_alias("is_done"),
        )
        .where(ItemComponent.item.initiative == initiative_id)
        .order_by(ItemComponent.item.rank)
        .order_by(ItemComponent.item)
    )
    by_lineage: dict[str, list[dict[str, Any]]] = {}
    seen: set[tuple[str, int]] = set()
    for row in rows:
        key = (row["lineage"], row["id"])
        if key in seen:  # linked to two versions of the same component
            continue
        seen.add(key)
        by_lineage.setdefault(row.pop("lineage"), []).append(row)
    return by_lineage


async def unused_findings(initiative_id: int) -> list[dict[str, Any]]:
    """Findings no item links to and no causal link of the current theory rests on.

    A finding that justifies an older version of a link still in the current
    theory (same lineage) counts as used: the new version may not have copied
    its justifications yet.
    """
    theory = await current_theory(initiative_id)
    on_items = ItemFinding.select(ItemFinding.finding).where(
        ItemFinding.item.initiative == initiative_id
    )
    where = (Finding.initiative == initiative_id) & Finding.id.not_in(on_items)
    if theory is not None:
        current_lineages = CausalLink.select(CausalLink.lineage).where(
            CausalLink.theory == theory["id"]
        )
        on_links = CausalLinkFinding.select(CausalLinkFinding.finding).where(
            CausalLinkFinding.link.lineage.is_in(current_lineages)
        )
        where &= Finding.id.not_in(on_links)
    rows = await (
        Finding.select(Finding.id, Finding.kind, Finding.statement, Finding.segment)
        .where(where)
        .order_by(Finding.id)
    )
    for row in rows:
        row["kind_label"] = FINDING_KINDS.get(row["kind"], row["kind"])
        row["label"] = rules.first_line(row.pop("statement"))
    return rows


async def unlinked_stories(initiative_id: int) -> list[dict[str, Any]]:
    """Stories at stage 4 or later that link to no finding and no core component."""
    with_finding = ItemFinding.select(ItemFinding.item).where(
        ItemFinding.item.initiative == initiative_id
    )
    with_component = ItemComponent.select(ItemComponent.item).where(
        ItemComponent.item.initiative == initiative_id
    )
    return await (
        BacklogItem.select(*STORY_COLUMNS)
        .where(
            (BacklogItem.initiative == initiative_id)
            & (BacklogItem.kind == "story")
            & (BacklogItem.stage.position >= rules.RULE_FROM_STAGE)
            & BacklogItem.id.not_in(with_finding)
            & BacklogItem.id.not_in(with_component)
        )
        .order_by(BacklogItem.rank)
    )


async def gaps(initiative: dict[str, Any]) -> dict[str, Any]:
    """The traceability view of one initiative: components by stories, unused
    findings, unlinked stories (when the rule is on) and counts of each."""
    initiative_id = initiative["id"]
    rule_on = bool(initiative["trace_rule"])
    components = [c for c in await components_of(initiative_id) if c["latest"]]
    stories = await component_stories(initiative_id)
    for component in components:
        component["stories"] = stories.get(component["lineage"], [])
    findings = await unused_findings(initiative_id)
    unlinked = await unlinked_stories(initiative_id) if rule_on else []
    covered = sum(1 for c in components if c["stories"])
    return {
        "rule_on": rule_on,
        "components": components,
        "unused_findings": findings,
        "unlinked_stories": unlinked,
        "summary": {
            "components": len(components),
            "components_with_stories": covered,
            "components_without_stories": len(components) - covered,
            "unused_findings": len(findings),
            "unlinked_stories": len(unlinked) if rule_on else None,
        },
    }
