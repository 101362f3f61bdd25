"""The versioned theory of change: outcome as product goal, pathway, assumptions, versions."""

from __future__ import annotations

import re

from backend.exploration import diagram, services
from backend.exploration.tables import Assumption, CausalLink, CausalLinkFinding, TheoryOfChange
from backend.initiatives.tables import Initiative
from backend.traceability.tables import ItemCausalLink
from tests.exploration.helpers import (
    finding,
    page_queries,
    snapshot_theory,
    text_of,
    theory_with_steps,
)
from tests.factories import make_items


async def _initiative(initiative_id: int) -> dict:
    return (await Initiative.select().where(Initiative.id == initiative_id))[0]


async def _positions(theory_id: int) -> list[tuple[int, str]]:
    rows = await (
        CausalLink.select(CausalLink.position, CausalLink.condition)
        .where(CausalLink.theory == theory_id)
        .order_by(CausalLink.position)
    )
    return [(r["position"], r["condition"]) for r in rows]


async def _cited(link_id: int) -> list[int]:
    rows = await CausalLinkFinding.select(CausalLinkFinding.finding).where(
        CausalLinkFinding.link == link_id
    )
    return sorted(r["finding"] for r in rows)


async def test_an_initiative_without_a_theory_offers_to_start_one_from_its_product_goal(
    client, world
):
    url = f"/initiatives/{world.initiative_id}/theory-of-change"
    page = await client.get(url)
    assert page.status_code == 200
    assert "has no theory of change yet" in page.text
    # The outcome starts as the charter's product goal (the world's is "Parents are partners").
    assert "Parents are partners</textarea>" in page.text
    response = await client.post_form(
        url, {"population": "Fathers", "long_term_outcome": "Fathers are partners in planning"}
    )
    assert response.status_code == 303 and response.headers["location"] == url
    rows = await TheoryOfChange.select().where(TheoryOfChange.initiative == world.initiative_id)
    assert len(rows) == 1 and rows[0]["number"] == 1 and rows[0]["created_by"] == world.lead
    initiative = await _initiative(world.initiative_id)
    assert initiative["product_goal"] == "Fathers are partners in planning"
    overview = await client.get(f"/initiatives/{world.initiative_id}")
    assert "Fathers are partners in planning" in overview.text
    # Starting twice is a conflict, never a second version 1.
    again = await client.post_form(url, {"population": "x", "long_term_outcome": "y"})
    assert again.status_code == 409
    assert await TheoryOfChange.count() == 1
    bad = await client.post_form(
        f"/initiatives/{world.other_initiative_id}/theory-of-change", {"population": "x"}
    )
    assert bad.status_code == 404


async def test_a_theory_started_without_an_outcome_keeps_the_charters_product_goal(client, world):
    before = await _initiative(world.initiative_id)
    url = f"/initiatives/{world.initiative_id}/theory-of-change"
    response = await client.post_form(url, {"population": "Fathers", "long_term_outcome": ""})
    assert response.status_code == 303
    theory = (await TheoryOfChange.select().where(TheoryOfChange.initiative == before["id"]))[0]
    assert theory["long_term_outcome"] == "Parents are partners"
    after = await _initiative(world.initiative_id)
    assert after["product_goal"] == "Parents are partners"
    # The charter's version moves on: a charter form opened before is now stale.
    assert after["version"] == before["version"] + 1


