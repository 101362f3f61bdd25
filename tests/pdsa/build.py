"""Builders of PDSA cycles for the tests, through the app's own services."""

from __future__ import annotations

import re
from typing import Any

from backend.pdsa import services
from backend.sites import services as sites


def plan_form(**changes: Any) -> dict[str, Any]:
    """A complete Plan as the new-cycle form posts it."""
    form = {
        "change_idea": "Call fathers before the first meeting",
        "objective": "Learn whether a phone call brings fathers to the first meeting",
        "questions": "How many fathers come? What do they say about the call?",
        "prediction": "Half of the fathers called come to the meeting",
        "plan_who": "Two workers in the North unit",
        "plan_what": "Call each father two days before the meeting",
        "plan_when": "The first two weeks of March",
        "plan_where": "North Area Office",
        "data_plan": "Workers tick a sheet after each meeting",
        "site": "",
        "start_date": "2026-03-02",
        "end_date": "2026-03-13",
    }
    form.update(changes)
    return form


async def make_site(agency_id: int, name: str = "North Area Office", **values: Any) -> int:
    return await sites.create_site(agency_id, {"name": name, **values})


async def make_cycle(
    initiative_id: int,
    change_idea: str = "Call fathers before the first meeting",
    parent_id: int | None = None,
    **values: Any,
) -> int:
    return await services.create_cycle(
        initiative_id, {"change_idea": change_idea, **values}, parent_id=parent_id
    )


async def decided(initiative_id: int, decision: str, **values: Any) -> int:
    """A cycle with all four parts written and the Act decision `decision`."""
    return await make_cycle(
        initiative_id,
        objective=values.pop("objective", "Learn"),
        prediction=values.pop("prediction", "Half come"),
        ran_as_planned="yes",
        study=values.pop("study", "A third came"),
        act_decision=decision,
        **values,
    )


def text_of(html: str) -> str:
    """The words of a page; tags count as spaces, but not before punctuation."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return re.sub(r" ([:;,.)])", r"\1", text).strip()
