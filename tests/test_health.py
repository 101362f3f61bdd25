"""Health check, security headers and the error pages."""

from backend.accounts.tables import Agency


async def test_healthz_reports_ok_when_the_database_answers(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_is_503_when_the_database_is_unreachable(app, client, monkeypatch):
    from piccolo.engine.sqlite import SQLiteEngine

    unreachable = SQLiteEngine(path="/nonexistent-directory/tandem.sqlite3")
    monkeypatch.setattr(app.state.database, "engine", unreachable)
    response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


async def test_every_response_carries_security_headers_including_errors(client):
    for url in ("/initiatives", "/no-such-page"):
        response = await client.get(url)
        csp = response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"


async def test_unknown_page_gives_a_plain_404_page(client):
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Traceback" not in response.text


async def test_initiative_list_shows_each_agency_and_its_initiatives(client, world):
    response = await client.get("/initiatives")
    assert response.status_code == 200
    assert "Test Agency" in response.text and "Parent engagement" in response.text
    assert await Agency.count() == 2


async def test_initiative_overview_shows_stage_and_no_active_sprint(client, world):
    response = await client.get(f"/initiatives/{world.initiative_id}")
    assert response.status_code == 200
    assert "Intervention selection" in response.text
    assert "No sprint is active" in response.text


async def test_sqlite_pragmas_wal_foreign_keys_and_busy_timeout(app):
    if not app.state.database.is_sqlite:
        return
    engine = app.state.database.engine
    rows = await engine._run_in_new_connection("PRAGMA journal_mode")
    assert rows[0]["journal_mode"] == "wal"
    rows = await engine._run_in_new_connection("PRAGMA foreign_keys")
    assert rows[0]["foreign_keys"] == 1
    rows = await engine._run_in_new_connection("PRAGMA busy_timeout")
    assert rows[0]["timeout"] >= 5000
