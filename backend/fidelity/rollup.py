"""The fidelity roll-up and the coaching agenda, worked out from counted ratings.

Pure functions over rows that `queries` reads (no database here), so the
numbers can be checked by hand in tests.

- Roll-up: the share of ratings at or above the fidelity level by core
  component x site x period (the week, month or quarter of the date assessed,
  as the reader chooses; months by default). Components are
  matched across versions of a profile by their lineage, so ratings of
  version 1 and version 2 of "Partnership" count together; each row notes
  which versions its ratings came from.
- Coaching agenda: per site, the practice behaviours (matched across versions
  by lineage) most often rated below the fidelity level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from backend.measures import periods as period_kinds
from backend.measures.periods import start_of

QUARTER = "quarter"
# Pilots are short, so the page counts by month unless the reader asks otherwise.
DEFAULT_KIND = "month"
PERIOD_KINDS = {"week": "Week", "month": "Month", "quarter": "Quarter"}


def quarter_of(day: date) -> date:
    return start_of(day, QUARTER)


def next_period(start: date, kind: str = QUARTER) -> date:
    if kind == "week":
        return start + timedelta(days=7)
    month = start.month + (3 if kind == QUARTER else 1)
    return date(start.year + (month > 12), (month - 1) % 12 + 1, 1)


def percent(met: int, rated: int) -> int:
    """Whole percent, halves rounded up (1 of 8 is 13%, not Python's banker's 12%)."""
    return (200 * met + rated) // (2 * rated)


@dataclass
class Tally:
    """Ratings counted: how many at or above the fidelity level, of how many."""

    met: int = 0
    rated: int = 0

    def add(self, n: int, meets: bool) -> None:
        self.rated += n
        if meets:
            self.met += n

    @property
    def share(self) -> float | None:
        return self.met / self.rated if self.rated else None

    @property
    def percent(self) -> int | None:
        return percent(self.met, self.rated) if self.rated else None

    @property
    def text(self) -> str:
        """ "7 of 9 (78%)", or a dash when nothing was rated."""
        if not self.rated:
            return "–"
        return f"{self.met} of {self.rated} ({self.percent}%)"


def tick_label(start: date, kind: str) -> tuple[str, str]:
    """A period on a chart's axis, in two short lines: ("Q1", "2025"), ("Mar", "2025"),
    ("3 Mar", "2025") for the week starting on Monday 3 March."""
    month = period_kinds.label(date(start.year, start.month, 1), "month").split()[0]
    if kind == QUARTER:
        return f"Q{(start.month - 1) // 3 + 1}", str(start.year)
    if kind == "week":
        return f"{start.day} {month}", str(start.year)
    return month, str(start.year)


@dataclass(frozen=True)
class Period:
    start: date
    kind: str = QUARTER  # a key of PERIOD_KINDS

    @property
    def label(self) -> str:
        return period_kinds.label(self.start, self.kind)

    @property
    def code(self) -> str:
        """2026-Q1, 2026-03 or 2026-03-02 (a week's Monday), as measures write periods."""
        return period_kinds.code(self.start, self.kind)

    @property
    def end(self) -> date:
        return next_period(self.start, self.kind)


def parse_kind(raw: Any) -> str:
    """A period kind from a query string; DEFAULT_KIND when it is not one (SEC-13)."""
    return raw if isinstance(raw, str) and raw in PERIOD_KINDS else DEFAULT_KIND


def parse_period(raw: Any, kind: str = QUARTER) -> Period | None:
    """A period code of that kind ("2026-Q1", "2026-03", "2026-03-02"), else None."""
    if not isinstance(raw, str) or len(raw) > 10:
        return None
    start = period_kinds.parse(raw, kind)
    if start is None or period_kinds.code(start, kind) != raw.strip():
        return None
    return Period(start, kind)


def periods_of(days: list[date], kind: str = QUARTER) -> list[Period]:
    """The periods the days fall in, oldest first."""
    return [Period(start, kind) for start in sorted({start_of(d, kind) for d in days})]


# ---------------------------------------------------------------- the roll-up


@dataclass
class ComponentRollup:
    """One core component across the versions of its profile."""

    lineage: str
    name: str  # as the newest version of the profile names it
    intervention_id: int
    intervention_name: str
    position: int
    newest: int = 0  # the newest version number that named it
    versions: set[int] = field(default_factory=set)  # versions with ratings counted
    cells: dict[tuple[int, date], Tally] = field(default_factory=dict)  # (site, period)
    totals: dict[date, Tally] = field(default_factory=dict)  # all sites, per period
    total: Tally = field(default_factory=Tally)
    site_ids: list[int] = field(default_factory=list)  # sites with ratings, by name

    def cell(self, site_id: int, period: Period) -> Tally:
        return self.cells.get((site_id, period.start), Tally())

    def period_total(self, period: Period) -> Tally:
        return self.totals.get(period.start, Tally())

    def site_total(self, site_id: int) -> Tally:
        """Every period of one site."""
        total = Tally()
        for (site, _), tally in self.cells.items():
            if site == site_id:
                total.met += tally.met
                total.rated += tally.rated
        return total

    @property
    def versions_text(self) -> str:
        numbers = sorted(self.versions)
        if len(numbers) == 1:
            return f"version {numbers[0]}"
        return "versions " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


@dataclass
class Rollup:
    periods: list[Period]
    sites: list[dict[str, Any]]  # {"id", "name"} of sites with ratings, by name
    components: list[ComponentRollup]
    total: Tally
    period_kind: str = QUARTER

    @property
    def empty(self) -> bool:
        return not self.components


def assessment_tallies(counts: list[dict], meeting: set[int]) -> dict[int, Tally]:
    """Each assessment's overall tally (every rating of it)."""
    tallies: dict[int, Tally] = {}
    for row in counts:
        tallies.setdefault(row["assessment"], Tally()).add(row["n"], row["level"] in meeting)
    return tallies


def build(
    assessments: list[dict],
    counts: list[dict],
    components: list[dict],
    meeting: set[int],
    period_kind: str = QUARTER,
) -> Rollup:
    """`assessments` (id, site, site_name, assessed_on, profile_number), `counts` from
    queries.rating_counts, `components` of every version (queries.components_of_initiative),
    `meeting` the level ids at or above the fidelity level, periods of `period_kind`."""
    by_assessment = {a["id"]: a for a in assessments}
    component_rows = {c["id"]: c for c in components}
    rows: dict[str, ComponentRollup] = {}
    # The newest version's name and place for each lineage, whether or not rated.
    for c in components:
        row = rows.get(c["lineage"])
        if row is None:
            row = rows[c["lineage"]] = ComponentRollup(
                c["lineage"], c["name"], c["intervention"], c["intervention_name"], c["position"]
            )
        if c["profile_number"] > row.newest:
            row.newest, row.name, row.position = c["profile_number"], c["name"], c["position"]
    used: set[str] = set()
    sites: dict[int, str] = {}
    period_starts: set[date] = set()
    overall = Tally()
    for count in counts:
        assessment = by_assessment.get(count["assessment"])
        component = component_rows.get(count["component"])
        if assessment is None or component is None:
            continue
        row = rows[component["lineage"]]
        used.add(row.lineage)
        row.versions.add(assessment["profile_number"])
        period = start_of(assessment["assessed_on"], period_kind)
        period_starts.add(period)
        site = assessment["site"]
        sites[site] = assessment["site_name"]
        meets = count["level"] in meeting
        row.cells.setdefault((site, period), Tally()).add(count["n"], meets)
        row.totals.setdefault(period, Tally()).add(count["n"], meets)
        row.total.add(count["n"], meets)
        overall.add(count["n"], meets)
    site_list = [{"id": i, "name": n} for i, n in sorted(sites.items(), key=lambda kv: kv[1])]
    order = [s["id"] for s in site_list]
    chosen = [rows[lineage] for lineage in used]
    for row in chosen:
        rated_at = {site for site, _ in row.cells}
        row.site_ids = [s for s in order if s in rated_at]
    chosen.sort(key=lambda r: (r.intervention_name, r.intervention_id, r.position, r.name))
    return Rollup(
        periods=[Period(s, period_kind) for s in sorted(period_starts)],
        sites=site_list,
        components=chosen,
        total=overall,
        period_kind=period_kind,
    )


# ---------------------------------------------------------------- the coaching agenda


@dataclass
class AgendaLine:
    """A behaviour (or a component rated as a whole) rated below the fidelity level."""

    key: tuple[str, str]  # ("behaviour" or "component", lineage)
    text: str
    role: str
    component_name: str
    below: int = 0
    rated: int = 0
    latest: date | None = None  # the latest day it was rated below the fidelity level
    by_level: dict[str, int] = field(default_factory=dict)  # level label -> ratings

    @property
    def levels_text(self) -> str:
        return ", ".join(f"{label} {n}" for label, n in self.by_level.items())


@dataclass
class SiteAgenda:
    site_id: int
    site_name: str
    rated: int = 0
    lines: list[AgendaLine] = field(default_factory=list)


def agenda(
    counts: list[dict],
    behaviours: list[dict],
    components: list[dict],
    levels: list[dict],
    meeting: set[int],
    site_names: dict[int, str],
) -> list[SiteAgenda]:
    """Per site (by name), its lines most often below the fidelity level first (then the
    most recent, then by text). `counts` from queries.coaching_counts."""
    behaviour_rows = {b["id"]: b for b in behaviours}
    component_rows = {c["id"]: c for c in components}
    level_rows = {lv["id"]: lv for lv in levels}
    # Lines use the words of the newest version of each behaviour and component.
    newest: dict[tuple[str, str], dict] = {}
    for kind, rows in (("behaviour", behaviours), ("component", components)):
        for row in rows:
            key = (kind, row["lineage"])
            if key not in newest or row["profile_number"] > newest[key]["profile_number"]:
                newest[key] = row
    sites: dict[int, SiteAgenda] = {}
    lines: dict[tuple[int, tuple[str, str]], AgendaLine] = {}
    # Worst level last within a line's breakdown: by position.
    for count in sorted(counts, key=lambda c: level_rows.get(c["level"], {}).get("position", 0)):
        component = component_rows.get(count["component"])
        if component is None:
            continue
        behaviour = behaviour_rows.get(count["behaviour"]) if count["behaviour"] else None
        if count["behaviour"] and behaviour is None:
            continue
        site_id = count["site"]
        site = sites.setdefault(site_id, SiteAgenda(site_id, site_names.get(site_id, "")))
        site.rated += count["n"]
        if behaviour is not None:
            key = ("behaviour", behaviour["lineage"])
            text, role = newest[key]["text"], newest[key]["role"]
        else:
            key = ("component", component["lineage"])
            text, role = newest[key]["name"], ""
        line = lines.get((site_id, key))
        if line is None:
            component_name = newest[("component", component["lineage"])]["name"]
            line = lines[(site_id, key)] = AgendaLine(key, text, role, component_name)
        line.rated += count["n"]
        if count["level"] in meeting:
            continue
        line.below += count["n"]
        label = level_rows[count["level"]]["label"] if count["level"] in level_rows else "?"
        line.by_level[label] = line.by_level.get(label, 0) + count["n"]
        if line.latest is None or count["latest"] > line.latest:
            line.latest = count["latest"]
    for (site_id, _), line in lines.items():
        if line.below:
            sites[site_id].lines.append(line)
    for site in sites.values():
        site.lines.sort(key=lambda ln: (-ln.below, -(ln.latest or date.min).toordinal(), ln.text))
    return sorted(sites.values(), key=lambda s: (s.site_name, s.site_id))
