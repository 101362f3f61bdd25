"""An agency's program improvement plans: the list, a new plan with its default dates,
editing the title and dates (DATA-01), the initiative's PIP page, and who may do what."""

from __future__ import annotations

from datetime import date

from backend.pip import services
from backend.pip.tables import Pip
from tests.pip.build import make_plan, set_today, text_of


async def _pips() -> list[dict]:
    return await Pip.select().order_by(Pip.id)


async def test_the_lead_creates_a_plan_and_the_end_dates_default(client, world):
    url = f"/agencies/{world.agency_id}/pip/new"
    page = await client.get(url)
    assert page.status_code == 200
    for field in ("title", "effective_date", "implementation_end", "non_overlapping_year_end"):
        assert f'for="field-{field}"' in page.text
    response = await client.post_form(
        url, {"title": "CFSR round 4 PIP", "effective_date": "2026-04-01", "agency": 999}
    )
    assert response.status_code == 303
    (pip,) = await _pips()
    assert response.headers["location"] == f"/pips/{pip['id']}"
    assert pip["agency"] == world.agency_id
    # Two years of implementation, then the non-overlapping year.
    assert pip["effective_date"] == date(2026, 4, 1)
    assert pip["implementation_end"] == date(2028, 4, 1)
    assert pip["non_overlapping_year_end"] == date(2029, 4, 1)
    text = text_of((await client.get(response.headers["location"])).text)
    assert "CFSR round 4 PIP" in text
    assert "Effective date 1 Apr 2026 Implementation end 1 Apr 2028" in text
    assert "Non-overlapping year end 1 Apr 2029" in text
    # Both end dates may be given instead; a leap day two years on is 28 February.
    response = await client.post_form(
        url,
        {
            "title": "Given dates",
            "effective_date": "2024-02-29",
            "non_overlapping_year_end": "2027-06-30",
        },
    )
    assert response.status_code == 303
    given = (await _pips())[1]
    assert given["implementation_end"] == date(2026, 2, 28)
    assert given["non_overlapping_year_end"] == date(2027, 6, 30)


async def test_a_refused_plan_keeps_what_was_typed(client, world):
    url = f"/agencies/{world.agency_id}/pip/new"
    response = await client.post_form(
        url, {"title": "Keep this title", "effective_date": "2026-02-30"}
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    assert "Effective date must be a real date like 2026-03-31" in response.text
    assert 'value="Keep this title"' in response.text and 'value="2026-02-30"' in response.text
    response = await client.post_form(
        url,
        {
            "title": "",
            "effective_date": "2026-04-01",
            "implementation_end": "2026-03-01",
            "non_overlapping_year_end": "2025-01-01",
        },
    )
    assert response.status_code == 422
    assert "Enter title" in response.text
    assert "Implementation end must be after the effective date" in response.text
    response = await client.post_form(
        url,
        {
            "title": "X",
            "effective_date": "2026-04-01",
            "implementation_end": "2028-04-01",
            "non_overlapping_year_end": "2028-01-01",
        },
    )
    assert "Non-overlapping year end must be after the implementation end" in response.text
    response = await client.post_form(url, {"title": ["a", "b"], "effective_date": ["x"]})
    assert response.status_code == 422
    # PII-01: a phone number in the title is flagged until confirmed.
    response = await client.post_form(
        url, {"title": "Call 617-555-0134", "effective_date": "2026-04-01"}
    )
    assert response.status_code == 422 and "looks like personal information" in response.text
    assert await _pips() == []


async def test_editing_the_dates_and_a_stale_edit_gets_409(client, world):
    plan = await make_plan(world)
    page = await client.get(f"/pips/{plan.pip}/edit")
    assert 'value="2026-01-01"' in page.text and 'name="version" value="1"' in page.text
    form = {
        "title": "Renamed PIP",
        "effective_date": "2026-02-01",
        "implementation_end": "2028-01-31",
        "non_overlapping_year_end": "",
        "version": 1,
    }
    response = await client.post_form(f"/pips/{plan.pip}/edit", form)
    assert response.status_code == 303
    (pip,) = await _pips()
    assert pip["title"] == "Renamed PIP" and pip["version"] == 2
    assert pip["non_overlapping_year_end"] == date(2029, 1, 31)
    response = await client.post_form(f"/pips/{plan.pip}/edit", {**form, "title": "Mine"})
    assert response.status_code == 409
    assert "Someone else" in response.text and 'value="Mine"' in response.text
    assert 'name="version" value="2"' in response.text
    assert (await _pips())[0]["title"] == "Renamed PIP"
    response = await client.post_form(f"/pips/{plan.pip}/edit", {"title": "No version"})
    assert response.status_code == 400


async def test_only_the_lead_writes_the_plan_everyone_in_the_agency_reads_it(client_as, world):
    plan = await make_plan(world)
    new = f"/agencies/{world.agency_id}/pip/new"
    reads = (
        f"/agencies/{world.agency_id}/pip",
        f"/pips/{plan.pip}",
        f"/pips/{plan.pip}/status",
        f"/initiatives/{world.initiative_id}/pip",
    )
    for role in ("product_owner", "team_member", "viewer", "liaison"):
        person = await client_as(world.users[role])
        for url in reads:
            assert (await person.get(url)).status_code == 200, (role, url)
        page = await person.get(f"/agencies/{world.agency_id}/pip")
        assert "New program improvement plan" not in page.text
        plan_page = await person.get(f"/pips/{plan.pip}")
        assert "Edit the title and dates" not in plan_page.text
        assert "Add a goal" not in plan_page.text
        assert (await person.get(new)).status_code == 403, role
        response = await person.post_form(new, {"title": "No", "effective_date": "2026-01-01"})
        assert response.status_code == 403, role
        response = await person.post_form(
            f"/pips/{plan.pip}/edit", {"title": "No", "effective_date": "2026-01-01", "version": 1}
        )
        assert response.status_code == 403, role
    outsider = await client_as(world.users["other_lead"])
    for url in (*reads, new, f"/pips/{plan.pip}/edit"):
        assert (await outsider.get(url)).status_code == 404, url
    response = await outsider.post_form(new, {"title": "No", "effective_date": "2026-01-01"})
    assert response.status_code == 404
    assert len(await _pips()) == 1


async def test_the_agency_page_links_to_its_plans(client, world):
    page = await client.get(f"/agencies/{world.agency_id}")
    assert f'href="/agencies/{world.agency_id}/pip"' in page.text
    assert "Program improvement plan" in page.text


async def test_the_initiatives_pip_page_is_the_status_of_the_plan_in_force(client, world):
    set_today(date(2026, 6, 15))
    url = f"/initiatives/{world.initiative_id}/pip"
    # No plan: the list, with why.
    page = await client.get(url)
    assert page.status_code == 200
    assert "Test Agency has no program improvement plan in force now" in page.text
    assert 'aria-label="Parent engagement"' in page.text  # the initiative's navigation
    # An old plan whose non-overlapping year has ended is not in force.
    await services.create_pip(
        world.agency_id, {"title": "Round 3 PIP", "effective_date": date(2020, 1, 1)}
    )
    page = await client.get(url)
    assert "no program improvement plan in force" in page.text and "Round 3 PIP" in page.text
    plan = await make_plan(world)
    page = await client.get(url)
    text = text_of(page.text)
    assert "Status of Round 4 PIP" in text and "in force now" in text
    assert f'href="/pips/{plan.pip}"' in page.text
    assert 'aria-label="Parent engagement"' in page.text
    assert "Round 3 PIP" not in text
