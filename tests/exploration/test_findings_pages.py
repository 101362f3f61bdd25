"""Finding pages: the filterable list, new, one finding with what uses it, edit, delete."""

from __future__ import annotations

import re
from datetime import date

from backend.exploration import services
from backend.exploration.tables import (
    CausalLink,
    CausalLinkFinding,
    Finding,
    ProblemStatementFinding,
)
from backend.scrum.tables import BacklogItem
from backend.traceability.tables import ItemFinding
from tests.exploration.helpers import (
    finding,
    page_queries,
    saved_finding,
    text_of,
    theory_with_steps,
)
from tests.factories import make_items

FORM = {
    "statement": "Black and Hispanic fathers are **rarely** invited to case planning",
    "kind": "root_cause",
    "evidence_type": "mixed",
    "source": "case_review",
    "segment": "Black and Hispanic fathers",
    "confidence": "high",
    "found_on": "2026-02-10",
}


async def _findings_of_every_kind(initiative_id: int) -> dict[str, int]:
    return {
        "fathers": await finding(
            initiative_id,
            "Fathers are not invited",
            kind="root_cause",
            source="case_review",
            segment="Fathers",
        ),
        "survey": await finding(
            initiative_id,
            "Mothers feel heard",
            kind="observation",
            source="survey",
            segment="Mothers",
        ),
        "behaviours": await finding(
            initiative_id,
            "# No written practice behaviours\n\nSupervisors each coach differently.",
            kind="root_cause",
            source="interviews",
        ),
        "caseload": await finding(
            initiative_id,
            "Caseloads are high",
            kind="contributing_factor",
            source="administrative_data",
            segment="Fathers",
        ),
    }


async def test_the_list_shows_every_field_and_what_uses_each_finding(client, world):
    ids = await _findings_of_every_kind(world.initiative_id)
    await services.update_finding(ids["fathers"], 1, {"found_on": date(2026, 3, 2)})
    items = await make_items(world.initiative_id, 2)
    for item in items:
        await ItemFinding.insert(ItemFinding(item=item, finding=ids["fathers"]))
    await theory_with_steps(world.initiative_id, steps=1, cite=[ids["fathers"]])
    page = await client.get(f"/initiatives/{world.initiative_id}/findings")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "4 findings, 4 shown" in text
    assert "Fathers are not invited" in text and "Caseloads are high" in text
    # The first line of markdown is the finding's name; markup is not shown.
    assert "No written practice behaviours" in text and "# No written" not in text
    assert "Supervisors each coach differently" not in text
    card = text_of(page.text.split(f'id="finding-{ids["fathers"]}"')[1].split("</li>")[0])
    for words in ("Root cause", "Case review", "Fathers", "Medium", "2 Mar 2026"):
        assert words in card, words
    assert "2 stories, 1 causal link" in card
    assert f'href="/findings/{ids["fathers"]}"' in page.text
    other = text_of(page.text.split(f'id="finding-{ids["survey"]}"')[1].split("</li>")[0])
    assert "0 stories, 0 causal links" in other and "Not dated" in other


async def test_filters_by_kind_source_and_segment_and_ignore_unknown_values(client, world):
    ids = await _findings_of_every_kind(world.initiative_id)
    await finding(world.other_initiative_id, "Theirs", kind="root_cause", segment="Fathers")
    url = f"/initiatives/{world.initiative_id}/findings"

    page = await client.get(url, params={"kind": "root_cause"})
    text = text_of(page.text)
    assert "4 findings, 2 shown (filtered)" in text
    assert "Fathers are not invited" in text and "Mothers feel heard" not in text
    assert '<option value="root_cause" selected>' in page.text

    page = await client.get(url, params={"segment": "Fathers", "kind": "contributing_factor"})
    assert "4 findings, 1 shown" in text_of(page.text) and "Caseloads are high" in page.text

    page = await client.get(url, params={"source": "survey"})
    assert "1 shown" in page.text and "Mothers feel heard" in page.text

    # The filter form lists the segments the findings name; it works without JavaScript.
    assert '<form method="get"' in page.text
    assert '<option value="Mothers">Mothers</option>' in page.text
    assert "Theirs" not in page.text

    for params in (
        {"kind": "nonsense"},
        {"source": "<script>"},
        {"segment": "Nobody"},
        {"segment": "x" * 5000},
    ):
        page = await client.get(url, params=params)
        assert page.status_code == 200, params
        assert "4 findings, 4 shown" in text_of(page.text), params
    # A repeated filter uses its first value.
    page = await client.get(url, params={"kind": ["observation", "root_cause"]})
    assert "4 findings, 1 shown" in text_of(page.text)
    assert ids


