"""Admin commands: `python -m backend migrate|seed|run|serve|create-admin|reset-password|users`
and `send-digests` (also `tandem ...`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import subprocess
import sys

from backend.config import ROOT, Settings
from backend.errors import DomainError


def _prepare_piccolo() -> None:
    # The piccolo CLI machinery imports `piccolo_conf` from the project root.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")


async def migrate() -> bool:
    _prepare_piccolo()
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards("all")
    return result.success


def migrate_elsewhere(url: str) -> None:
    """Migrate the database at `url` from a new process.

    piccolo reads its engine from piccolo_conf (DATABASE_URL) once per process,
    so tests and the bench, which migrate throwaway databases, run a child.
    """
    result = subprocess.run(
        [sys.executable, "-m", "backend", "migrate"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrations failed:\n{result.stdout}\n{result.stderr}")


async def _with_database(settings: Settings, job):
    from backend.db import Database

    database = Database(settings.database_url)
    await database.startup()
    try:
        return await job()
    finally:
        await database.shutdown()


async def seed(settings: Settings, only_if_empty: bool) -> str:
    from backend import seeding

    async def job():
        if only_if_empty and not await seeding.database_is_empty():
            return "The database already has data: demo world not loaded."
        return await seeding.load_demo(local=settings.is_local)

    return await _with_database(settings, job)


class CommandError(Exception):
    """A command could not do what was asked; the message says why (exit status 1)."""


def read_password(from_stdin: bool, context: tuple[str, ...]) -> str:
    """The new password from one line of stdin, or typed twice without echo."""
    import getpass

    from backend.accounts.passwords import password_problem

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("New password: ")
        if getpass.getpass("Type it again: ") != password:
            raise CommandError("The two passwords are not the same: nothing was changed.")
    problem = password_problem(password, context=context)
    if problem:
        raise CommandError(f"{problem}. Nothing was changed.")
    return password


def _normal_email(raw: str) -> str:
    email = raw.strip().lower()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise CommandError(f"{raw!r} is not an email address.")
    return email


async def _find_user(email: str) -> dict | None:
    from backend.accounts.tables import User

    rows = await User.select(User.id, User.name, User.is_site_admin).where(User.email == email)
    return rows[0] if rows else None


async def create_admin(
    settings: Settings, email: str, name: str | None, password_from_stdin: bool
) -> str:
    """Create a site admin, or promote an existing user; either way set their password."""
    from backend.accounts import services
    from backend.accounts.passwords import hash_password

    email = _normal_email(email)

    async def job():
        user = await _find_user(email)
        if user is None and not (name and name.strip()):
            raise CommandError("--name is needed to create a new user.")
        display = user["name"] if user else name.strip()
        password_hash = await hash_password(read_password(password_from_stdin, (display, email)))
        if user is None:
            await services.create_user(display, email, password_hash, is_site_admin=True)
            return (
                f"Created site administrator {display} <{email}>. "
                "They set up an authenticator app when they first sign in."
            )
        await services.make_site_admin(user["id"])
        await services.set_password(user["id"], password_hash)
        was = "was already" if user["is_site_admin"] else "is now"
        return (
            f"{display} <{email}> {was} a site administrator; their password is set "
            "and their sessions have ended."
        )

    return await _with_database(settings, job)


async def reset_password(settings: Settings, email: str, password_from_stdin: bool) -> str:
    from backend.accounts import services
    from backend.accounts.passwords import hash_password

    email = _normal_email(email)

    async def job():
        user = await _find_user(email)
        if user is None:
            raise CommandError(f"Nobody has an account with the email address {email}.")
        password = read_password(password_from_stdin, (user["name"], email))
        await services.set_password(user["id"], await hash_password(password))
        return f"Password reset for {user['name']} <{email}>; every session of theirs has ended."

    return await _with_database(settings, job)


async def list_users(settings: Settings) -> str:
    """Every user as an aligned text table: two queries whatever the number of users."""
    from backend.accounts.permissions import ROLE_LABELS
    from backend.accounts.tables import LiaisonAssignment, Membership, User

    async def job():
        users = await User.select(
            User.id, User.email, User.name, User.is_site_admin, User.active
        ).order_by(User.id)
        with_totp = {r["id"] for r in await User.select(User.id).where(User.totp_secret != "")}
        places: dict[int, list[str]] = {}
        memberships = await Membership.select(
            Membership.user,
            Membership.role,
            Membership.active,
            Membership.agency.slug.as_alias("agency"),
        ).order_by(Membership.agency.slug)
        for m in memberships:
            note = "" if m["active"] else ", inactive"
            label = ROLE_LABELS.get(m["role"], m["role"])
            places.setdefault(m["user"], []).append(f"{m['agency']} ({label}{note})")
        liaisons = await LiaisonAssignment.select(
            LiaisonAssignment.user, LiaisonAssignment.agency.slug.as_alias("agency")
        ).order_by(LiaisonAssignment.agency.slug)
        for a in liaisons:
            places.setdefault(a["user"], []).append(f"{a['agency']} (liaison)")
        header = ("id", "email", "name", "site admin", "active", "TOTP", "agencies")
        rows = [
            (
                str(u["id"]),
                u["email"],
                u["name"],
                "yes" if u["is_site_admin"] else "no",
                "yes" if u["active"] else "no",
                "on" if u["id"] in with_totp else "off",
                "; ".join(places.get(u["id"], [])) or "-",
            )
            for u in users
        ]
        if not rows:
            return "No users yet. Create one with: python -m backend create-admin"
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in [header, *rows]
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    return await _with_database(settings, job)


async def how_to_sign_in(settings: Settings) -> str:
    """The demo people (and, in local development only, their password), or how to
    make a first site administrator when there are no demo people."""
    from seeds.people import any_present, sign_in_help

    if await _with_database(settings, any_present):
        return "\n" + sign_in_help(settings)
    return (
        f"\nTandem is starting on http://{settings.host}:{settings.port}/\n"
        "Open that address in a browser and sign in. To add a site administrator:\n"
        "  python -m backend create-admin --email you@example.org --name 'Your Name'\n"
    )


async def send_digests(settings: Settings) -> str:
    """Send the email digests due now (backend/reviews/digest.py); safe to run as
    often as cron likes: what was sent is recorded, so a second run sends nothing."""
    from backend.reviews.digest import send_due_digests

    async def job():
        return (await send_due_digests(settings)).summary()

    return await _with_database(settings, job)


class _HideInvitationTokens(logging.Filter):
    """An invitation link is a credential until used: keep it out of the access log (SEC-16)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                INVITATION_PATH.sub("/invitations/[hidden]", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


INVITATION_PATH = re.compile(r"/invitations/[^/?\s\"]+")


def serve(settings: Settings) -> None:
    import uvicorn

    logging.getLogger("uvicorn.access").addFilter(_HideInvitationTokens())
    uvicorn.run(
        "backend.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        proxy_headers=False,
        log_level="info",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tandem", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations")
    seed_parser = sub.add_parser("seed", help="load the demo world from seeds/")
    seed_parser.add_argument(
        "--if-empty", action="store_true", help="only when the database has no agencies"
    )
    sub.add_parser("run", help="migrate, seed an empty database, and serve")
    sub.add_parser("serve", help="serve without migrating")
    admin_parser = sub.add_parser(
        "create-admin", help="create a site administrator, or make an existing user one"
    )
    admin_parser.add_argument("--email", required=True)
    admin_parser.add_argument("--name", help="needed when the user does not exist yet")
    reset_parser = sub.add_parser("reset-password", help="set a user's password, ending sessions")
    reset_parser.add_argument("--email", required=True)
    for p in (admin_parser, reset_parser):
        p.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of stdin instead of prompting",
        )
    sub.add_parser("users", help="list users, their roles and agencies")
    sub.add_parser(
        "send-digests", help="email the notification digests due now (run it hourly from cron)"
    )
    args = parser.parse_args(argv)
    settings = Settings.from_env()

    if args.command in ("create-admin", "reset-password", "users"):
        try:
            if args.command == "create-admin":
                job = create_admin(settings, args.email, args.name, args.password_stdin)
            elif args.command == "reset-password":
                job = reset_password(settings, args.email, args.password_stdin)
            else:
                job = list_users(settings)
            print(asyncio.run(job))
        except CommandError as exc:
            print(exc, file=sys.stderr)
            return 1
        except DomainError as exc:  # e.g. the email was taken a moment ago
            details = "; ".join(getattr(exc, "errors", {}).values()) or exc.message
            print(f"{details}. Nothing was changed.", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\nCancelled: nothing was changed.", file=sys.stderr)
            return 1
        return 0

    if args.command == "send-digests":
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        print(asyncio.run(send_digests(settings)))
        return 0

    if args.command in ("migrate", "run"):
        if not asyncio.run(migrate()):
            print("Migrations failed", file=sys.stderr)
            return 1
    if args.command == "seed":
        print(asyncio.run(seed(settings, only_if_empty=args.if_empty)))
    if args.command == "run":
        print(asyncio.run(seed(settings, only_if_empty=True)))
        print(asyncio.run(how_to_sign_in(settings)))
    if args.command in ("run", "serve"):
        serve(settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
