"""Recording, reading, editing and deleting a fidelity assessment through its pages: the
rubric form (one row of radio buttons per behaviour), 422s that keep every choice,
ratings that must belong to the version, notes through the PII guard, DATA-01 409s,
and the roles."""

from __future__ import annotations

import re
from datetime import date

from backend.fidelity.tables import FidelityAssessment, FidelityRating
from backend.practice import services as practice_services
from tests.fidelity.build import (
    assess,
    form_of,
    make_sites,
    rateable_profile,
    second_version,
    version_of,
)
from tests.fidelity.html import text_of
from tests.html_checks import assert_well_formed
from tests.practice.build import make_profile


def b(version, c, n) -> str:
    return f"b-{version.behaviours[c][n]}"


def checked(html: str, field: str) -> str | None:
    """The value of the checked radio button of a row."""
    for tag in re.findall(rf'<input type="radio" name="{field}"[^>]*>', html):
        if " checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


async def _world(world, components=2, behaviours=2):
    version = await rateable_profile(world.initiative_id, components, behaviours)
    north, south = await make_sites(world.agency_id)
    return version, north, south


async def test_step_one_offers_only_versions_being_tested_or_approved(client, world):
    url = f"/initiatives/{world.initiative_id}/fidelity/new"
    empty = await client.get(url)
    assert empty.status_code == 200
    assert "No practice profile version is being tested or approved yet" in empty.text
    v1 = await rateable_profile(world.initiative_id)
    v2 = await second_version(v1)
    draft = await make_profile(world.initiative_id)  # another intervention, draft only
    html = (await client.get(url)).text
    assert f'<option value="{v1.id}">Fathers as partners, version 1 (approved)</option>' in html
    assert f'<option value="{v2.id}">Fathers as partners, version 2 (testing)</option>' in html
    assert f'value="{draft["profile_id"]}"' not in html
    assert 'method="get"' in html
    for bad in (str(draft["profile_id"]), "abc", "", "99999999999"):
        response = await client.get(f"{url}?profile_id={bad}")
        assert response.status_code == 422, bad
        assert_well_formed(response.text, bad)
        assert "<title>Error: New fidelity assessment" in response.text
        assert "Choose a version of a practice profile from the list" in response.text


async def test_the_form_is_the_rubric_one_row_of_radio_buttons_per_behaviour(client, world):
    version, north, _ = await _world(world)
    # Version 2 is being tested, so it may still change: a component with no
    # behaviours is added, to be rated as a whole.
    v2 = await second_version(version)
    whole = await practice_services.add_component(v2.id, {"name": "Teaming", "description": ""})
    profile = await version_of(v2.id)
    url = f"/initiatives/{world.initiative_id}/fidelity/new?profile_id={profile.id}"
    html = (await client.get(url)).text
    assert "<title>New fidelity assessment" in html
    assert f'<input type="hidden" name="profile_id" value="{profile.id}">' in html
    for c in range(2):
        for n in range(2):
            field = b(profile, c, n)
            legend = f'<legend>Behaviour {c + 1}.{n + 1} <span class="muted">(Worker)</span>'
            assert legend in html
            assert checked(html, field) == ""  # Not rated until chosen
            assert f'<label for="field-{field}">Optimal (meets fidelity)</label>' in html
            level = profile.developmental
            assert f'<label for="field-{field}-{level}">Developmental</label>' in html
            assert f'<label for="field-{field}-none">Not rated</label>' in html
            assert f"Developmental for {c + 1}.{n + 1}</p>" in html  # the descriptor
    assert f'name="c-{whole}"' in html
    assert "<legend>Teaming (rated as a whole)</legend>" in html
    assert f'<option value="{north}">North Area Office</option>' in html
    assert '<option value="case_review">Case review</option>' in html


