"""Rows the route walk (tests/test_route_walk.py) fills path ids with."""

from backend.exploration import services
from backend.initiatives import services as initiatives


async def walk_ids(world) -> dict[str, object]:
    """A finding, a data plan question and problem statement v1 in the world's
    initiative; theory v1 with one step and one assumption in a second initiative
    of the same agency (the traceability walk gives the first one a theory)."""
    initiative = world.initiative_id
    second = await initiatives.create_initiative(world.agency_id, "Walk theory")
    finding = await services.create_finding(
        initiative, {"statement": "Fathers are rarely invited", "kind": "root_cause"}
    )
    question = await services.create_question(initiative, {"question": "Who is engaged?"})
    await services.save_problem_statement(initiative, "Fathers are left out", [finding], None)
    theory = await services.start_theory(
        second, {"population": "Fathers", "long_term_outcome": "Fathers engaged"}, None
    )
    cited = await services.create_finding(second, {"statement": "Few invitations"})
    link = await services.add_link(
        theory, {"condition": "we invite", "result": "they come", "findings": [cited]}
    )
    await services.add_assumption(theory, "Workers have time")
    return {
        "finding_id": finding,
        "question_id": question,
        "number": 1,
        "theory_id": theory,
        "link_id": link,
        "position": 1,
    }
