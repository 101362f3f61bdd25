"""Reads behind the backlog page: filters, one page of ranked rows, blocked state.

Every read here is a fixed number of queries whatever the number of rows
(PERF-01): stage, sprint and status come through joins, blockers for the
whole page in one query, traceability links in another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

from piccolo.columns.combination import WhereRaw

from backend import db
from backend.scrum.tables import ITEM_KINDS, BacklogItem, ItemBlock, Sprint
from backend.traceability import queries as traceability
from backend.web.forms import digits, row_id

PER_PAGE = 50
MAX_PAGE = 999_999  # past any real backlog; keeps OFFSET small enough for both databases
QUERY_MAX = 200  # a title is at most 200 characters, so a longer search finds nothing new

ROW_COLUMNS = (
    BacklogItem.id,
    BacklogItem.kind,
    BacklogItem.title,
    BacklogItem.estimate,
    BacklogItem.rank,
    BacklogItem.version,
    BacklogItem.stage,
    BacklogItem.stage.name.as_alias("stage_name"),
    BacklogItem.stage.short_name.as_alias("stage_short_name"),
    BacklogItem.stage.position.as_alias("stage_position"),
    BacklogItem.sprint,
    BacklogItem.sprint.number.as_alias("sprint_number"),
    BacklogItem.sprint.state.as_alias("sprint_state"),
    BacklogItem.status.name.as_alias("status_name"),
    BacklogItem.initiative.trace_rule.as_alias("trace_rule"),
)

# Position of each open item in its initiative's ranked backlog. A window
# function keeps it one query whatever the filters; the outer WHERE narrows
# it to the ranks shown on the page. The text is constant: values are bound.
POSITIONS_SQL = (
    "SELECT ranked.id AS id, ranked.pos AS pos FROM ("
    " SELECT b.id AS id, b.rank AS rank, ROW_NUMBER() OVER (ORDER BY b.rank) AS pos"
    " FROM backlog_item b JOIN board_column c ON c.id = b.status"
    " WHERE b.initiative = {} AND NOT c.is_done"
    ") ranked WHERE ranked.rank BETWEEN {} AND {}"
)


def _id_or_blank(raw: Any, *, allow_none: bool) -> str:
    """A filter value that is an id ("12"), "none" where allowed, or blank."""
    value = raw.strip() if isinstance(raw, str) else ""
    if allow_none and value == "none":
        return value
    if row_id(value) is not None:
        return str(row_id(value))
    return ""


@dataclass(frozen=True)
class BacklogFilters:
    """What the backlog shows: each filter is blank (any), "none" or a value."""

    q: str = ""
    stage: str = ""
    kind: str = ""
    sprint: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> BacklogFilters:
        """Read filters from query parameters; values that make no sense are ignored."""
        q = params.get("q")
        kind = params.get("kind")
        page = params.get("page")
        return cls(
            # PostgreSQL text cannot hold NUL, and no title contains one.
            q=q.replace("\x00", "").strip()[:QUERY_MAX] if isinstance(q, str) else "",
            stage=_id_or_blank(params.get("stage"), allow_none=True),
            kind=kind if kind in ITEM_KINDS else "",
            sprint=_id_or_blank(params.get("sprint"), allow_none=True),
            page=min(digits(page) or 1, MAX_PAGE),
        )

    @classmethod
    def from_url(cls, url: str) -> BacklogFilters:
        from urllib.parse import parse_qsl

        return cls.parse(dict(parse_qsl(urlsplit(url).query)))

    @property
    def active(self) -> bool:
        return bool(self.q or self.stage or self.kind or self.sprint)

    def query(self, page: int | None = None) -> str:
        """The query string for these filters (and a page), "" when there is nothing."""
        pairs = [(k, getattr(self, k)) for k in ("q", "stage", "kind", "sprint")]
        page = self.page if page is None else page
        if page > 1:
            pairs.append(("page", str(page)))
        return urlencode([(k, v) for k, v in pairs if v])

    def on_page(self, page: int) -> BacklogFilters:
        return replace(self, page=page)


@dataclass
class BacklogPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    per_page: int = PER_PAGE
    page_links: list[int | None] = field(default_factory=list)

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)


def _open_items(initiative_id: int):
    return (BacklogItem.initiative == initiative_id) & (
        BacklogItem.status.is_done == False  # noqa: E712 - piccolo builds SQL from ==
    )


def _where(initiative_id: int, filters: BacklogFilters):
    where = _open_items(initiative_id)
    if filters.stage == "none":
        where &= BacklogItem.stage.is_null()
    elif filters.stage:
        where &= BacklogItem.stage == int(filters.stage)
    if filters.sprint == "none":
        where &= BacklogItem.sprint.is_null()
    elif filters.sprint:
        where &= BacklogItem.sprint == int(filters.sprint)
    if filters.kind:
        where &= BacklogItem.kind == filters.kind
    if filters.q:
        where &= _title_contains(filters.q)
    return where


def _title_contains(text: str) -> WhereRaw:
    """Titles containing `text` literally, ignoring case: "%" and "_" are not wildcards."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # SQLite's LIKE ignores ASCII case already; PostgreSQL needs ILIKE.
    operator = "LIKE" if db.active().is_sqlite else "ILIKE"
    return WhereRaw(f"backlog_item.title {operator} {{}} ESCAPE '\\'", f"%{escaped}%")


