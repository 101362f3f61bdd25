"""Who may do what on the exploration and theory pages (SEC-08): every team role
writes, viewers and liaisons read only, another agency's people see nothing;
and the personal-information guard on the forms (PII-01)."""

from __future__ import annotations

from backend.exploration.tables import (
    Assumption,
    CausalLink,
    DataQuestion,
    Finding,
    ProblemStatement,
    TheoryOfChange,
)
from tests.exploration.helpers import finding, text_of, theory_with_steps


async def _pages(world) -> tuple[list[str], dict[str, int]]:
    cause = await finding(world.initiative_id, "A root cause", kind="root_cause")
    theory, links = await theory_with_steps(world.initiative_id, steps=1, cite=[cause])
    from backend.exploration import services

    question = await services.create_question(world.initiative_id, {"question": "Why?"})
    await services.save_problem_statement(world.initiative_id, "Statement", [cause], None)
    i = world.initiative_id
    pages = [
        f"/initiatives/{i}/findings",
        f"/findings/{cause}",
        f"/initiatives/{i}/data-plan",
        f"/initiatives/{i}/problem-statement",
        f"/initiatives/{i}/problem-statement/1",
        f"/initiatives/{i}/theory-of-change",
        f"/theories/{theory}",
        f"/causal-links/{links[0]}",
    ]
    ids = {"finding": cause, "theory": theory, "link": links[0], "question": question}
    return pages, ids


def _writes(world, ids: dict[str, int]) -> list[tuple[str, dict]]:
    i = world.initiative_id
    return [
        (f"/initiatives/{i}/findings/new", {"statement": "New finding"}),
        (
            f"/findings/{ids['finding']}/edit",
            {"statement": "Edited", "kind": "root_cause", "version": 1},
        ),
        (f"/initiatives/{i}/data-plan", {"question": "Another question"}),
        (f"/data-questions/{ids['question']}/edit", {"question": "Edited?", "version": 1}),
        (f"/initiatives/{i}/problem-statement", {"text": "Version two", "action": "save"}),
        (f"/theories/{ids['theory']}", {"population": "P", "long_term_outcome": "O", "version": 1}),
        (f"/theories/{ids['theory']}/links", {"condition": "c", "result": "r"}),
        (f"/causal-links/{ids['link']}/edit", {"condition": "c2", "result": "r2", "version": 1}),
        (f"/causal-links/{ids['link']}/move", {"direction": "down"}),
        (f"/theories/{ids['theory']}/assumptions", {"assumption": "More"}),
        (f"/theories/{ids['theory']}/assumptions/1/delete", {}),
    ]


async def _counts() -> list[int]:
    return [
        await table.count()
        for table in (
            Finding,
            DataQuestion,
            ProblemStatement,
            TheoryOfChange,
            CausalLink,
            Assumption,
        )
    ]


async def test_a_team_member_does_every_write(client_as, world):
    _, ids = await _pages(world)
    member = await client_as(world.users["team_member"])
    for url, data in _writes(world, ids):
        response = await member.post_form(url, data)
        assert response.status_code == 303, (url, response.status_code)
    assert (
        await member.post_form(
            f"/theories/{ids['theory']}/new-version", {"change_note": "By a member"}
        )
    ).status_code == 303
    unused = await finding(world.initiative_id, "Not cited anywhere")
    response = await member.post_form(f"/findings/{unused}/delete", {"version": 1})
    assert response.status_code == 303
    assert await TheoryOfChange.count() == 2 and not await Finding.exists().where(
        Finding.id == unused
    )


async def test_viewers_and_liaisons_read_everything_and_change_nothing(client_as, world):
    pages, ids = await _pages(world)
    before = await _counts()
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        for url in pages:
            page = await person.get(url)
            assert page.status_code == 200, (role, url)
            text = text_of(page.text)
            for control in (
                "New finding",
                "Add step",
                "Add assumption",
                "Edit finding",
                "Save as version",
                "Add question",
                "Start version",
            ):
                assert control not in text, (role, url, control)
        for url in (
            f"/initiatives/{world.initiative_id}/findings/new",
            f"/findings/{ids['finding']}/edit",
            f"/findings/{ids['finding']}/delete",
            f"/causal-links/{ids['link']}/edit",
        ):
            assert (await person.get(url)).status_code == 403, (role, url)
        writes = [
            *_writes(world, ids),
            (f"/theories/{ids['theory']}/new-version", {"change_note": "x"}),
            (f"/findings/{ids['finding']}/delete", {}),
        ]
        for url, data in writes:
            assert (await person.post_form(url, data)).status_code == 403, (role, url)
    assert await _counts() == before


async def test_another_agency_sees_none_of_it(client_as, world):
    pages, ids = await _pages(world)
    outsider = await client_as(world.users["other_lead"])
    before = await _counts()
    for url in pages:
        assert (await outsider.get(url)).status_code == 404, url
    for url, data in _writes(world, ids):
        assert (await outsider.post_form(url, data)).status_code == 404, url
    assert await _counts() == before


async def test_personal_information_in_free_text_is_flagged_until_confirmed(client, world):
    url = f"/initiatives/{world.initiative_id}/findings/new"
    data = {"statement": "Father's SSN is 123-45-6789", "segment": "email dad@example.com"}
    response = await client.post_form(url, data)
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Statement looks like it contains a Social Security number" in text
    assert "Population segment looks like it contains an email address" in text
    assert 'name="pii_confirmed"' in response.text
    assert "123-45-6789</textarea>" in response.text  # typed text kept to redact
    assert await Finding.count() == 0
    response = await client.post_form(url, {**data, "pii_confirmed": "yes"})
    assert response.status_code == 303

    plan = f"/initiatives/{world.initiative_id}/data-plan"
    response = await client.post_form(plan, {"question": "Call 617-555-0123?"})
    assert response.status_code == 422 and "phone number" in response.text
    assert await DataQuestion.count() == 0

    statement = f"/initiatives/{world.initiative_id}/problem-statement"
    response = await client.post_form(
        statement, {"text": "Child DOB: 03/04/2015", "action": "save"}
    )
    assert response.status_code == 422 and "date of birth" in response.text
    assert await ProblemStatement.count() == 0
    response = await client.post_form(
        statement, {"text": "Child DOB: 03/04/2015", "action": "save", "pii_confirmed": "yes"}
    )
    assert response.status_code == 303