async def test_the_page_shows_the_pathway_as_a_diagram_and_as_text(client, world):
    cause = await finding(world.initiative_id, "Fathers are not invited", kind="root_cause")
    note = await finding(world.initiative_id, "Mothers feel heard")
    theory, links = await theory_with_steps(world.initiative_id, steps=2, cite=[cause, note])
    page = await client.get(f"/initiatives/{world.initiative_id}/theory-of-change")
    assert page.status_code == 200
    html = page.text
    svg = html.split("<svg", 1)[1].split("</svg>")[0]
    assert 'role="img"' in svg and 'aria-labelledby="pathway-title pathway-desc"' in svg
    assert "Pathway of change, version 1" in svg
    for words in (
        "Population",
        "Root causes",
        "Step 1",
        "If step 1 happens",
        "then result 2",
        "Long-term outcome",
        "Fathers are partners",
        "• Fathers are not invited",
    ):
        assert words in svg, words
    assert "Mothers feel heard" not in svg  # an observation is not a root cause
    assert svg.count("<line") == 4  # population -> causes -> step 1 -> step 2 -> outcome
    assert "style=" not in html
    # The text equivalent: an ordered list of "If ... then ..." steps with their findings.
    steps = html.split('<ol class="pathway-steps"', 1)[1].split("</ol>\n")[0]
    text = text_of(steps)
    assert "If step 1 happens, then result 1" in text
    assert text.index("step 1 happens") < text.index("step 2 happens")
    assert f'href="/findings/{cause}"' in steps and f'href="/findings/{note}"' in steps
    text = text_of(html)
    assert "2 steps from the population and 1 root cause to the long-term outcome" in text
    assert "Supervisors have time to coach" in text and "Fathers can be reached" in text
    assert "The long-term outcome is the initiative’s product goal" in text
    assert "Version 1 (current)" in text
    for name in ("Add step", "Add assumption", "Start version 2", "Move down", "Save population"):
        assert name in text, name


async def test_long_texts_wrap_inside_their_boxes(client, world):
    long_words = " ".join(["engagement"] * 120)
    theory = await services.start_theory(
        world.initiative_id,
        {"population": "P" * 300, "long_term_outcome": long_words},
        None,
    )
    await services.add_link(theory, {"condition": long_words, "result": "W" * 500, "findings": []})
    page = await client.get(f"/initiatives/{world.initiative_id}/theory-of-change")
    svg = page.text.split("<svg", 1)[1].split("</svg>")[0]
    width, height = (int(v) for v in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    boxes = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)
    texts = re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    assert len(boxes) == 4 and texts
    for x, y, line in texts:
        assert len(line) <= diagram.CHARS_PER_LINE, line
        # Every line sits inside one box.
        assert any(
            float(bx) <= float(x) and float(by) < float(y) < float(by) + float(bh)
            for bx, by, bw, bh in boxes
        ), (x, y, line)
    for bx, by, bw, bh in boxes:
        assert float(bx) + float(bw) <= width and float(by) + float(bh) <= height
    assert any(line.endswith("…") for _, _, line in texts)
    # The whole text is on the page, outside the drawing.
    assert ("W" * 500) in page.text


def test_word_wrap_breaks_long_words_and_marks_cut_text():
    assert diagram.wrap("") == []
    assert diagram.wrap("a b c", width=3) == ["a b", "c"]
    assert diagram.wrap("x" * 7, width=3) == ["xxx", "xxx", "x"]
    lines = diagram.wrap("word " * 100, width=20, max_lines=2)
    assert len(lines) == 2 and lines[-1].endswith("…") and len(lines[-1]) <= 20


async def test_editing_the_outcome_changes_the_product_goal(client, world):
    theory, _ = await theory_with_steps(world.initiative_id, steps=1)
    before = await _initiative(world.initiative_id)
    response = await client.post_form(
        f"/theories/{theory}",
        {"population": "All parents", "long_term_outcome": "Every parent is heard", "version": 1},
    )
    assert response.status_code == 303
    saved = (await TheoryOfChange.select().where(TheoryOfChange.id == theory))[0]
    assert saved["population"] == "All parents" and saved["version"] == 2
    after = await _initiative(world.initiative_id)
    assert after["product_goal"] == "Every parent is heard"
    # The charter's version moves on so a stale charter edit cannot silently undo it.
    assert after["version"] == before["version"] + 1
    page = await client.get(f"/initiatives/{world.initiative_id}")
    assert "Every parent is heard" in page.text


async def test_a_stale_outcome_edit_is_a_conflict_that_keeps_the_typed_text(client, world):
    theory, _ = await theory_with_steps(world.initiative_id, steps=1)
    form = {"population": "Mine", "long_term_outcome": "First outcome", "version": 1}
    assert (await client.post_form(f"/theories/{theory}", form)).status_code == 303
    response = await client.post_form(
        f"/theories/{theory}", {**form, "long_term_outcome": "My stale outcome"}
    )
    assert response.status_code == 409
    assert "<title>Error:" in response.text
    assert "My stale outcome</textarea>" in response.text
    assert "Someone else changed the population or outcome" in response.text
    assert 'name="version" value="2"' in response.text
    assert (await _initiative(world.initiative_id))["product_goal"] == "First outcome"
    response = await client.post_form(
        f"/theories/{theory}", {**form, "population": "p" * 2001, "version": 2}
    )
    assert response.status_code == 422 and "2,000 characters or fewer" in response.text
    response = await client.post_form(f"/theories/{theory}", {"population": "no version"})
    assert response.status_code == 400


