"""Rows the route walk (tests/test_route_walk.py) fills path ids with."""

from datetime import date

from backend.initiatives import progress_services as progress


async def walk_ids(world) -> dict[str, object]:
    """A worked stage with a key task, a gate decision signed off by the liaison, and
    a readiness assessment. The stage is problem exploration (position 2)."""
    stage = world.stages[1]
    task = await progress.add_task(world.initiative_id, stage, "Walk task")
    decision = await progress.decide_gate(
        world.initiative_id, stage, "hold", "Walk notes", world.lead
    )
    await progress.sign_off(decision, world.users["liaison"], "Walk sign-off")
    assessment = await progress.add_assessment(
        world.initiative_id,
        {
            "assessed_on": date(2026, 1, 5),
            "motivation": 3,
            "motivation_notes": "",
            "general_capacity": 2,
            "general_capacity_notes": "",
            "specific_capacity": 1,
            "specific_capacity_notes": "",
        },
        world.lead,
    )
    return {
        "stage_id": stage["id"],
        "task_id": task,
        "decision_id": decision,
        "assessment_id": assessment,
    }
