"""The liaison portfolio: every initiative of the agencies a person may see in one table,
sorted and filtered by the server (links and a GET form, so no JavaScript is needed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.response import Template

from backend import clock
from backend.portfolio import queries
from backend.portfolio.queries import Row
from backend.web.forms import row_id


def _none_last(value: Any, descending: bool) -> tuple:
    """Empty cells sort after the others whichever way the column runs."""
    missing = value is None
    return (missing != descending, value if not missing else 0)


# SEC-13: the columns one may sort by, and what each sorts on.
SORTS = {
    "agency": ("Agency", lambda r: r.agency_name.casefold()),
    "initiative": ("Initiative", lambda r: r.title.casefold()),
    "stage": ("C&I stage", lambda r: r.stage_position),
    "stage_days": ("Time in stage", lambda r: r.stage_days),
    "sprint": ("Active sprint", lambda r: None if r.burndown_behind is None else r.burndown_behind),
    "velocity": ("Last sprint's velocity", lambda r: r.velocity),
    "reviews": ("Open review items", lambda r: len(r.reviews)),
    "fidelity": (
        "Fidelity trend",
        lambda r: r.fidelity_latest.percent if r.fidelity_latest else None,
    ),
    "signals": ("Run-chart signals (90 days)", lambda r: r.signal_count),
    "pip": ("PIP activities behind", lambda r: len(r.pip_behind) if r.pip_id else None),
}
DEFAULT_SORT = "agency"


@dataclass
class View:
    """What the query string asks for; anything not offered is ignored (SEC-13)."""

    sort: str = DEFAULT_SORT
    descending: bool = False
    agency: int | None = None
    with_reviews: bool = False
    only_behind: bool = False

    @classmethod
    def parse(cls, params: Any, agencies: list[tuple[int, str]]) -> View:
        sort = params.get("sort")
        agency = row_id(params.get("agency") if isinstance(params.get("agency"), str) else None)
        return cls(
            sort=sort if sort in SORTS else DEFAULT_SORT,
            descending=params.get("dir") == "desc",
            agency=agency if agency in {a for a, _ in agencies} else None,
            with_reviews=params.get("reviews") == "1",
            only_behind=params.get("behind") == "1",
        )

    @property
    def filtered(self) -> bool:
        return bool(self.agency or self.with_reviews or self.only_behind)

    def keep(self, row: Row) -> bool:
        if self.agency and row.agency_id != self.agency:
            return False
        if self.with_reviews and not row.reviews:
            return False
        return not (self.only_behind and not row.behind)

    def order(self, rows: list[Row]) -> list[Row]:
        key = SORTS[self.sort][1]
        # Ties keep agency then initiative order: sort by those first (sorts are stable).
        rows = sorted(rows, key=lambda r: (r.agency_name.casefold(), r.title.casefold()))
        return sorted(
            rows, key=lambda r: _none_last(key(r), self.descending), reverse=self.descending
        )

    def query(self, **changes: Any) -> str:
        """The query string of this view with some values changed."""
        values = {
            "sort": self.sort,
            "dir": "desc" if self.descending else "asc",
            "agency": self.agency or "",
            "reviews": "1" if self.with_reviews else "",
            "behind": "1" if self.only_behind else "",
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def headers(self) -> list[dict[str, Any]]:
        """Each column's label, its aria-sort and the link that sorts by it (the sorted
        column's link turns the order round)."""
        out = []
        for key, (label, _) in SORTS.items():
            current = key == self.sort
            descending = not self.descending if current else False
            out.append(
                {
                    "key": key,
                    "label": label,
                    "aria_sort": ("descending" if self.descending else "ascending")
                    if current
                    else None,
                    "query": self.query(sort=key, dir="desc" if descending else "asc"),
                    "next": "descending" if descending else "ascending",
                }
            )
        return out


@get("/portfolio", name="portfolio.index")
async def portfolio(request: Request) -> Template:
    access = request.state.access
    agencies = await queries.agency_names(access)
    view = View.parse(request.query_params, agencies)
    rows = await queries.portfolio(access, clock.now())
    shown = view.order([r for r in rows if view.keep(r)])
    return Template(
        "portfolio/index.html",
        context={
            "title": "Portfolio",
            "rows": shown,
            "total": len(rows),
            "agencies": agencies,
            "view": view,
            "headers": view.headers(),
            "burndown_rule": queries.BURNDOWN_RULE,
            "signal_rule": queries.SIGNAL_RULE,
            "fidelity_rule": queries.FIDELITY_RULE,
        },
    )


route_handlers = [portfolio]