async def test_adding_a_step_with_the_findings_that_justify_it(client, world):
    theory, _ = await theory_with_steps(world.initiative_id, steps=1)
    a = await finding(world.initiative_id, "Fathers are not invited", kind="root_cause")
    b = await finding(world.initiative_id, "Caseloads are high")
    response = await client.post_form(
        f"/theories/{theory}/links",
        {
            "condition": "supervisors coach",
            "result": "workers invite fathers",
            "findings": [str(a), str(b)],
        },
    )
    assert response.status_code == 303
    link_id = int(response.headers["location"].rsplit("#link-", 1)[1])
    row = (await CausalLink.select().where(CausalLink.id == link_id))[0]
    assert row["position"] == 2 and row["theory"] == theory and len(row["lineage"]) == 32
    assert await _cited(link_id) == sorted([a, b])
    page = await client.get(f"/initiatives/{world.initiative_id}/theory-of-change")
    assert "If supervisors coach, then workers invite fathers" in text_of(page.text)


async def test_a_step_refuses_findings_of_another_initiative_and_bad_input(client, world):
    theory, _ = await theory_with_steps(world.initiative_id, steps=1)
    ours = await finding(world.initiative_id, "Ours")
    theirs = await finding(world.other_initiative_id, "Theirs")
    url = f"/theories/{theory}/links"
    response = await client.post_form(
        url, {"condition": "Kept if", "result": "Kept then", "findings": [str(ours), str(theirs)]}
    )
    assert response.status_code == 422
    assert "Choose findings of this initiative" in response.text
    assert "Kept if</textarea>" in response.text and "Kept then</textarea>" in response.text
    assert f'value="{ours}" id="findings-{ours}" checked' in response.text
    assert 'href="#field-findings"' in response.text and 'id="field-findings"' in response.text
    for bad in (
        {"condition": "", "result": "r"},
        {"condition": "c", "result": ""},
        {"condition": "c" * 2001, "result": "r"},
        {"condition": "c", "result": "r", "findings": ["1x"]},
        {"condition": "c", "result": "r", "findings": ["99999999999"]},
        {"condition": "c", "result": "r", "findings": [str(n) for n in range(1, 300)]},
    ):
        assert (await client.post_form(url, bad)).status_code == 422, bad
    assert await CausalLink.count().where(CausalLink.theory == theory) == 1


async def test_editing_a_step_and_a_stale_step_edit(client, world):
    theory, links = await theory_with_steps(world.initiative_id, steps=1)
    a = await finding(world.initiative_id, "A")
    b = await finding(world.initiative_id, "B")
    link = links[0]
    page = await client.get(f"/causal-links/{link}/edit")
    assert page.status_code == 200 and "step 1 happens</textarea>" in page.text
    form = {"condition": "new if", "result": "new then", "findings": [str(a)], "version": 1}
    assert (await client.post_form(f"/causal-links/{link}/edit", form)).status_code == 303
    assert await _cited(link) == [a]
    response = await client.post_form(
        f"/causal-links/{link}/edit", {**form, "condition": "stale if", "findings": [str(b)]}
    )
    assert response.status_code == 409
    assert (
        "stale if</textarea>" in response.text and "Someone else changed this step" in response.text
    )
    assert f'value="{b}" id="findings-{b}" checked' in response.text
    row = (await CausalLink.select().where(CausalLink.id == link))[0]
    assert row["condition"] == "new if" and row["version"] == 2
    assert await _cited(link) == [a]
    theirs = await finding(world.other_initiative_id, "Theirs")
    response = await client.post_form(
        f"/causal-links/{link}/edit", {**form, "version": 2, "findings": [str(theirs)]}
    )
    assert response.status_code == 422 and await _cited(link) == [a]