async def test_an_assessment_is_saved_with_its_ratings_and_shown_in_words(client, world):
    version, north, _ = await _world(world)
    ratings = {
        b(version, 0, 0): str(version.optimal),
        b(version, 0, 1): str(version.developmental),
        b(version, 1, 0): str(version.unacceptable),
        b(version, 1, 1): "",  # not rated
    }
    response = await client.post_form(
        f"/initiatives/{world.initiative_id}/fidelity/new",
        form_of(version, north, "2025-03-04", ratings, notes="Coached on **voice**"),
    )
    assert response.status_code == 303
    fidelity_id = int(response.headers["location"].rsplit("/", 1)[1])
    saved = await FidelityAssessment.select().where(FidelityAssessment.id == fidelity_id)
    assert saved[0]["site"] == north
    assert saved[0]["method"] == "case_review"
    assert saved[0]["assessed_on"] == date(2025, 3, 4)
    assert saved[0]["created_by"] == world.lead
    rows = await FidelityRating.select(FidelityRating.behaviour, FidelityRating.level).where(
        FidelityRating.assessment == fidelity_id
    )
    assert {(r["behaviour"], r["level"]) for r in rows} == {
        (version.behaviours[0][0], version.optimal),
        (version.behaviours[0][1], version.developmental),
        (version.behaviours[1][0], version.unacceptable),
    }
    page = await client.get(response.headers["location"])
    words = text_of(page.text)
    assert "Fidelity assessment of North Area Office on 4 Mar 2025" in words
    assert "Ratings at or above the fidelity level 1 of 3 (33%)" in words
    assert "Behaviour 1.1 Worker Optimal (at or above the fidelity level) Optimal for 1.1" in words
    assert "Behaviour 1.2 Worker Developmental (below the fidelity level)" in words
    assert "Behaviour 2.2 Worker Not rated" in words
    assert "Component 1: 1 of 2 (50%) at or above the fidelity level" in words
    assert "<strong>voice</strong>" in page.text


async def test_a_form_with_errors_comes_back_with_every_choice(client, world):
    version, north, _ = await _world(world)
    ratings = {b(version, 0, 0): str(version.developmental), b(version, 1, 1): str(version.optimal)}
    response = await client.post_form(
        f"/initiatives/{world.initiative_id}/fidelity/new",
        form_of(version, north, "2999-01-01", ratings, site_id="", method="", assessor="Dana"),
    )
    assert response.status_code == 422
    html = response.text
    assert_well_formed(html, "422")
    assert "<title>Error: New fidelity assessment" in html
    assert 'href="#field-site_id">Choose the site assessed' in html
    assert 'href="#field-method">Choose how fidelity was assessed' in html
    assert "Date assessed must be today or earlier" in html
    assert checked(html, b(version, 0, 0)) == str(version.developmental)
    assert checked(html, b(version, 1, 1)) == str(version.optimal)
    assert checked(html, b(version, 0, 1)) == ""
    assert 'value="2999-01-01"' in html and 'value="Dana"' in html
    assert await FidelityAssessment.count() == 0
    nothing = await client.post_form(
        f"/initiatives/{world.initiative_id}/fidelity/new",
        form_of(version, north, "2025-01-02", {}),
    )
    assert nothing.status_code == 422
    assert 'href="#field-ratings">Rate at least one practice behaviour' in nothing.text
    assert 'id="field-ratings"' in nothing.text


async def test_ratings_must_belong_to_the_version_rated_against(client, world):
    version, north, _ = await _world(world)
    other = await rateable_profile(world.initiative_id)  # another intervention's profile
    url = f"/initiatives/{world.initiative_id}/fidelity/new"
    field = b(version, 0, 0)
    # A level of another profile on a row of this one.
    response = await client.post_form(
        url, form_of(version, north, "2025-01-02", {field: str(other.optimal)})
    )
    assert response.status_code == 422
    assert f'href="#field-{field}">Choose a level of version 1 for “Behaviour 1.1”' in response.text
    assert checked(response.text, field) == ""  # not a level of this version: shown not rated
    # A behaviour of another profile.
    response = await client.post_form(
        url,
        form_of(
            version,
            north,
            "2025-01-02",
            {field: str(version.optimal), b(other, 0, 0): str(other.optimal)},
        ),
    )
    assert response.status_code == 422
    assert (
        f"Practice behaviour {other.behaviours[0][0]} is not a row of version 1 of this "
        "practice profile"
    ) in response.text
    # A component that has behaviours cannot be rated as a whole.
    response = await client.post_form(
        url,
        form_of(version, north, "2025-01-02", {f"c-{version.components[0]}": str(version.optimal)}),
    )
    assert response.status_code == 422
    assert "is rated behaviour by behaviour" in response.text
    # A value that is no level at all.
    response = await client.post_form(url, form_of(version, north, "2025-01-02", {field: "best"}))
    assert response.status_code == 422
    assert await FidelityAssessment.count() == 0
    # Another agency's site.
    (theirs,) = await make_sites(world.other_agency_id, "Their office")
    response = await client.post_form(
        url, form_of(version, theirs, "2025-01-02", {field: str(version.optimal)})
    )
    assert response.status_code == 422
    assert "Choose one of the agency&#39;s sites" in response.text
    assert await FidelityAssessment.count() == 0


