"""The rest of the security baseline, one test (or a few) per SEC id of QUALITY.md.

Covered elsewhere: SEC-01, 03-07, 15 (next=) and 16 in test_sign_in.py; SEC-08 and
the GET half of SEC-09 in tests/test_route_walk.py; SEC-12 for stories in
tests/scrum/test_item_pages.py; browser storage (SEC-11) in tests/e2e.
"""

from __future__ import annotations

import csv
import io
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.accounts import passwords
from backend.initiatives.tables import Initiative
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem
from tests.factories import make_items
from tests.scrum.test_item_pages import edit_form

# ---------------------------------------------------------------- SEC-02 password rules

# Text that is not a known weak pattern: no repeats of a short unit, any Unicode.
_varied = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=12, max_size=128
).filter(lambda p: len(set(p)) >= 6)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_varied)
def test_any_varied_password_of_12_to_128_characters_is_accepted(password):
    assert passwords.password_problem(password) is None


@given(st.text(min_size=0, max_size=11))
def test_shorter_than_12_characters_is_refused_with_a_clear_message(password):
    assert passwords.password_problem(password) == "Enter a password of at least 12 characters"


@given(st.text(alphabet=string.ascii_letters, min_size=129, max_size=300))
def test_longer_than_128_characters_is_refused(password):
    assert passwords.password_problem(password) == "Enter a password of at most 128 characters"


def test_common_passwords_are_refused_with_a_clear_message():
    for weak in (
        "qwerty123456",
        "1q2w3e4r5t6y",
        "password1234",
        "Password2024!",
        "aaaaaaaaaaaa",
        "abcabcabcabc",
        "iloveyou1234567",
    ):
        assert passwords.password_problem(weak) == (
            "This password is too common or too easy to guess: choose another"
        ), weak


def test_the_persons_own_name_or_email_is_refused():
    problem = passwords.password_problem("marisol2026!!", context=("Marisol Vega", "marisol@x.org"))
    assert problem is not None


async def test_a_128_character_unicode_password_is_kept_unchanged():
    password = ("Ünïcödé ✓ пароль 密码 " * 10)[:128]
    assert len(password) == 128 and passwords.password_problem(password) is None
    stored = await passwords.hash_password(password)
    assert await passwords.verify_password(stored, password)
    # No truncation: the same text one character shorter does not match.
    assert not await passwords.verify_password(stored, password[:127])


# ---------------------------------------------------------------- SEC-09 CSRF


async def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(client, world):
    before = await BacklogItem.count()
    response = await client.post(
        f"/initiatives/{world.initiative_id}/items/new", data={"title": "No token"}
    )
    assert response.status_code == 403
    assert await BacklogItem.count() == before


async def test_an_api_write_from_a_browser_session_needs_the_csrf_header(client, world):
    before = await BacklogItem.count()
    url = f"/api/initiatives/{world.initiative_id}/items"
    refused = await client.post(url, json={"title": "No header"})
    assert refused.status_code == 403
    forged = await client.post(url, json={"title": "Forged"}, headers={"x-csrftoken": "x" * 80})
    assert forged.status_code == 403
    assert await BacklogItem.count() == before
    ok = await client.send_json("POST", url, {"title": "With header"})
    assert ok.status_code == 201


# ---------------------------------------------------------------- SEC-10, SEC-15 errors


async def test_a_server_error_is_a_plain_page_with_the_security_headers(client, world, monkeypatch):
    from backend.initiatives import controllers

    async def broken(initiative_id):
        raise RuntimeError("secret internals: /etc/passwd")

    monkeypatch.setattr(controllers, "initiative_or_404", broken)
    response = await client.get(f"/initiatives/{world.initiative_id}")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text and "secret internals" not in response.text
    csp = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert directive in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]


async def test_hsts_is_sent_outside_local_development_only(settings, client):
    from dataclasses import replace

    import httpx

    from backend.app import create_app

    local = await client.get("/sign-in")
    assert "strict-transport-security" not in local.headers
    app = create_app(replace(settings, env="production", secret_key="s" * 40))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as c:
        for url in ("/sign-in", "/nope"):
            response = await c.get(url)
            assert "max-age=" in response.headers["strict-transport-security"]


