"""Builders of practice profiles for the tests, through the app's own services, and
the steps through pages that many tests take."""

from __future__ import annotations

from typing import Any

from backend.practice import queries, services


async def make_intervention(initiative_id: int, name: str = "Fathers as partners") -> int:
    return await services.create_intervention(
        initiative_id,
        {
            "name": name,
            "approach": "design",
            "purpose": "Engage fathers in case planning",
            "principles": "Families are **experts** on themselves",
            "evidence_level": "Promising",
        },
    )


async def make_profile(
    initiative_id: int,
    components: int = 2,
    behaviours: int = 3,
    user_id: int | None = None,
    intervention_id: int | None = None,
) -> dict[str, Any]:
    """Version 1 (draft) with `components` components of `behaviours` behaviours each,
    every behaviour described at every level. Returns the ids made."""
    if intervention_id is None:
        intervention_id = await make_intervention(initiative_id)
    profile_id = await services.create_profile(intervention_id, user_id)
    levels = await queries.levels_of(profile_id)
    component_ids, behaviour_ids = [], []
    for c in range(components):
        component_id = await services.add_component(
            profile_id, {"name": f"Component {c + 1}", "description": f"About component {c + 1}"}
        )
        component_ids.append(component_id)
        for b in range(behaviours):
            behaviour_ids.append(
                await services.add_behaviour(
                    component_id,
                    {"text": f"Behaviour {c + 1}.{b + 1}", "role": "Worker"},
                    {level["id"]: f"{level['label']} for {c + 1}.{b + 1}" for level in levels},
                )
            )
    return {
        "intervention_id": intervention_id,
        "profile_id": profile_id,
        "component_ids": component_ids,
        "behaviour_ids": behaviour_ids,
        "level_ids": [level["id"] for level in levels],
    }


async def set_status(profile_id: int, status: str) -> None:
    """Move a version to `status` as the agency lead would, from its current version."""
    profile = await queries.profile_or_404(profile_id)
    await services.set_status(profile_id, profile["version"], status, may_decide=True)


def saved_of(html: str) -> str:
    """The `saved` fingerprint a form on the page carries."""
    return html.split('name="saved" value="')[1].split('"')[0]


async def delete_confirmed(client, url: str):
    """Delete as a person does: open the confirmation page at `url` (GET), then press
    its delete button (POST with what the page carries). Returns the POST response."""
    page = await client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    form = {"saved": saved_of(page.text)}
    if 'name="return_to" value="component"' in page.text:
        form["return_to"] = "component"
    return await client.post_form(url.split("?")[0], form)