def page_links(page: int, pages: int) -> list[int | None]:
    """First, last and two either side of the current page; None marks a gap."""
    wanted = {1, pages, *range(page - 2, page + 3)}
    shown = sorted(p for p in wanted if 1 <= p <= pages)
    links: list[int | None] = []
    for p in shown:
        if links and links[-1] is not None and p - links[-1] > 1:
            links.append(None)
        links.append(p)
    return links


async def blocked_by(item_ids: list[int]) -> dict[int, list[int]]:
    """item id -> ids of its blockers that are not done yet (one query)."""
    if not item_ids:
        return {}
    rows = await ItemBlock.select(
        ItemBlock.item,
        ItemBlock.blocker,
        ItemBlock.blocker.status.is_done.as_alias("done"),
    ).where(ItemBlock.item.is_in(item_ids))
    out: dict[int, list[int]] = {}
    for r in sorted(rows, key=lambda r: r["blocker"]):
        if not r["done"]:
            out.setdefault(r["item"], []).append(r["blocker"])
    return out


def _decorate(rows: list[dict[str, Any]], blocks: dict[int, list[int]]) -> None:
    for row in rows:
        row["blocked_by"] = blocks.get(row["id"], [])
        if row["stage"] is not None:
            row["stage_label"] = (
                f"{row['stage_position']}. {row['stage_short_name'] or row['stage_name']}"
            )
        else:
            row["stage_label"] = None


async def backlog_page(initiative_id: int, filters: BacklogFilters) -> BacklogPage:
    """One page of the initiative's open items in rank order, with their positions."""
    where = _where(initiative_id, filters)
    total = await BacklogItem.count().where(where)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(filters.page, 1), pages)
    rows = await (
        BacklogItem.select(*ROW_COLUMNS)
        .where(where)
        .order_by(BacklogItem.rank)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    _decorate(rows, await blocked_by([r["id"] for r in rows]))
    await traceability.annotate(rows)  # component chips, findings, flag: one query
    if rows and filters.active:
        # Filtered rows are not contiguous in the backlog: ask for positions.
        found = await BacklogItem.raw(
            POSITIONS_SQL, initiative_id, rows[0]["rank"], rows[-1]["rank"]
        )
        positions = {r["id"]: r["pos"] for r in found}
        for row in rows:
            row["position"] = positions.get(row["id"])
    else:
        for n, row in enumerate(rows):
            row["position"] = (page - 1) * PER_PAGE + n + 1
    return BacklogPage(rows, total, page, pages, page_links=page_links(page, pages))


async def backlog_export_rows(initiative_id: int, filters: BacklogFilters) -> list[dict[str, Any]]:
    """Every open item matching the filters, in rank order (no paging: a download)."""
    return await (
        BacklogItem.select(*ROW_COLUMNS)
        .where(_where(initiative_id, filters))
        .order_by(BacklogItem.rank)
    )


async def backlog_row(item_id: int) -> dict[str, Any] | None:
    """One row as the backlog shows it (for swapping a single row)."""
    rows = await BacklogItem.select(*ROW_COLUMNS, BacklogItem.initiative).where(
        BacklogItem.id == item_id
    )
    if not rows:
        return None
    row = rows[0]
    _decorate(rows, await blocked_by([item_id]))
    await traceability.annotate(rows)
    ahead = await BacklogItem.count().where(
        _open_items(row["initiative"]) & (BacklogItem.rank < row["rank"])
    )
    row["position"] = ahead + 1
    return row


async def sprint_choices(initiative_id: int) -> list[dict[str, Any]]:
    """Every sprint of the initiative, by number, with its state."""
    return await (
        Sprint.select(Sprint.id, Sprint.number, Sprint.state, Sprint.goal)
        .where(Sprint.initiative == initiative_id)
        .order_by(Sprint.number)
    )


def sprint_label(sprint: Mapping[str, Any]) -> str:
    return f"Sprint {sprint['number']} ({sprint['state']})"