# ---------------------------------------------------------------- SEC-11 caching


async def test_signed_in_pages_and_api_answers_are_never_cached(client, world):
    for url in (f"/initiatives/{world.initiative_id}/board", "/account", "/api/initiatives"):
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "no-store", url


# ---------------------------------------------------------------- SEC-12 XSS

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


async def test_hostile_text_in_an_initiative_comes_back_inert(client, world):
    initiative = (await Initiative.select().where(Initiative.id == world.initiative_id))[0]
    response = await client.post_form(
        f"/initiatives/{world.initiative_id}/edit",
        {
            "title": HOSTILE,
            "problem_area": HOSTILE,
            "product_goal": HOSTILE + "\n\n[x](javascript:alert(3))",
            "version": initiative["version"],
        },
    )
    assert response.status_code == 303
    for url in (
        f"/initiatives/{world.initiative_id}",
        "/initiatives",
        f"/agencies/{world.agency_id}",
    ):
        page = (await client.get(url)).text
        assert "<script>alert(1)" not in page and "<img src=x" not in page, url
        assert 'href="javascript:' not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url


# ---------------------------------------------------------------- SEC-13 allowlists


async def test_unknown_filter_and_paging_values_are_ignored_not_errors(client, world):
    await make_items(world.initiative_id, 3)
    weird = [
        "?stage=1;DROP TABLE backlog_item",
        "?kind=' OR 1=1 --",
        "?sprint=99999999999999",
        "?page=-5",
        "?sort=title;DELETE&order=sideways",
        "?q=%27%22%3B--",
    ]
    for query in weird:
        page = await client.get(f"/initiatives/{world.initiative_id}/backlog{query}")
        assert page.status_code in (200, 400), query
        api = await client.get(f"/api/initiatives/{world.initiative_id}/items{query}")
        assert api.status_code in (200, 400, 422), query
    assert await BacklogItem.count() == 3


# ---------------------------------------------------------------- SEC-14 mass assignment


async def test_fields_a_form_does_not_offer_are_ignored(client, world):
    (item_id,) = await make_items(world.initiative_id, 1)
    item = await scrum.get_item(item_id)
    response = await client.post_form(
        f"/items/{item_id}/edit",
        edit_form(
            item,
            title="Renamed",
            initiative=world.other_initiative_id,
            initiative_id=world.other_initiative_id,
            agency_id=world.other_agency_id,
            role="agency_lead",
            id=999,
        ),
    )
    assert response.status_code == 303
    saved = await scrum.get_item(item_id)
    assert saved["title"] == "Renamed"
    assert saved["initiative"] == world.initiative_id and saved["id"] == item_id


async def test_api_bodies_cannot_move_an_item_to_another_initiative(client, world):
    (item_id,) = await make_items(world.initiative_id, 1)
    item = await scrum.get_item(item_id)
    response = await client.send_json(
        "PATCH",
        f"/api/items/{item_id}",
        {
            "title": "Via API",
            "version": item["version"],
            "initiative_id": world.other_initiative_id,
            "agency_id": world.other_agency_id,
        },
    )
    assert response.status_code == 200
    saved = await scrum.get_item(item_id)
    assert saved["title"] == "Via API" and saved["initiative"] == world.initiative_id


# ---------------------------------------------------------------- SEC-17 CSV


async def test_csv_export_neutralises_formulas(client, world):
    for title in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "Plain title"):
        await scrum.create_item(world.initiative_id, {"title": title})
    response = await client.get(f"/initiatives/{world.initiative_id}/backlog.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:4] == ["Position", "Id", "Kind", "Title"]
    titles = [r[3] for r in rows[1:]]
    assert titles == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "Plain title"]


async def test_an_export_is_a_logged_security_event(client, world, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="tandem.security")
    await client.get(f"/initiatives/{world.initiative_id}/backlog.csv")
    lines = [r.getMessage() for r in caplog.records if r.name == "tandem.security"]
    assert any('event="export"' in line and 'what="backlog"' in line for line in lines)


async def test_another_agencys_backlog_cannot_be_exported(client, world):
    response = await client.get(f"/initiatives/{world.other_initiative_id}/backlog.csv")
    assert response.status_code == 404
