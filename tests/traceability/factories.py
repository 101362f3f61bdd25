"""Findings, practice profiles and theories of change inserted straight into their
tables: the pages that create them are tested in their own areas."""

from __future__ import annotations

import uuid

from backend.exploration.tables import CausalLink, CausalLinkFinding, Finding, TheoryOfChange
from backend.practice.tables import CoreComponent, Intervention, PracticeProfile
from backend.traceability.tables import ItemCausalLink, ItemComponent, ItemFinding


async def _insert(row) -> int:
    table = type(row)
    return (await table.insert(row).returning(table.id))[0]["id"]


async def make_finding(
    initiative_id: int,
    statement: str = "Fathers are rarely invited to case planning",
    kind: str = "observation",
    segment: str = "",
) -> int:
    return await _insert(
        Finding(initiative=initiative_id, statement=statement, kind=kind, segment=segment)
    )


async def make_intervention(initiative_id: int, name: str = "Family voice") -> int:
    return await _insert(Intervention(initiative=initiative_id, name=name))


async def make_profile(
    initiative_id: int,
    intervention_id: int,
    components: list[str],
    number: int = 1,
    status: str = "draft",
    lineages: list[str] | None = None,
) -> tuple[int, list[int]]:
    """A profile version with these core components; `lineages` continues the
    components of an earlier version (one per name, None for a new one)."""
    profile = await _insert(
        PracticeProfile(
            intervention=intervention_id, initiative=initiative_id, number=number, status=status
        )
    )
    ids = []
    for position, name in enumerate(components, start=1):
        lineage = (lineages or [None] * len(components))[position - 1] or uuid.uuid4().hex
        ids.append(
            await _insert(
                CoreComponent(
                    profile=profile,
                    initiative=initiative_id,
                    position=position,
                    name=name,
                    lineage=lineage,
                )
            )
        )
    return profile, ids


async def lineage_of(component_id: int) -> str:
    rows = await CoreComponent.select(CoreComponent.lineage).where(CoreComponent.id == component_id)
    return rows[0]["lineage"]


async def make_theory(
    initiative_id: int,
    links: list[tuple[str, str]],
    number: int = 1,
    lineages: list[str] | None = None,
) -> tuple[int, list[int]]:
    """A theory of change version with these (if, then) causal links."""
    theory = await _insert(TheoryOfChange(initiative=initiative_id, number=number))
    ids = []
    for position, (condition, result) in enumerate(links, start=1):
        lineage = (lineages or [None] * len(links))[position - 1] or uuid.uuid4().hex
        ids.append(
            await _insert(
                CausalLink(
                    theory=theory,
                    initiative=initiative_id,
                    position=position,
                    condition=condition,
                    result=result,
                    lineage=lineage,
                )
            )
        )
    return theory, ids


async def justify(link_id: int, finding_id: int) -> None:
    await CausalLinkFinding.insert(CausalLinkFinding(link=link_id, finding=finding_id))


async def link_item(
    item_id: int,
    findings: tuple[int, ...] = (),
    components: tuple[int, ...] = (),
    causal_links: tuple[int, ...] = (),
) -> None:
    for finding in findings:
        await ItemFinding.insert(ItemFinding(item=item_id, finding=finding))
    for component in components:
        await ItemComponent.insert(ItemComponent(item=item_id, component=component))
    for link in causal_links:
        await ItemCausalLink.insert(ItemCausalLink(item=item_id, link=link))


async def saved_links(item_id: int) -> dict[str, set[int]]:
    """What the database holds for one item, by kind."""
    findings = await ItemFinding.select(ItemFinding.finding).where(ItemFinding.item == item_id)
    components = await ItemComponent.select(ItemComponent.component).where(
        ItemComponent.item == item_id
    )
    links = await ItemCausalLink.select(ItemCausalLink.link).where(ItemCausalLink.item == item_id)
    return {
        "findings": {r["finding"] for r in findings},
        "components": {r["component"] for r in components},
        "causal_links": {r["link"] for r in links},
    }


# ---------------------------------------------------------------- a hand-built world


class TraceWorld:
    """One intervention with profile v1 and v2 (three components, same lineages),
    a theory of change v1 and v2, three findings and a few stories:

    - voice (v2) has no story: a gap; authenticity (v2) has `s_auth`;
      partnership has `s_old`, linked to its v1 row (counts by lineage);
    - `f_story` is linked to `s_find`, `f_link` justifies a current causal link,
      `f_unused` is used by nothing;
    - `s_stage4` is an unlinked story at stage 4 (flagged), `s_stage3` one at
      stage 3 and `t_stage4` a task at stage 4 (neither flagged).
    """


async def build_trace_world(world) -> TraceWorld:
    from tests.factories import make_items

    t = TraceWorld()
    iid = world.initiative_id
    stage = {s["position"]: s["id"] for s in world.stages}
    t.intervention = await make_intervention(iid, "Family voice")
    names = ["Parent, caregiver and family voice", "Authenticity and transparency", "Partnership"]
    t.profile1, t.v1 = await make_profile(iid, t.intervention, names, number=1, status="approved")
    lineages = [await lineage_of(c) for c in t.v1]
    t.profile2, t.v2 = await make_profile(
        iid, t.intervention, names, number=2, status="testing", lineages=lineages
    )
    t.f_story = await make_finding(iid, "Fathers are **rarely** invited\nSecond line", "root_cause")
    t.f_link = await make_finding(iid, "No written practice behaviours", "contributing_factor")
    t.f_unused = await make_finding(iid, "# Engagement fell before the review", segment="Fathers")
    t.theory1, t.links1 = await make_theory(iid, [("workers ask fathers", "fathers take part")])
    t.theory2, t.links2 = await make_theory(
        iid,
        [("If workers ask fathers first", "then fathers take part"), ("coaching", "fidelity")],
        number=2,
    )
    await justify(t.links2[1], t.f_link)
    (t.s_auth,) = await make_items(iid, 1, title="Write authenticity behaviours", stage=stage[4])
    (t.s_old,) = await make_items(iid, 1, title="Pilot partnership", stage=stage[5])
    (t.s_find,) = await make_items(iid, 1, title="Invite fathers", stage=stage[5])
    (t.s_stage4,) = await make_items(iid, 1, title="Untraced at four", stage=stage[4])
    (t.s_stage3,) = await make_items(iid, 1, title="Untraced at three", stage=stage[3])
    (t.t_stage4,) = await make_items(iid, 1, title="A task at four", stage=stage[4], kind="task")
    await link_item(t.s_auth, components=(t.v2[1],))
    await link_item(t.s_old, components=(t.v1[2],))
    await link_item(t.s_find, findings=(t.f_story,), causal_links=(t.links2[0],))
    return t