async def test_notes_pass_the_personal_information_guard_but_the_assessor_does_not(client, world):
    version, north, _ = await _world(world)
    url = f"/initiatives/{world.initiative_id}/fidelity/new"
    form = form_of(
        version,
        north,
        "2025-01-02",
        {b(version, 0, 0): str(version.optimal)},
        notes="Father reachable at 617-555-0123",
        assessor="Sam O'Neil",
    )
    response = await client.post_form(url, form)
    assert response.status_code == 422
    assert_well_formed(response.text, "pii")
    assert "This looks like personal information" in response.text
    assert checked(response.text, b(version, 0, 0)) == str(version.optimal)
    assert await FidelityAssessment.count() == 0
    response = await client.post_form(url, {**form, "pii_confirmed": "yes"})
    assert response.status_code == 303
    assert await FidelityAssessment.count() == 1


async def test_an_assessment_is_edited_from_its_version_and_a_stale_edit_is_refused(
    client, client_as, world
):
    version, north, south = await _world(world)
    fidelity_id = await assess(
        world.initiative_id,
        version,
        north,
        date(2025, 2, 3),
        {version.b(0, 0): version.optimal, version.b(0, 1): version.developmental},
    )
    edit_url = f"/fidelity/{fidelity_id}/edit"
    html = (await client.get(edit_url)).text
    assert checked(html, b(version, 0, 0)) == str(version.optimal)
    assert checked(html, b(version, 0, 1)) == str(version.developmental)
    assert checked(html, b(version, 1, 0)) == ""
    assert 'name="version" value="1"' in html
    assert 'value="2025-02-03"' in html
    form = form_of(
        version,
        south,
        "2025-02-04",
        {b(version, 0, 0): str(version.developmental), b(version, 1, 0): str(version.optimal)},
        version="1",
    )
    colleague = await client_as(world.users["team_member"])
    assert (await colleague.post_form(edit_url, form)).status_code == 303
    rows = await FidelityRating.select(FidelityRating.behaviour, FidelityRating.level).where(
        FidelityRating.assessment == fidelity_id
    )
    assert {(r["behaviour"], r["level"]) for r in rows} == {
        (version.behaviours[0][0], version.developmental),
        (version.behaviours[1][0], version.optimal),
    }
    saved = await FidelityAssessment.select().where(FidelityAssessment.id == fidelity_id)
    assert (saved[0]["site"], saved[0]["version"]) == (south, 2)
    # The lead's form was loaded at version 1: a 409 keeping the lead's choices, saying
    # what is saved now, and changing nothing.
    mine = form_of(
        version,
        north,
        "2025-02-05",
        {b(version, 0, 0): str(version.unacceptable)},
        version="1",
        assessor="Lead",
    )
    response = await client.post_form(edit_url, mine)
    assert response.status_code == 409
    html = response.text
    assert_well_formed(html, "409")
    assert "Someone else changed this assessment while you were editing it" in html
    assert checked(html, b(version, 0, 0)) == str(version.unacceptable)
    assert "Saved now: Developmental" in html
    assert "Saved now: Optimal" in html  # behaviour 2.1, which the lead left not rated
    assert 'name="version" value="2"' in html
    assert 'value="Lead"' in html
    again = await FidelityAssessment.select().where(FidelityAssessment.id == fidelity_id)
    assert again[0]["version"] == 2 and again[0]["site"] == south
    # Saving again from the version shown replaces it knowingly.
    assert (await client.post_form(edit_url, {**mine, "version": "2"})).status_code == 303
    # The profile version rated against never changes through the form.
    v2 = await second_version(version)
    response = await client.post_form(edit_url, {**mine, "version": "3", "profile_id": v2.id})
    assert response.status_code == 303
    kept = await FidelityAssessment.select().where(FidelityAssessment.id == fidelity_id)
    assert kept[0]["profile"] == version.id