async def test_moving_and_deleting_steps(client, world):
    theory, links = await theory_with_steps(world.initiative_id, steps=3)
    response = await client.post_form(f"/causal-links/{links[2]}/move", {"direction": "up"})
    assert response.status_code == 303 and response.headers["location"].endswith(
        f"#link-{links[2]}"
    )
    assert await _positions(theory) == [
        (1, "step 1 happens"),
        (2, "step 3 happens"),
        (3, "step 2 happens"),
    ]
    # Moving the first step up changes nothing.
    assert (
        await client.post_form(f"/causal-links/{links[0]}/move", {"direction": "up"})
    ).status_code == 303
    await client.post_form(f"/causal-links/{links[0]}/move", {"direction": "down"})
    assert [c for _, c in await _positions(theory)] == [
        "step 3 happens",
        "step 1 happens",
        "step 2 happens",
    ]
    assert (
        await client.post_form(f"/causal-links/{links[0]}/move", {"direction": "sideways"})
    ).status_code == 422
    response = await client.post_form(f"/causal-links/{links[2]}/delete", {})
    assert response.status_code == 303
    assert await _positions(theory) == [(1, "step 1 happens"), (2, "step 2 happens")]
    assert (await client.post_form(f"/causal-links/{links[2]}/delete", {})).status_code == 404
    for link in links[:2]:  # down to an empty pathway
        assert (await client.post_form(f"/causal-links/{link}/delete", {})).status_code == 303
    assert await _positions(theory) == []
    page = await client.get(f"/initiatives/{world.initiative_id}/theory-of-change")
    assert "No steps in the pathway yet" in page.text


async def test_assumptions_are_added_and_deleted_by_position(client, world):
    theory, _ = await theory_with_steps(world.initiative_id, steps=1)
    url = f"/theories/{theory}/assumptions"
    assert (await client.post_form(url, {"assumption": "Third"})).status_code == 303
    assert (await client.post_form(url, {"assumption": ""})).status_code == 422
    assert (await client.post_form(url, {"assumption": "a" * 2001})).status_code == 422

    async def texts():
        rows = (
            await Assumption.select(Assumption.position, Assumption.text)
            .where(Assumption.theory == theory)
            .order_by(Assumption.position)
        )
        return [(r["position"], r["text"]) for r in rows]

    assert await texts() == [
        (1, "Supervisors have time to coach"),
        (2, "Fathers can be reached"),
        (3, "Third"),
    ]
    ids = [
        r["id"]
        for r in await Assumption.select(Assumption.id)
        .where(Assumption.theory == theory)
        .order_by(Assumption.position)
    ]
    # The form says which assumption it showed at that place: a changed list is a 409.
    response = await client.post_form(f"{url}/2/delete", {"assumption": str(ids[0])})
    assert response.status_code == 409 and len(await texts()) == 3
    response = await client.post_form(f"{url}/2/delete", {"assumption": str(ids[1])})
    assert response.status_code == 303
    assert await texts() == [(1, "Supervisors have time to coach"), (2, "Third")]
    assert (await client.post_form(f"{url}/9/delete", {})).status_code == 404
    assert (await client.post_form(f"{url}/0/delete", {})).status_code == 404


