"""The account commands: create-admin, reset-password and users.

Plain (not async) tests: the commands run their own event loop, as from a shell.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace

import pytest

from backend import cli
from backend.accounts.passwords import verify_password
from backend.accounts.tables import User
from backend.config import Settings
from tests.factories import TEST_PASSWORD, make_people

ADMIN_PASSWORD = "granite river under autumn moon"


@pytest.fixture
def env(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("TANDEM_ENV", raising=False)
    return replace(Settings(), database_url=database_url)


def run_in_db(settings: Settings, job):
    """Run `job()` against the test database from sync code."""
    return asyncio.run(cli._with_database(settings, job))


def cli_main(monkeypatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(argv)


def user_row(settings: Settings, email: str) -> dict | None:
    async def job():
        rows = await User.select().where(User.email == email)
        return rows[0] if rows else None

    return run_in_db(settings, job)


@pytest.fixture
def people(env) -> dict[str, int]:
    async def job():
        from backend.initiatives.services import create_agency

        agency = await create_agency("Test Agency", "test-agency", "MA", "state")
        other = await create_agency("Other Agency", "other-agency", "CA", "county")
        return await make_people(agency, other)

    return run_in_db(env, job)


def test_create_admin_makes_a_site_admin_with_the_password(env, monkeypatch, capsys):
    status = cli_main(
        monkeypatch,
        ["create-admin", "--email", "Root@Example.org", "--name", "Rita Root", "--password-stdin"],
        ADMIN_PASSWORD + "\n",
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "Created site administrator Rita Root <root@example.org>" in out
    assert ADMIN_PASSWORD not in out
    user = user_row(env, "root@example.org")
    assert user["is_site_admin"] and user["active"] and user["name"] == "Rita Root"
    assert asyncio.run(verify_password(user["password_hash"], ADMIN_PASSWORD))


def test_create_admin_promotes_an_existing_user(env, people, monkeypatch, capsys):
    before = user_row(env, "viewer@test.example")
    assert not before["is_site_admin"]
    status = cli_main(
        monkeypatch,
        ["create-admin", "--email", "viewer@test.example", "--password-stdin"],
        ADMIN_PASSWORD + "\n",
    )
    assert status == 0
    assert "is now a site administrator" in capsys.readouterr().out
    after = user_row(env, "viewer@test.example")
    assert after["is_site_admin"]
    assert after["session_generation"] > before["session_generation"]
    assert asyncio.run(verify_password(after["password_hash"], ADMIN_PASSWORD))


def test_create_admin_refuses_a_weak_password_and_changes_nothing(env, monkeypatch, capsys):
    status = cli_main(
        monkeypatch,
        ["create-admin", "--email", "root@example.org", "--name", "Rita", "--password-stdin"],
        "password1234\n",
    )
    assert status == 1
    assert "too common" in capsys.readouterr().err
    assert user_row(env, "root@example.org") is None


def test_create_admin_needs_a_name_for_someone_new(env, monkeypatch, capsys):
    status = cli_main(
        monkeypatch,
        ["create-admin", "--email", "new@example.org", "--password-stdin"],
        ADMIN_PASSWORD + "\n",
    )
    assert status == 1 and "--name" in capsys.readouterr().err
    assert user_row(env, "new@example.org") is None


def test_create_admin_prompts_twice_and_refuses_a_mismatch(env, monkeypatch, capsys):
    answers = iter([ADMIN_PASSWORD, ADMIN_PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    status = cli.main(["create-admin", "--email", "root@example.org", "--name", "Rita Root"])
    assert status == 1 and "not the same" in capsys.readouterr().err
    assert user_row(env, "root@example.org") is None

    answers = iter([ADMIN_PASSWORD, ADMIN_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli.main(["create-admin", "--email", "root@example.org", "--name", "Rita Root"]) == 0
    assert user_row(env, "root@example.org")["is_site_admin"]


def test_reset_password_sets_the_new_one_and_ends_sessions(env, people, monkeypatch, capsys):
    before = user_row(env, "team_member@test.example")
    assert asyncio.run(verify_password(before["password_hash"], TEST_PASSWORD))
    status = cli_main(
        monkeypatch,
        ["reset-password", "--email", "TEAM_MEMBER@test.example", "--password-stdin"],
        "a brand new long passphrase\n",
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "Password reset for Team Member <team_member@test.example>" in out
    assert "a brand new long passphrase" not in out
    after = user_row(env, "team_member@test.example")
    assert not asyncio.run(verify_password(after["password_hash"], TEST_PASSWORD))
    assert asyncio.run(verify_password(after["password_hash"], "a brand new long passphrase"))
    # The old session's generation no longer matches: it is refused at its next request.
    assert after["session_generation"] == before["session_generation"] + 1


def test_reset_password_for_an_unknown_email_fails_clearly(env, monkeypatch, capsys):
    status = cli_main(
        monkeypatch,
        ["reset-password", "--email", "ghost@example.org", "--password-stdin"],
        ADMIN_PASSWORD + "\n",
    )
    assert status == 1
    assert "Nobody has an account" in capsys.readouterr().err


def test_users_lists_everyone_with_roles_as_an_aligned_table(env, people, monkeypatch, capsys):
    assert cli.main(["users"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0]
    assert header.split() == ["id", "email", "name", "site", "admin", "active", "TOTP", "agencies"]
    by_email = {line.split()[1]: line for line in lines[2:]}
    assert "test-agency (Agency lead)" in by_email["agency_lead@test.example"]
    assert "test-agency (liaison)" in by_email["liaison@test.example"]
    assert "other-agency (Agency lead)" in by_email["other_lead@test.example"]
    admin = by_email["admin@test.example"]
    assert admin.rstrip().endswith("-")
    # Aligned: every row's email column starts where the header's does.
    column = header.index("email")
    assert all(line[column - 2 : column] == "  " for line in lines[2:])
    assert len(lines) == 2 + len(people)


def test_users_on_an_empty_database_says_so(env, capsys):
    assert cli.main(["users"]) == 0
    assert "No users yet" in capsys.readouterr().out
