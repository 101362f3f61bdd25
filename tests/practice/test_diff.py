"""The diff between two versions: matched by lineage and level position, marked in words."""

from __future__ import annotations

from backend.practice import diff, queries, services
from tests.practice.build import make_intervention, make_profile, set_status
from tests.practice.html import text_of


async def _second_version(world, **kw):
    made = await make_profile(world.initiative_id, user_id=world.lead, **kw)
    v1 = made["profile_id"]
    await set_status(v1, "approved")
    v2 = await services.new_version(v1, world.lead, "Refined after the pilot")
    return made, v1, v2


async def _revise(v2: int) -> dict:
    """Rename a component, add a behaviour, change a descriptor, rename a level."""
    rubric = await queries.rubric(v2)
    first, second = rubric["components"]
    levels = rubric["levels"]
    await services.update_component(
        first["id"],
        queries.component_fingerprint(first),
        {"name": "Component 1: family voice", "description": first["description"]},
    )
    added = await services.add_behaviour(
        second["id"],
        {"text": "Names bias when it shows up", "role": "Supervisor"},
        {levels[0]["id"]: "Names it in supervision every time"},
    )
    behaviour = second["behaviours"][0]
    await services.update_behaviour(
        behaviour["id"],
        queries.behaviour_fingerprint(behaviour, behaviour["descriptors"]),
        {"text": behaviour["text"], "role": behaviour["role"]},
        {**behaviour["descriptors"], levels[1]["id"]: "Developmental, with coaching, for 2.1"},
    )
    kept = [
        {"id": lv["id"], "label": lv["label"], "meets_fidelity": lv["meets_fidelity"]}
        for lv in levels
    ]
    kept[1]["label"] = "Emerging"
    await services.update_levels(v2, queries.levels_fingerprint(levels), kept, [])
    return {"added": added}


def test_word_diff_marks_removed_and_added_words():
    result = diff.word_diff("Invites the father sometimes", "Invites both parents sometimes")
    assert result["old"] == [
        ("same", "Invites "),
        ("removed", "the father"),
        ("same", " sometimes"),
    ]
    assert result["new"] == [
        ("same", "Invites "),
        ("added", "both parents"),
        ("same", " sometimes"),
    ]
    assert diff.word_diff("", "New") == {"old": [], "new": [("added", "New")]}


def test_moves_are_only_the_rows_whose_relative_order_changed():
    assert diff._moved(["a", "b", "c"], ["x", "a", "b", "c"]) == set()
    assert diff._moved(["a", "b", "c"], ["c", "a", "b"]) == {"c"}
    assert diff._moved(["a", "b", "c"], ["a", "c"]) == set()


async def test_the_diff_shows_a_renamed_component_an_added_behaviour_and_a_changed_descriptor(
    client, world
):
    made, v1, v2 = await _second_version(world, components=2, behaviours=1)
    await _revise(v2)
    page = await client.get(f"/profiles/{v2}/diff")
    assert page.status_code == 200
    html, text = page.text, text_of(page.text)
    assert "Changes from version 1 to version 2" in text
    for line in (
        "1 continuum level changed",
        "2 core components changed",
        "1 practice behaviour added",
        "2 descriptors differ",
    ):
        assert line in text, line
    # The renamed component: old name, new name, the added words marked in words.
    assert "Component 1: family voice (component changed)" in text
    assert '<ins><span class="visually-hidden">added: </span>: family voice</ins>' in html
    # The level renamed by position.
    assert (
        'renamed from <del><span class="visually-hidden">removed: </span>Developmental</del>'
        ' to <ins><span class="visually-hidden">added: </span>Emerging</ins>'
    ) in html
    assert "Behaviour added: Names bias when it shows up (Supervisor)" in text
    assert "At Optimal, descriptor added" in text and "Names it in supervision every time" in text
    assert "At Emerging, descriptor changed" in text
    assert '<ins><span class="visually-hidden">added: </span>, with coaching,</ins>' in html
    # The same comparison asked from version 1's side reads the same way.
    page = await client.get(f"/profiles/{v1}/diff?against={v2}")
    assert page.status_code == 200
    assert "Changes from version 1 to version 2" in text_of(page.text)
    assert "1 practice behaviour added" in text_of(page.text)


