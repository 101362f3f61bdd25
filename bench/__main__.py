"""`python -m bench`: board and backlog render times, query counts and card-move size by scale.

One run on a fresh temporary SQLite database: for each size the board (all
items in the active sprint) and the backlog (all items unplanned) are fetched
over httpx's ASGI transport, and compared with a bare floor (one SQL query and
a minimal template showing the same card fields) served by the same app.
Only ratios are judged (PERF-01..03); absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from jinja2 import Environment
from litestar import Litestar, MediaType, get
from litestar.params import FromPath

from backend import db
from backend.accounts import permissions
from backend.accounts import services as accounts
from backend.accounts.access import SESSION_COOKIE, save_new_session
from backend.app import create_app
from backend.cli import migrate_elsewhere
from backend.config import Settings
from backend.initiatives import services as initiatives
from backend.initiatives.tables import CIStage
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem, ItemBlock

try:
    from backend.scrum.backlog_queries import PER_PAGE
except ImportError:  # the paged backlog is not there yet: the floor pages as it will
    PER_PAGE = 50

BOARD_SIZES = (10, 500, 5_000)
BACKLOG_SIZES = (10, 500, 5_000, 10_000)
INSERT_CHUNK = 1_000  # rows per INSERT, under SQLite's limit on bound variables
MOVE_LIMIT_BYTES = 4_096  # PERF-02
FLOOR_LIMIT = 3.0  # PERF-03: a page within 3x its floor


# ---------------------------------------------------------------- the floor

FLOOR_COLUMNS = (
    BacklogItem.id,
    BacklogItem.kind,
    BacklogItem.title,
    BacklogItem.estimate,
    BacklogItem.status,
    BacklogItem.stage.short_name.as_alias("stage_short"),
    BacklogItem.assignee_name,
)
FLOOR_TEMPLATE = Environment(autoescape=True).from_string(
    "<!doctype html><title>floor</title><ul>{% for c in cards %}"
    "<li id=card-{{ c.id }}>{{ c.kind }} #{{ c.id }} {{ c.title }} {{ c.estimate }} "
    "{{ c.status }} {{ c.stage_short }} {{ c.assignee_name }}</li>{% endfor %}</ul>"
)


# The floor is bare on purpose: no session check, no agency check (public).
FLOOR_ROUTES = ("bench.floor_board", "bench.floor_backlog")


@get("/bench/floor/board/{initiative_id:int}", media_type=MediaType.HTML, name=FLOOR_ROUTES[0])
async def floor_board(initiative_id: FromPath[int]) -> str:
    cards = await (
        BacklogItem.select(*FLOOR_COLUMNS)
        .where((BacklogItem.initiative == initiative_id) & (BacklogItem.sprint.state == "active"))
        .order_by(BacklogItem.rank)
    )
    return FLOOR_TEMPLATE.render(cards=cards)


@get("/bench/floor/backlog/{initiative_id:int}", media_type=MediaType.HTML, name=FLOOR_ROUTES[1])
async def floor_backlog(initiative_id: FromPath[int]) -> str:
    cards = await (
        BacklogItem.select(*FLOOR_COLUMNS)
        .where(BacklogItem.initiative == initiative_id)
        .order_by(BacklogItem.rank)
        .limit(PER_PAGE)
    )
    return FLOOR_TEMPLATE.render(cards=cards)


# ---------------------------------------------------------------- data


async def bulk_items(
    initiative_id: int, count: int, sprint_id: int | None, columns: list[int], stages: list[int]
) -> list[int]:
    """Items straight into the table (the services would take minutes at 10,000):
    spread over columns, stages and kinds, every seventh one blocked."""
    ids: list[int] = []
    for first in range(0, count, INSERT_CHUNK):
        rows = [
            BacklogItem(
                initiative=initiative_id,
                title=f"Bench story {n}: test the engagement behaviours in one more office",
                kind="story" if n % 3 else "task",
                narrative="As a worker, I want ...",
                estimate=n % 5 or None,
                rank=(n + 1) * scrum.RANK_GAP,
                status=columns[n % len(columns)] if sprint_id else columns[0],
                stage=stages[n % len(stages)] if n % 5 else None,
                sprint=sprint_id,
                assignee_name="Sam Rivera" if n % 2 else "",
            )
            for n in range(first, min(count, first + INSERT_CHUNK))
        ]
        ids += [r["id"] for r in await BacklogItem.insert(*rows).returning(BacklogItem.id)]
    blocks = [ItemBlock(item=ids[n], blocker=ids[n - 1]) for n in range(1, len(ids), 7)]
    for first in range(0, len(blocks), INSERT_CHUNK):
        await ItemBlock.insert(*blocks[first : first + INSERT_CHUNK])
    return ids


@dataclass
class Scenario:
    initiative_id: int
    item_ids: list[int]
    columns: list[int]


async def board_world(agency_id: int, stages: list[int], size: int) -> Scenario:
    initiative_id = await initiatives.create_initiative(agency_id, f"Board of {size}")
    columns = [c["id"] for c in await scrum.columns_for(initiative_id)]
    sprint_id = await scrum.create_sprint(initiative_id, {"goal": "Bench"})
    await scrum.start_sprint(sprint_id)
    # Cards go in after the start: only To do, In progress and In review, so
    # every card can still move to Done.
    ids = await bulk_items(initiative_id, size, sprint_id, columns[:3], stages)
    return Scenario(initiative_id, ids, columns)


async def backlog_world(agency_id: int, stages: list[int], size: int) -> Scenario:
    initiative_id = await initiatives.create_initiative(agency_id, f"Backlog of {size}")
    columns = [c["id"] for c in await scrum.columns_for(initiative_id)]
    ids = await bulk_items(initiative_id, size, None, columns, stages)
    return Scenario(initiative_id, ids, columns)


# ---------------------------------------------------------------- measuring


@dataclass
class Measure:
    median_ms: float
    queries: int
    size_bytes: int


async def measure(client: httpx.AsyncClient, url: str, repeats: int) -> Measure:
    response = await client.get(url)  # warm-up (templates compiled, caches filled)
    assert response.status_code == 200, (url, response.status_code, response.text[:500])
    with db.count_statements() as counter:
        response = await client.get(url)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = await client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return Measure(statistics.median(times), counter.count, len(response.content))


async def measure_move(client: httpx.AsyncClient, url: str, scenario: Scenario) -> Measure:
    token = client.cookies.get("csrftoken")
    headers = {"HX-Request": "true", "x-csrftoken": token}
    started = time.perf_counter()
    with db.count_statements() as counter:
        response = await client.post(url, data={"column": scenario.columns[-1]}, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (response.status_code, response.text[:500])
    return Measure(elapsed, counter.count, len(response.content))


def repeats_for(size: int, base: int) -> int:
    return base if size <= 500 else max(3, base // 2)


async def run(base_repeats: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        migrate_elsewhere(url)
        app = create_app(replace(Settings(), database_url=url))
        # create_app logs every request at INFO; keep the report readable.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        for name in FLOOR_ROUTES:
            permissions.ROUTE_POWERS[name] = permissions.PUBLIC
        app.register(floor_board)
        app.register(floor_backlog)
        for hook in app.on_startup:
            await hook(app)
        try:
            return await _measure_all(app, base_repeats)
        finally:
            for hook in app.on_shutdown:
                await hook(app)


async def _measure_all(app: Litestar, base_repeats: int) -> bool:
    print("Building the data ...", file=sys.stderr)
    agency_id = await initiatives.create_agency("Bench Agency", "bench-agency", "MA")
    stages = [s["id"] for s in await CIStage.select(CIStage.id).where(CIStage.agency == agency_id)]
    boards = {n: await board_world(agency_id, stages, n) for n in BOARD_SIZES}
    backlogs = {n: await backlog_world(agency_id, stages, n) for n in BACKLOG_SIZES}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        await client.get("/healthz")  # sets the CSRF cookie
        await sign_in_as_lead(app, client, agency_id)
        results: list[tuple[str, int, Measure, Measure]] = []
        for page, worlds, sizes in (
            ("board", boards, BOARD_SIZES),
            ("backlog", backlogs, BACKLOG_SIZES),
        ):
            for size in sizes:
                print(f"Measuring the {page} with {size:,} items ...", file=sys.stderr)
                initiative_id = worlds[size].initiative_id
                repeats = repeats_for(size, base_repeats)
                page_url = app.route_reverse(f"scrum.{page}", initiative_id=initiative_id)
                real = await measure(client, page_url, repeats)
                floor = await measure(client, f"/bench/floor/{page}/{initiative_id}", repeats)
                results.append((page, size, real, floor))
        moves: dict[int, Measure] = {}
        for n in (BOARD_SIZES[0], BOARD_SIZES[-1]):
            item_id = boards[n].item_ids[len(boards[n].item_ids) // 2]
            move_url = app.route_reverse("scrum.item_move", item_id=item_id)
            moves[n] = await measure_move(client, move_url, boards[n])
    return report(results, moves)


async def sign_in_as_lead(app: Litestar, client: httpx.AsyncClient, agency_id: int) -> None:
    """A session straight in the store: the pages pay for checking it on every
    request, as in real use, without an argon2 sign-in in the measurement."""
    user = await accounts.create_user("Bench Lead", "lead@bench.example")
    await accounts.set_membership(user, agency_id, "agency_lead")
    client.cookies.set(SESSION_COOKIE, await save_new_session(app.state.store, user, 1))


# ---------------------------------------------------------------- report


def report(results: list[tuple[str, int, Measure, Measure]], moves: dict[int, Measure]) -> bool:
    """Print the table and the PERF findings; True when a finding is over budget."""
    print()
    header = (
        f"{'page':<8} {'items':>7} {'median ms':>10} {'x smallest':>11} {'queries':>8} "
        f"{'KB':>8} {'floor ms':>9} {'x floor':>8}"
    )
    print(header)
    print("-" * len(header))
    smallest: dict[str, tuple[int, Measure]] = {}
    findings: list[str] = []
    for page, size, real, floor in results:
        base_size, base = smallest.setdefault(page, (size, real))
        growth = real.median_ms / base.median_ms
        print(
            f"{page:<8} {size:>7,} {real.median_ms:>10.1f} {growth:>11.1f} "
            f"{real.queries:>8} {real.size_bytes / 1024:>8.1f} {floor.median_ms:>9.1f} "
            f"{real.median_ms / floor.median_ms:>8.1f}"
        )
        if real.queries != base.queries:
            findings.append(
                f"PERF-01: {page} sends {real.queries} queries at {size:,} items "
                f"but {base.queries} at {base_size:,}"
            )
    for page, size, real, floor in results:
        if (page, size) in (("board", 500), ("backlog", 10_000)):
            ratio = real.median_ms / floor.median_ms
            verdict = "within" if ratio <= FLOOR_LIMIT else "OVER"
            findings.append(
                f"PERF-03: {page} of {size:,} items renders in {ratio:.1f}x its floor "
                f"({verdict} the {FLOOR_LIMIT:.0f}x budget)"
            )
    print()
    if not moves:
        print("(no card move measured)")
    else:
        print(f"{'card move (htmx)':<20} {'bytes':>7} {'queries':>8} {'ms':>7}")
    for size, move in moves.items():
        print(f"board of {size:<11,} {move.size_bytes:>7} {move.queries:>8} {move.median_ms:>7.1f}")
        verdict = "under" if move.size_bytes < MOVE_LIMIT_BYTES else "OVER"
        findings.append(
            f"PERF-02: a card move on a board of {size:,} answers {move.size_bytes} bytes "
            f"({verdict} {MOVE_LIMIT_BYTES} bytes)"
        )
    sizes = sorted(moves)
    if sizes and moves[sizes[0]].queries != moves[sizes[-1]].queries:
        findings.append("PERF-01: a card move's query count grows with the board")
    print()
    for line in findings:
        print(line)
    return any("OVER" in f or "grows" in f or "queries at" in f for f in findings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--repeats", type=int, default=9, help="timed requests per page (halved above 500 items)"
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a PERF ratio is over its budget"
    )
    args = parser.parse_args(argv)
    over_budget = asyncio.run(run(max(1, args.repeats)))
    return 1 if over_budget and args.strict else 0


if __name__ == "__main__":
    raise SystemExit(main())
