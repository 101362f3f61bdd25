"""Admin commands: `python -m backend migrate|seed|run|check` (also `tandem ...`)."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys

from backend.config import ROOT, Settings


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
        return await seeding.load_demo()

    return await _with_database(settings, job)


def serve(settings: Settings) -> None:
    import uvicorn

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
    args = parser.parse_args(argv)
    settings = Settings.from_env()

    if args.command in ("migrate", "run"):
        if not asyncio.run(migrate()):
            print("Migrations failed", file=sys.stderr)
            return 1
    if args.command == "seed":
        print(asyncio.run(seed(settings, only_if_empty=args.if_empty)))
    if args.command == "run":
        print(asyncio.run(seed(settings, only_if_empty=True)))
        print(
            f"\nTandem is starting on http://{settings.host}:{settings.port}/\n"
            "Open that address in a browser: there is no sign-in yet, every page is open.\n"
        )
    if args.command in ("run", "serve"):
        serve(settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