async def test_an_empty_filter_result_says_so(client, world):
    await finding(world.initiative_id, "Only observation")
    page = await client.get(
        f"/initiatives/{world.initiative_id}/findings", params={"kind": "root_cause"}
    )
    assert "1 finding, 0 shown" in text_of(page.text)
    assert "No finding matches these filters" in page.text


async def test_adding_a_finding(client, world):
    page = await client.get(f"/initiatives/{world.initiative_id}/findings/new")
    assert page.status_code == 200
    for field in FORM:
        assert f'for="field-{field}"' in page.text, field
    response = await client.post_form(
        f"/initiatives/{world.initiative_id}/findings/new",
        {**FORM, "initiative": world.other_initiative_id, "version": 99},
    )
    assert response.status_code == 303
    finding_id = int(re.fullmatch(r"/findings/(\d+)", response.headers["location"]).group(1))
    row = await saved_finding(finding_id)
    assert row["initiative"] == world.initiative_id and row["version"] == 1
    assert row["kind"] == "root_cause" and row["segment"] == "Black and Hispanic fathers"
    assert str(row["found_on"]) == "2026-02-10" and row["confidence"] == "high"
    page = await client.get(response.headers["location"])
    text = text_of(page.text)
    assert "<strong>rarely</strong>" in page.text
    for words in ("Root cause", "Mixed", "Case review", "High", "10 Feb 2026"):
        assert words in text, words