async def test_an_edit_without_its_version_is_a_bad_request(client, world):
    version, north, _ = await _world(world)
    fidelity_id = await assess(
        world.initiative_id, version, north, date(2025, 2, 3), {version.b(0, 0): version.optimal}
    )
    response = await client.post_form(
        f"/fidelity/{fidelity_id}/edit",
        form_of(version, north, "2025-02-03", {b(version, 0, 0): str(version.optimal)}),
    )
    assert response.status_code == 400


async def test_an_assessment_is_deleted_after_confirmation_from_its_version(client, world):
    version, north, _ = await _world(world)
    fidelity_id = await assess(
        world.initiative_id, version, north, date(2025, 2, 3), {version.b(0, 0): version.optimal}
    )
    url = f"/fidelity/{fidelity_id}/delete"
    page = await client.get(url)
    assert page.status_code == 200
    assert "Delete the fidelity assessment of North Area Office on 3 Feb 2025?" in page.text
    assert "deletes its 1 rating too" in page.text
    stale = await client.post_form(url, {"version": "7"})
    assert stale.status_code == 409
    assert_well_formed(stale.text, "delete 409")
    assert "so nothing was deleted" in stale.text
    assert await FidelityAssessment.count() == 1
    done = await client.post_form(url, {"version": "1"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/initiatives/{world.initiative_id}/fidelity"
    assert await FidelityAssessment.count() == 0
    assert await FidelityRating.count() == 0
    assert (await client.get(f"/fidelity/{fidelity_id}")).status_code == 404


async def test_the_team_writes_viewers_and_liaisons_read_other_agencies_see_nothing(
    client_as, world
):
    version, north, _ = await _world(world)
    fidelity_id = await assess(
        world.initiative_id, version, north, date(2025, 2, 3), {version.b(0, 0): version.optimal}
    )
    new = f"/initiatives/{world.initiative_id}/fidelity/new"
    form = form_of(version, north, "2025-02-03", {b(version, 0, 0): str(version.optimal)})
    member = await client_as(world.users["team_member"])
    assert (await member.get(f"{new}?profile_id={version.id}")).status_code == 200
    assert (await member.post_form(new, form)).status_code == 303
    reads = [
        f"/initiatives/{world.initiative_id}/fidelity",
        f"/initiatives/{world.initiative_id}/fidelity/coaching",
        f"/fidelity/{fidelity_id}",
    ]
    writes = [
        ("get", f"{new}?profile_id={version.id}"),
        ("post", new),
        ("get", f"/fidelity/{fidelity_id}/edit"),
        ("post", f"/fidelity/{fidelity_id}/edit"),
        ("get", f"/fidelity/{fidelity_id}/delete"),
        ("post", f"/fidelity/{fidelity_id}/delete"),
    ]
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        for url in reads:
            response = await person.get(url)
            assert response.status_code == 200, (role, url)
            assert "Record a fidelity assessment" not in response.text
            assert f"/fidelity/{fidelity_id}/edit" not in response.text
        for method, url in writes:
            if method == "get":
                response = await person.get(url)
            else:
                response = await person.post_form(url, {**form, "version": "1"})
            assert response.status_code == 403, (role, method, url)
    outsider = await client_as(world.users["other_lead"])
    for url in reads:
        assert (await outsider.get(url)).status_code == 404, url
    for method, url in writes:
        if method == "get":
            response = await outsider.get(url)
        else:
            response = await outsider.post_form(url, {**form, "version": "1"})
        assert response.status_code == 404, (method, url)
    assert await FidelityAssessment.count() == 2


async def test_a_profile_version_of_another_initiative_cannot_be_rated_here(client, world):
    theirs = await rateable_profile(world.other_initiative_id)
    (north,) = await make_sites(world.agency_id, "North Area Office")
    url = f"/initiatives/{world.initiative_id}/fidelity/new"
    assert (await client.get(f"{url}?profile_id={theirs.id}")).status_code == 422
    response = await client.post_form(
        url, form_of(theirs, north, "2025-01-02", {b(theirs, 0, 0): str(theirs.optimal)})
    )
    assert response.status_code == 422
    assert await FidelityAssessment.count() == 0