async def test_the_diff_finds_added_removed_moved_and_recoloured_parts():
    def level(i, pos, label, meets):
        return {"id": i, "position": pos, "label": label, "meets_fidelity": meets}

    def behaviour(i, lineage, pos, text, role="Worker", descriptors=None):
        return {
            "id": i,
            "lineage": lineage,
            "position": pos,
            "text": text,
            "role": role,
            "descriptors": descriptors or {},
        }

    def component(i, lineage, pos, name, behaviours, description=""):
        return {
            "id": i,
            "lineage": lineage,
            "position": pos,
            "name": name,
            "description": description,
            "behaviours": behaviours,
        }

    old = {
        "levels": [level(1, 1, "Optimal", True), level(2, 2, "Developmental", False)],
        "components": [
            component(1, "A", 1, "Voice", [behaviour(1, "a1", 1, "Listens", descriptors={1: "x"})]),
            component(2, "B", 2, "Partnership", [behaviour(2, "b1", 1, "Plans")]),
            component(3, "C", 3, "Gone", [behaviour(3, "c1", 1, "Old")]),
        ],
    }
    new = {
        "levels": [
            level(11, 1, "Optimal", True),
            level(12, 2, "Developmental", True),
            level(13, 3, "Unacceptable", False),
        ],
        "components": [
            component(
                12, "B", 1, "Partnership", [behaviour(12, "b1", 1, "Plans", role="Supervisor")]
            ),
            component(
                11, "A", 2, "Voice", [behaviour(11, "a1", 1, "Listens", descriptors={11: "x"})]
            ),
            component(14, "D", 3, "New", []),
        ],
    }
    result = diff.compare(old, new)
    kinds = {
        c["old"]["name"] if c["old"] else c["new"]["name"]: c["kind"] for c in result["components"]
    }
    assert kinds == {"Partnership": "changed", "Voice": "same", "New": "added", "Gone": "removed"}
    moved = [c for c in result["components"] if c["moved"]]
    assert len(moved) == 1  # one of A and B moved relative to the other, not both
    partnership = next(c for c in result["components"] if c["new"] and c["new"]["lineage"] == "B")
    assert partnership["behaviours"][0]["role_changed"] is True
    assert [lv["kind"] for lv in result["levels"]] == ["same", "changed", "added"]
    assert result["levels"][1]["fidelity_changed"] is True and not result["levels"][1]["renamed"]
    assert "1 continuum level added" in result["summary"]
    assert "1 core component removed" in result["summary"]
    # Descriptors match by level position, so the unchanged one is not reported.
    voice = next(c for c in result["components"] if c["new"] and c["new"]["lineage"] == "A")
    assert voice["behaviours"] == [] and voice["unchanged_behaviours"] == 1


async def test_the_first_version_has_nothing_to_compare_with(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    page = await client.get(f"/profiles/{made['profile_id']}/diff")
    assert page.status_code == 200
    assert "there is no earlier version to compare it with" in page.text


async def test_bad_comparisons_are_refused_with_a_clear_message(client, world):
    made, v1, v2 = await _second_version(world, components=1, behaviours=1)
    other = await make_profile(
        world.initiative_id,
        components=1,
        behaviours=1,
        intervention_id=await make_intervention(world.initiative_id, "Another practice"),
    )
    theirs = await make_profile(world.other_initiative_id, components=1, behaviours=1)
    for against, status, words in (
        ("junk", 400, "Choose a version to compare with"),
        ("-1", 400, "Choose a version to compare with"),
        ("99999999999", 400, "Choose a version to compare with"),
        ("999999", 404, "is not a version of Fathers as partners"),
        (str(other["profile_id"]), 404, "is not a version of Fathers as partners"),
        (str(theirs["profile_id"]), 404, "is not a version of Fathers as partners"),
    ):
        response = await client.get(f"/profiles/{v2}/diff", params={"against": against})
        assert response.status_code == status, against
        assert words in response.text, against
    response = await client.get(f"/profiles/{v2}/diff", params={"against": str(v2)})
    assert response.status_code == 200 and "No differences" in response.text