async def test_bad_finding_input_is_refused_with_everything_typed_kept(client, world):
    url = f"/initiatives/{world.initiative_id}/findings/new"
    response = await client.post_form(
        url,
        {**FORM, "statement": "", "kind": "gossip", "found_on": "2026-02-30", "segment": "Dads"},
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    text = text_of(response.text)
    assert "Enter statement" in text and "Choose kind from the list" in text
    assert "Date must be a real date" in text
    assert 'value="2026-02-30"' in response.text and 'value="Dads"' in response.text
    assert 'href="#field-statement"' in response.text

    for bad in (
        {"statement": "x" * 20_001},
        {"segment": "s" * 201},
        {"source": "rumour"},
        {"evidence_type": "vibes"},
        {"confidence": "total"},
        {"found_on": "31/12/2026"},
        {"found_on": "0001-01-01"},
        {"kind": ["root_cause", "observation"]},
    ):
        response = await client.post_form(url, {**FORM, **bad})
        assert response.status_code == 422, bad
    assert await Finding.count() == 0
    response = await client.post_form("/initiatives/999999/findings/new", FORM)
    assert response.status_code == 404


async def test_hostile_text_comes_back_inert(client, world):
    response = await client.post_form(
        f"/initiatives/{world.initiative_id}/findings/new",
        {
            **FORM,
            "statement": "<script>alert(1)</script> [x](javascript:alert(1))",
            "segment": '"><img src=x onerror=alert(1)>',
        },
    )
    assert response.status_code == 303
    for url in (response.headers["location"], f"/initiatives/{world.initiative_id}/findings"):
        page = await client.get(url)
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert 'href="javascript:' not in page.text


async def test_the_finding_page_shows_the_links_statements_and_stories_that_use_it(client, world):
    cause = await finding(world.initiative_id, "Fathers are not invited", kind="root_cause")
    theory, links = await theory_with_steps(world.initiative_id, steps=1, cite=[cause])
    await services.new_theory_version(theory, "After the pilot", None)
    await services.save_problem_statement(world.initiative_id, "First", [cause], None)
    await services.save_problem_statement(world.initiative_id, "Second", [], None)
    item = (await make_items(world.initiative_id, 1))[0]
    await BacklogItem.update({BacklogItem.title: "Invite fathers"}).where(BacklogItem.id == item)
    await ItemFinding.insert(ItemFinding(item=item, finding=cause))

    page = await client.get(f"/findings/{cause}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Root cause #" in text and "Fathers are not invited" in text
    # The link in both versions of the theory, the newer one marked current.
    assert "theory of change version 2, the current version" in text
    assert "theory of change version 1)" in text
    assert f'href="/causal-links/{links[0]}"' in page.text
    assert "If step 1 happens, then result 1" in text
    assert (
        f'href="/initiatives/{world.initiative_id}/problem-statement/1"' in page.text
        and "/problem-statement/2" not in page.text
    )
    assert "Stories acting on this" in text and "Invite fathers" in text
    assert f'href="/items/{item}"' in page.text


async def test_editing_a_finding_and_a_stale_edit_keeps_what_was_typed(client, world):
    finding_id = await finding(world.initiative_id, "Original statement")
    page = await client.get(f"/findings/{finding_id}/edit")
    assert "Original statement" in page.text and 'name="version" value="1"' in page.text
    response = await client.post_form(
        f"/findings/{finding_id}/edit", {**FORM, "statement": "First edit", "version": 1}
    )
    assert response.status_code == 303
    response = await client.post_form(
        f"/findings/{finding_id}/edit", {**FORM, "statement": "My stale edit", "version": 1}
    )
    assert response.status_code == 409
    assert "Someone else changed this finding" in response.text
    assert "My stale edit" in response.text and "First edit" in response.text
    assert 'name="version" value="2"' in response.text
    assert "<title>Error:" in response.text
    row = await saved_finding(finding_id)
    assert row["statement"] == "First edit" and row["version"] == 2
    # Saving again from the conflict page knowingly replaces the saved text.
    response = await client.post_form(
        f"/findings/{finding_id}/edit", {**FORM, "statement": "My stale edit", "version": 2}
    )
    assert response.status_code == 303
    assert (await saved_finding(finding_id))["statement"] == "My stale edit"
    # Invalid input on edit: 422 with the typed values; no version at all: 400.
    response = await client.post_form(
        f"/findings/{finding_id}/edit", {**FORM, "found_on": "soon", "version": 3}
    )
    assert response.status_code == 422 and 'value="soon"' in response.text
    response = await client.post_form(f"/findings/{finding_id}/edit", FORM)
    assert response.status_code == 400


async def _citations(finding_id: int) -> dict[str, list]:
    """Every row that ties the finding to something, to compare before and after."""
    statements = await ProblemStatementFinding.select(
        ProblemStatementFinding.statement, ProblemStatementFinding.finding
    ).where(ProblemStatementFinding.finding == finding_id)
    links = await CausalLinkFinding.select(CausalLinkFinding.link, CausalLinkFinding.finding).where(
        CausalLinkFinding.finding == finding_id
    )
    stories = await ItemFinding.select(ItemFinding.item).where(ItemFinding.finding == finding_id)
    return {"statements": statements, "links": links, "stories": stories}


async def test_a_root_cause_an_old_problem_statement_was_built_from_cannot_be_deleted(
    client, world
):
    cause = await finding(world.initiative_id, "Fathers are not invited", kind="root_cause")
    await services.save_problem_statement(world.initiative_id, "Built from it", [cause], None)
    await services.save_problem_statement(world.initiative_id, "Rewritten without it", [], None)
    item = (await make_items(world.initiative_id, 1))[0]
    await ItemFinding.insert(ItemFinding(item=item, finding=cause))
    before = await _citations(cause)
    message = (
        f"Finding {cause} is cited by problem statement version 1: "
        "it stays as evidence for that version."
    )

    page = await client.get(f"/findings/{cause}/delete")
    assert page.status_code == 200
    text = text_of(page.text)
    assert f"<title>Root cause #{cause} cannot be deleted" in page.text
    assert message in text
    assert "Delete this finding" not in text and 'name="version"' not in page.text
    assert f'href="/initiatives/{world.initiative_id}/problem-statement/1"' in page.text

    response = await client.post_form(f"/findings/{cause}/delete", {"version": 1})
    assert response.status_code == 409
    assert "<title>Error: Root cause" in response.text
    assert message in text_of(response.text)
    assert (await saved_finding(cause))["statement"] == "Fathers are not invited"
    assert await _citations(cause) == before


async def test_a_finding_causal_links_cite_in_any_theory_version_cannot_be_deleted(client, world):
    cause = await finding(world.initiative_id, "Fathers are not invited", kind="root_cause")
    await services.save_problem_statement(world.initiative_id, "Built from it", [cause], None)
    theory, links = await theory_with_steps(world.initiative_id, steps=1, cite=[cause])
    v2 = await services.new_theory_version(theory, "Second thoughts", None)
    # Version 2's step no longer cites it: version 1's step still does.
    v2_link = (await CausalLink.select(CausalLink.id).where(CausalLink.theory == v2))[0]["id"]
    await services.update_link(v2_link, 1, {"condition": "c", "result": "r", "findings": []})
    before = await _citations(cause)
    assert len(before["links"]) == 1 and len(before["statements"]) == 1

    page = await client.get(f"/findings/{cause}/delete")
    text = text_of(page.text)
    message = (
        f"Finding {cause} is cited by problem statement version 1 and theory of change "
        "version 1: it stays as evidence for them."
    )
    assert message in text
    assert "Version 1, step 1: if step 1 happens, then result 1" in text
    assert "Delete this finding" not in text

    response = await client.post_form(f"/findings/{cause}/delete", {"version": 1})
    assert response.status_code == 409 and message in text_of(response.text)
    assert await Finding.exists().where(Finding.id == cause)
    assert await _citations(cause) == before

    # Cited by both versions' steps: both numbers are named.
    await services.update_link(v2_link, 2, {"condition": "c", "result": "r", "findings": [cause]})
    response = await client.post_form(f"/findings/{cause}/delete", {"version": 1})
    assert response.status_code == 409
    assert "theory of change versions 1 and 2: it stays" in text_of(response.text)
    assert await Finding.exists().where(Finding.id == cause)


async def test_deleting_a_finding_no_version_cites_takes_its_story_links_with_it(client, world):
    gone = await finding(world.initiative_id, "To be deleted")
    keep = await finding(world.initiative_id, "Stays")
    theory, links = await theory_with_steps(world.initiative_id, steps=1, cite=[keep])
    item = (await make_items(world.initiative_id, 1))[0]
    await ItemFinding.insert(ItemFinding(item=item, finding=gone))

    page = await client.get(f"/findings/{gone}/delete")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "No problem statement version and no causal link cites it" in text
    assert "1 story will no longer link to it" in text
    assert 'name="version" value="1"' in page.text and "Delete this finding" in text
    assert (await saved_finding(gone))["statement"] == "To be deleted"  # GET deletes nothing

    response = await client.post_form(f"/findings/{gone}/delete", {"version": 1})
    assert response.status_code == 303
    assert response.headers["location"] == f"/initiatives/{world.initiative_id}/findings"
    assert not await Finding.exists().where(Finding.id == gone)
    assert not await ItemFinding.exists().where(ItemFinding.finding == gone)
    assert [r["finding"] for r in (await _citations(keep))["links"]] == [keep]
    assert (await client.get(f"/findings/{gone}")).status_code == 404
    response = await client.post_form(f"/findings/{gone}/delete", {"version": 1})
    assert response.status_code == 404


async def test_deleting_a_finding_someone_just_edited_is_a_conflict(client, world):
    target = await finding(world.initiative_id, "As first written")
    page = await client.get(f"/findings/{target}/delete")
    assert 'name="version" value="1"' in page.text
    await services.update_finding(target, 1, {"statement": "Corrected meanwhile"})

    response = await client.post_form(f"/findings/{target}/delete", {"version": 1})
    assert response.status_code == 409
    text = text_of(response.text)
    assert "Someone else changed this finding after you opened it; nothing was deleted" in text
    assert "Corrected meanwhile" in text and 'name="version" value="2"' in response.text
    assert (await saved_finding(target))["statement"] == "Corrected meanwhile"
    # A form without its version is refused outright.
    for form in ({}, {"version": "x"}):
        assert (await client.post_form(f"/findings/{target}/delete", form)).status_code == 400
    assert await Finding.exists().where(Finding.id == target)
    # Deleting knowingly, from the version now shown.
    response = await client.post_form(f"/findings/{target}/delete", {"version": 2})
    assert response.status_code == 303
    assert not await Finding.exists().where(Finding.id == target)


async def test_unknown_and_foreign_findings_are_404(client, world):
    theirs = await finding(world.other_initiative_id, "Their finding")
    for url in (
        "/findings/999999",
        "/findings/99999999999",
        f"/findings/{theirs}",
        f"/findings/{theirs}/edit",
        f"/findings/{theirs}/delete",
        "/initiatives/999999/findings",
    ):
        assert (await client.get(url)).status_code == 404, url
    response = await client.post_form(f"/findings/{theirs}/edit", {**FORM, "version": 1})
    assert response.status_code == 404
    assert (await saved_finding(theirs))["statement"] == "Their finding"


async def test_query_counts_do_not_grow_with_findings(client, world, count_queries):
    async def add(n: int) -> int:
        cause = 0
        for i in range(n):
            cause = await finding(
                world.initiative_id, f"Finding {i}", kind="root_cause", segment=f"S{i % 3}"
            )
        return cause

    cause = await add(5)
    theory, _ = await theory_with_steps(world.initiative_id, steps=2, cite=[cause])
    items = await make_items(world.initiative_id, 2)
    for item in items:
        await ItemFinding.insert(ItemFinding(item=item, finding=cause))
    urls = (
        f"/initiatives/{world.initiative_id}/findings",
        f"/initiatives/{world.initiative_id}/findings?segment=S1",
        f"/findings/{cause}",
    )
    few = await page_queries(client, count_queries, urls)
    more = await add(45)
    for n in range(2):
        await services.add_link(
            theory, {"condition": f"c{n}", "result": f"r{n}", "findings": [cause, more]}
        )
    for item in await make_items(world.initiative_id, 8):
        await ItemFinding.insert(ItemFinding(item=item, finding=cause))
    assert await page_queries(client, count_queries, urls) == few
