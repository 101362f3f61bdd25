"""Walk the whole route table (SEC-08, SEC-09).

- every route has a power in permissions.ROUTE_POWERS (deny by default);
- every GET renders for someone allowed and changes no row;
- without a session every route but the public ones is refused;
- every write route, tried with a viewer's, a liaison's and another agency's
  session, is refused and changes nothing;
- another agency's pages do not exist for an agency's people;
- ids that do not exist give 404, never 500.
"""

from __future__ import annotations

import re
from datetime import timedelta

from litestar.routes import HTTPRoute

from backend import clock
from backend.accounts import permissions
from backend.accounts import services as accounts
from backend.accounts.access import TOKEN_PREFIX, hash_secret
from backend.accounts.tables import (
    ApiToken,
    AuthSession,
    Invitation,
    LiaisonAssignment,
    LoginFailure,
    Membership,
)
from backend.db import all_tables
from backend.scrum import services as scrum
from tests.cfsr.walk import walk_ids as cfsr_ids
from tests.collaboratives.walk import walk_ids as collaboratives_ids
from tests.exploration.walk import walk_ids as exploration_ids
from tests.factories import make_items
from tests.fidelity.walk import walk_ids as fidelity_ids
from tests.html_checks import assert_well_formed
from tests.initiatives.walk import walk_ids as progress_ids
from tests.measures.walk import walk_ids as measures_ids
from tests.packet.walk import walk_ids as packet_ids
from tests.pdsa.walk import walk_ids as pdsa_ids
from tests.pip.walk import walk_ids as pip_ids
from tests.portfolio.walk import walk_ids as portfolio_ids
from tests.practice.walk import walk_ids as practice_ids
from tests.reviews.walk import walk_ids as reviews_ids
from tests.sites.walk import walk_ids as sites_ids
from tests.traceability.walk import walk_ids as traceability_ids

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
SKIP_PREFIXES = ("/static", "/api/schema")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# Tables a refused request may still write: whose session it was, and failures.
BOOKKEEPING = {AuthSession._meta.tablename, LoginFailure._meta.tablename}