async def test_a_new_version_copies_everything_and_the_old_one_never_changes(client, world):
    a = await finding(world.initiative_id, "Fathers are not invited", kind="root_cause")
    b = await finding(world.initiative_id, "Caseloads are high")
    v1, v1_links = await theory_with_steps(world.initiative_id, steps=2, cite=[a, b])
    item = (await make_items(world.initiative_id, 1))[0]
    await ItemCausalLink.insert(ItemCausalLink(item=item, link=v1_links[0]))
    before = await snapshot_theory(v1)

    response = await client.post_form(f"/theories/{v1}/new-version", {"change_note": ""})
    assert response.status_code == 422 and "Enter what changes in this version" in response.text
    response = await client.post_form(
        f"/theories/{v1}/new-version", {"change_note": "After the pilot"}
    )
    assert response.status_code == 303
    v2 = (await TheoryOfChange.select().where(TheoryOfChange.number == 2))[0]
    assert v2["change_note"] == "After the pilot" and v2["created_by"] == world.lead
    copied = await snapshot_theory(v2["id"])
    assert [
        (r["position"], r["condition"], r["result"], r["lineage"]) for r in copied["links"]
    ] == [(r["position"], r["condition"], r["result"], r["lineage"]) for r in before["links"]]
    assert {r["id"] for r in copied["links"]}.isdisjoint({r["id"] for r in before["links"]})
    assert len(copied["cited"]) == 4 and copied["assumptions"] == before["assumptions"]
    assert copied["theory"]["population"] == before["theory"]["population"]

    # Edit everything in version 2...
    new_links = [r["id"] for r in copied["links"]]
    await client.post_form(
        f"/theories/{v2['id']}",
        {"population": "Changed", "long_term_outcome": "Changed", "version": 1},
    )
    await client.post_form(
        f"/causal-links/{new_links[0]}/edit",
        {"condition": "changed", "result": "changed", "version": 1},
    )
    await client.post_form(f"/causal-links/{new_links[1]}/move", {"direction": "up"})
    await client.post_form(f"/causal-links/{new_links[0]}/delete", {})
    await client.post_form(f"/theories/{v2['id']}/links", {"condition": "n", "result": "n"})
    await client.post_form(f"/theories/{v2['id']}/assumptions/1/delete", {})
    await client.post_form(f"/theories/{v2['id']}/assumptions", {"assumption": "New"})
    # ... and version 1 is exactly as it was.
    assert await snapshot_theory(v1) == before

    # Version 1 is read-only now: every write is refused with a clear 409.
    refused = [
        (f"/theories/{v1}", {"population": "x", "long_term_outcome": "x", "version": 1}),
        (f"/theories/{v1}/new-version", {"change_note": "from old"}),
        (f"/theories/{v1}/links", {"condition": "x", "result": "x"}),
        (f"/causal-links/{v1_links[0]}/edit", {"condition": "x", "result": "x", "version": 1}),
        (f"/causal-links/{v1_links[0]}/move", {"direction": "down"}),
        (f"/causal-links/{v1_links[1]}/delete", {}),
        (f"/theories/{v1}/assumptions", {"assumption": "x"}),
        (f"/theories/{v1}/assumptions/1/delete", {}),
    ]
    for url, data in refused:
        response = await client.post_form(url, data)
        assert response.status_code == 409, url
        assert "Version 1 of the theory of change is kept as it was" in response.text, url
    assert (await client.get(f"/causal-links/{v1_links[0]}/edit")).status_code == 409
    assert await snapshot_theory(v1) == before
    assert await TheoryOfChange.count() == 2

    # Version 1 stays readable, says it is not current, and offers no controls.
    page = await client.get(f"/theories/{v1}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Theory of change, version 1" in text and "earlier version, kept as it was" in text
    assert "If step 1 happens, then result 1" in text and "Add step" not in text
    assert "Move up" not in text and "Start version" not in text
    assert f'href="/theories/{v2["id"]}"' in page.text
    # The stories acting on a step follow it into the new version (same lineage).
    page = await client.get(f"/causal-links/{v1_links[0]}")
    assert "earlier version" in page.text and f'href="/items/{item}"' in page.text


async def test_the_step_page_shows_its_findings_and_stories(client, world):
    a = await finding(
        world.initiative_id, "Fathers are not invited", kind="root_cause", segment="Fathers"
    )
    _, links = await theory_with_steps(world.initiative_id, steps=1, cite=[a])
    item = (await make_items(world.initiative_id, 1))[0]
    await ItemCausalLink.insert(ItemCausalLink(item=item, link=links[0]))
    page = await client.get(f"/causal-links/{links[0]}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Step 1 of the pathway" in text and "If step 1 happens, then result 1" in text
    assert "Fathers are not invited" in text and "(root cause; Fathers)" in text
    assert "Stories acting on this" in text and f'href="/items/{item}"' in page.text
    assert "Edit this step" in text


async def test_the_theory_page_query_count_does_not_grow(client, world, count_queries):
    causes = [await finding(world.initiative_id, f"C{n}", kind="root_cause") for n in range(5)]
    theory, _ = await theory_with_steps(world.initiative_id, steps=5, cite=causes[:2])
    urls = (f"/initiatives/{world.initiative_id}/theory-of-change", f"/theories/{theory}")
    few = await page_queries(client, count_queries, urls)
    causes += [await finding(world.initiative_id, f"M{n}", kind="root_cause") for n in range(45)]
    for n in range(45):
        await services.add_link(theory, {"condition": f"c{n}", "result": "r", "findings": causes})
        await services.add_assumption(theory, f"A{n}")
    assert await page_queries(client, count_queries, urls) == few