def _routes(app) -> list[tuple[str, str, str]]:
    """(method, path, route name) for every handler but static files and the schema."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(SKIP_PREFIXES):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods - {"HEAD", "OPTIONS"}:
                found.append((method, route.path, handler.name or ""))
    return sorted(set(found))


async def _snapshot() -> dict[str, list]:
    """Every row of every table (but session bookkeeping), to compare before and after."""
    out = {}
    for table in all_tables():
        if table._meta.tablename in BOOKKEEPING:
            continue
        rows = await table.select().order_by(table._meta.primary_key)
        out[table._meta.tablename] = rows
    return out


async def _ids(world) -> dict[str, object]:
    items = await make_items(world.initiative_id, 3)
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Walk"})
    await scrum.assign_sprint(world.initiative_id, items[:2], sprint)
    await scrum.start_sprint(sprint)
    release = await scrum.create_release(world.initiative_id, {"name": "R1"})
    membership = await Membership.select(Membership.id).where(
        Membership.user == world.users["viewer"]
    )
    assignment = await LiaisonAssignment.select(LiaisonAssignment.id).where(
        LiaisonAssignment.user == world.users["liaison"]
    )
    now = clock.now()
    token = await ApiToken.insert(
        ApiToken(
            user=world.lead,
            name="walk",
            token_hash=hash_secret(TOKEN_PREFIX + "walk"),
            prefix=TOKEN_PREFIX + "walk",
            created_at=now,
        )
    ).returning(ApiToken.id)
    invited = await accounts.create_user("Invited Person", "invited@test.example")
    await Invitation.insert(
        Invitation(
            user=invited,
            token_hash=hash_secret("walk-invitation"),
            expires_at=now + timedelta(days=1),
            created_at=now,
        )
    )
    return {
        "initiative_id": world.initiative_id,
        "agency_id": world.agency_id,
        "item_id": items[0],
        "sprint_id": sprint,
        "release_id": release,
        "membership_id": membership[0]["id"],
        "assignment_id": assignment[0]["id"],
        "user_id": world.users["viewer"],
        "token_id": token[0]["id"],
        "token": "walk-invitation",
        **await progress_ids(world),
        **await exploration_ids(world),
        **await practice_ids(world),
        **await traceability_ids(world, items[0]),
        **await sites_ids(world),
        **await cfsr_ids(world),
        **await measures_ids(world),
        **await pdsa_ids(world),
        **await fidelity_ids(world),
        **await pip_ids(world),
        **await reviews_ids(world),
        **await portfolio_ids(world),
        **await packet_ids(world),
        **await collaboratives_ids(world),
    }


def _fill(path: str, ids: dict[str, object], missing: bool = False) -> str:
    names = PARAM.findall(path)
    unknown = [n for n in names if n not in ids]
    assert not unknown, f"no id to fill {unknown} in {path}: add it to the walk"
    return PARAM.sub(lambda m: str(999_999 if missing else ids[m.group(1)]), path)


def _power(name: str) -> str | None:
    return permissions.ROUTE_POWERS.get(name)


async def _send(client, method: str, url: str):
    if method == "GET":
        return await client.get(url)
    if url.startswith("/api/"):
        return await client.send_json(method, url, {"title": "walk", "version": 1})
    return await client.post_form(url, {"title": "walk", "version": "1"})


async def test_every_route_has_a_power(app):
    missing = [(m, p, n) for m, p, n in _routes(app) if _power(n) is None]
    assert not missing, f"add these to permissions.ROUTE_POWERS: {missing}"
    stale = (
        set(permissions.ROUTE_POWERS)
        - {n for _, _, n in _routes(app)}
        - {
            "static",
            "static/head",
        }
    )
    assert not stale, f"ROUTE_POWERS names routes that do not exist: {stale}"


async def test_every_get_route_renders_for_someone_allowed_and_changes_nothing(
    app, client, client_as, world
):
    ids = await _ids(world)
    admin = await client_as(world.users["admin"])
    before = await _snapshot()
    walked = 0
    for method, path, name in _routes(app):
        if method != "GET":
            continue
        url = _fill(path, ids)
        power = _power(name)
        if power == permissions.SITE_ADMIN:
            response = await admin.get(url)
        elif power == permissions.PUBLIC:
            response = await (await client_as()).get(url)
        else:
            response = await client.get(url)
        assert response.status_code < 400, f"GET {url} -> {response.status_code}"
        if response.headers.get("content-type", "").startswith("text/html"):
            assert_well_formed(response.text, url)  # A11Y-02 on every page
        walked += 1
    assert walked >= 20
    assert await _snapshot() == before


async def test_without_a_session_every_route_but_the_public_ones_is_refused(app, client_as, world):
    ids = await _ids(world)
    anonymous = await client_as()
    before = await _snapshot()
    for method, path, name in _routes(app):
        if _power(name) == permissions.PUBLIC:
            continue
        url = _fill(path, ids)
        response = await _send(anonymous, method, url)
        if url.startswith("/api/"):
            assert response.status_code == 401, f"{method} {url} -> {response.status_code}"
        else:
            assert response.status_code == 303, f"{method} {url} -> {response.status_code}"
            assert response.headers["location"].startswith("/sign-in"), url
    assert await _snapshot() == before


async def test_htmx_requests_without_a_session_are_told_to_load_the_sign_in_page(client_as, world):
    anonymous = await client_as()
    response = await anonymous.get(
        f"/initiatives/{world.initiative_id}/board", headers={"hx-request": "true"}
    )
    assert response.status_code == 401
    assert response.headers["hx-redirect"].startswith("/sign-in?next=")


async def test_write_routes_refuse_a_viewer_a_liaison_and_another_agency(app, client_as, world):
    ids = await _ids(world)
    viewer = await client_as(world.users["viewer"])
    liaison = await client_as(world.users["liaison"])
    outsider = await client_as(world.users["other_lead"])
    before = await _snapshot()
    tried = 0
    for method, path, name in _routes(app):
        power = _power(name)
        if method not in UNSAFE or power in (
            permissions.PUBLIC,
            permissions.SIGNED_IN,
            permissions.SITE_ADMIN,
        ):
            continue
        url = _fill(path, ids)
        for who, person in (("viewer", viewer), ("liaison", liaison)):
            if permissions.role_can(who, power):
                continue  # a liaison's own writes (sign-off) are tested in their area
            response = await _send(person, method, url)
            status = response.status_code
            assert status == 403, f"{who}: {method} {url} -> {status}"
        status = (await _send(outsider, method, url)).status_code
        assert status == 404, f"other agency: {method} {url} -> {status}"
        tried += 1
    assert tried >= 20
    assert await _snapshot() == before


async def test_site_admin_routes_refuse_everyone_else(app, client_as, world):
    ids = await _ids(world)
    lead = await client_as(world.lead)
    before = await _snapshot()
    for method, path, name in _routes(app):
        if _power(name) != permissions.SITE_ADMIN:
            continue
        response = await _send(lead, method, _fill(path, ids))
        assert response.status_code == 403, f"{method} {path} -> {response.status_code}"
    assert await _snapshot() == before


async def test_another_agencys_pages_do_not_exist_for_this_agencys_people(app, client, world):
    other = {
        "initiative_id": world.other_initiative_id,
        "agency_id": world.other_agency_id,
    }
    for method, path, _name in _routes(app):
        names = set(PARAM.findall(path))
        if method != "GET" or not names or not names <= set(other):
            continue
        url = _fill(path, other)
        response = await client.get(url)
        assert response.status_code == 404, f"GET {url} -> {response.status_code}"
        assert "Other initiative" not in response.text


async def test_a_liaison_reads_every_page_of_an_assigned_agency(app, client_as, world):
    ids = await _ids(world)
    liaison = await client_as(world.users["liaison"])
    for method, path, name in _routes(app):
        if method != "GET" or _power(name) != permissions.READ:
            continue
        url = _fill(path, ids)
        response = await liaison.get(url)
        assert response.status_code == 200, f"GET {url} -> {response.status_code}"


async def test_unknown_ids_give_404_on_every_get_route(app, client, world):
    ids = await _ids(world)
    for method, path, _name in _routes(app):
        if method != "GET" or "{" not in path:
            continue
        url = _fill(path, ids, missing=True)
        response = await client.get(url)
        assert response.status_code == 404, f"GET {url} -> {response.status_code}"
