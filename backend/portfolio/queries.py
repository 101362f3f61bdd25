"""The liaison portfolio's reads: one row per initiative of the agencies a person may
see, each with the summaries of the pages it links to.

PERF-05: every summary is read for all initiatives at once (a fixed number of
queries, about twenty, whatever the number of agencies and initiatives); the
numbers are then worked out in Python with the same functions the pages use
(metrics.compute_burndown, rollup.build, measures.queries.analysis_of,
pip.status.activity_status), so the portfolio and the pages agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count

from backend.accounts.permissions import LIAISON
from backend.accounts.tables import Agency
from backend.exploration.tables import Finding
from backend.fidelity import queries as fidelity_queries
from backend.fidelity import rollup
from backend.fidelity.tables import FidelityAssessment, FidelityRating
from backend.initiatives.tables import GateDecision, GateSignOff, Initiative, StageProgress
from backend.measures.queries import MEASURE_COLUMNS, analysis_of, points_of, present
from backend.measures.tables import Measure
from backend.packet.queries import latest_sign_offs
from backend.pip import queries as pip_queries
from backend.pip.tables import Pip, PipActivity
from backend.practice.tables import ContinuumLevel, CoreComponent, PracticeProfile
from backend.reviews.tables import Mention
from backend.scrum import metrics
from backend.scrum.tables import BacklogItem, BoardColumn, ItemHistory, Sprint

# The burndown rule, shown on the page: behind when the points remaining at the end
# of today (or of the sprint's last day so far) are above the ideal line by more
# than this share of the points committed.
BEHIND_MARGIN = 0.10
BURNDOWN_RULE = (
    "A sprint is behind when the points remaining today are above the ideal line by "
    "more than 10% of the points committed at the sprint's start; otherwise it is on track."
)
SIGNAL_DAYS = 90
SIGNAL_RULE = (
    "Run-chart signals (shift, trend, astronomical point, long run...) with at least one "
    f"point in a period that started in the last {SIGNAL_DAYS} days; a signal about the "
    "whole chart (too few or too many runs, few crossings) counts when the chart's latest "
    "point is in that window."
)
FIDELITY_RULE = (
    "The share of fidelity ratings at or above the fidelity level in the latest month "
    "with ratings, against the month with ratings before it (all core components and sites)."
)
# Fidelity shares within this many percentage points read as level.
LEVEL_POINTS = 0

NONE = [-1]  # an empty IN () is not valid SQL everywhere


def _ids(values) -> list[int]:
    return sorted(set(values)) or NONE


# ---------------------------------------------------------------- the row


@dataclass
class ReviewItem:
    text: str
    route: str  # a named route with one id parameter
    param: str
    id: int


@dataclass
class Row:
    agency_id: int
    agency_name: str
    initiative_id: int
    title: str
    stage_id: int | None = None
    stage_label: str = ""
    stage_position: int | None = None
    stage_days: int | None = None  # days since the current stage's progress started
    sprint: dict[str, Any] | None = None  # the active sprint
    burndown_behind: bool | None = None  # None without an active sprint
    burndown_remaining: int | None = None
    burndown_ideal: float | None = None
    burndown_committed: int | None = None
    last_closed: dict[str, Any] | None = None
    velocity: int | None = None  # points completed in the last closed sprint
    reviews: list[ReviewItem] = field(default_factory=list)
    fidelity_latest: rollup.Tally | None = None
    fidelity_previous: rollup.Tally | None = None
    fidelity_latest_label: str = ""
    fidelity_previous_label: str = ""
    signals: list[tuple[int, str, int]] = field(default_factory=list)  # (measure, name, n)
    pip_id: int | None = None
    pip_title: str = ""
    pip_behind: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stage_days_text(self) -> str:
        return days_in_words(self.stage_days)

    @property
    def burndown_text(self) -> str:
        if self.burndown_behind is None:
            return ""
        return "behind" if self.burndown_behind else "on track"

    @property
    def fidelity_trend(self) -> str | None:
        """ "up", "down" or "level"; None without two months of ratings."""
        latest, previous = self.fidelity_latest, self.fidelity_previous
        if latest is None or previous is None or not latest.rated or not previous.rated:
            return None
        diff = latest.percent - previous.percent
        if abs(diff) <= LEVEL_POINTS:
            return "level"
        return "up" if diff > 0 else "down"

    @property
    def signal_count(self) -> int:
        return sum(n for _, _, n in self.signals)

    @property
    def behind(self) -> bool:
        """What "only behind" keeps: a sprint behind its burndown or PIP activities behind."""
        return bool(self.burndown_behind) or bool(self.pip_behind)


def days_in_words(days: int | None) -> str:
    if days is None:
        return "no start date"
    if days <= 0:
        return "since today"
    if days == 1:
        return "1 day"
    if days < 14:
        return f"{days} days"
    if days < 60:
        return f"{days // 7} weeks ({days} days)"
    return f"about {round(days / 30.44)} months ({days} days)"


def burndown_status(burndown: metrics.Burndown) -> tuple[bool, int | None, float | None]:
    """(behind, remaining, ideal) on the latest sprint day that has happened."""
    happened = [d for d in burndown.days if d.remaining is not None]
    if not happened:
        return False, None, None
    day = happened[-1]
    behind = day.remaining - day.ideal > BEHIND_MARGIN * burndown.committed
    return behind, day.remaining, day.ideal


# ---------------------------------------------------------------- reading


async def portfolio(access, now: datetime) -> list[Row]:
    """One row per initiative of every agency the person may see (SEC-08: only
    `access.roles`, their memberships and liaison assignments)."""
    today = now.date()
    agency_ids = _ids(access.agency_ids)
    initiatives = await (
        Initiative.select(
            Initiative.id,
            Initiative.agency,
            Initiative.agency.name.as_alias("agency_name"),
            Initiative.title,
            Initiative.current_stage,
            Initiative.current_stage.name.as_alias("stage_name"),
            Initiative.current_stage.position.as_alias("stage_position"),
        )
        .where(Initiative.agency.is_in(agency_ids))
        .order_by(Initiative.agency.name)
        .order_by(Initiative.title)
    )
    rows = {
        i["id"]: Row(
            agency_id=i["agency"],
            agency_name=i["agency_name"],
            initiative_id=i["id"],
            title=i["title"],
            stage_id=i["current_stage"],
            stage_label=f"{i['stage_position']}. {i['stage_name']}" if i["current_stage"] else "",
            stage_position=i["stage_position"],
        )
        for i in initiatives
    }
    ids = _ids(rows)
    await _stages(rows, ids, today)
    sprints = await _sprints(rows, ids, now)
    await _reviews(rows, ids, access, sprints)
    await _fidelity(rows, ids)
    await _signals(rows, ids, access, today)
    await _pip(rows, agency_ids, today)
    return list(rows.values())


async def _stages(rows: dict[int, Row], ids: list[int], today: date) -> None:
    progress = await StageProgress.select(
        StageProgress.initiative, StageProgress.stage, StageProgress.started_on
    ).where(StageProgress.initiative.is_in(ids))
    for p in progress:
        row = rows[p["initiative"]]
        if p["stage"] == row.stage_id and p["started_on"] is not None:
            row.stage_days = (today - p["started_on"]).days


async def _sprints(rows: dict[int, Row], ids: list[int], now: datetime) -> list[dict]:
    """The active sprint with its burndown status and the last closed sprint's velocity."""
    sprints = await (
        Sprint.select(
            Sprint.id,
            Sprint.initiative,
            Sprint.number,
            Sprint.state,
            Sprint.start_date,
            Sprint.end_date,
            Sprint.started_at,
            Sprint.closed_at,
            Sprint.committed_points,
            Sprint.completed_points,
        )
        .where(Sprint.initiative.is_in(ids))
        .order_by(Sprint.number)
    )
    active = {}
    for s in sprints:
        row = rows[s["initiative"]]
        if s["state"] == "active":
            row.sprint = s
            active[s["id"]] = s
        elif s["state"] == "closed":
            row.last_closed = s  # ordered by number: the last one wins
            row.velocity = s["completed_points"] or 0  # as metrics.velocity reads it
    # The burndown of every active sprint from two queries: which items were ever in
    # which sprint, then every history row of those items (as metrics.sprint_burndown).
    members = await (
        ItemHistory.select(ItemHistory.item, ItemHistory.sprint)
        .where(ItemHistory.sprint.is_in(_ids(active)))
        .distinct()
    )
    items_of: dict[int, set[int]] = {}
    for m in members:
        items_of.setdefault(m["sprint"], set()).add(m["item"])
    history = await ItemHistory.select(
        ItemHistory.id,
        ItemHistory.item,
        ItemHistory.at,
        ItemHistory.change,
        ItemHistory.sprint,
        ItemHistory.estimate,
        ItemHistory.is_done,
    ).where(ItemHistory.item.is_in(_ids(m["item"] for m in members)))
    by_item: dict[int, list[dict]] = {}
    for h in history:
        by_item.setdefault(h["item"], []).append(h)
    for sprint_id, sprint in active.items():
        own = [h for item in items_of.get(sprint_id, ()) for h in by_item.get(item, [])]
        burndown = metrics.compute_burndown(sprint, own, now)
        row = rows[sprint["initiative"]]
        row.burndown_behind, row.burndown_remaining, row.burndown_ideal = burndown_status(burndown)
        row.burndown_committed = burndown.committed
    return sprints


async def _reviews(rows: dict[int, Row], ids: list[int], access, sprints: list[dict]) -> None:
    """Open review items awaiting the person: for agencies they support as a liaison,
    closed sprints nobody has signed off and gate decisions with no sign-off; anywhere,
    unresolved threads that mention them."""
    liaison_of = {a for a, role in access.roles.items() if role == LIAISON}
    closed = [s for s in sprints if s["state"] == "closed"]
    # Awaiting them until their latest decision is a sign-off: after "changes
    # requested" the review comes back to them (the packet uses the same rule).
    latest = await latest_sign_offs([s["id"] for s in closed])
    for s in closed:
        row = rows[s["initiative"]]
        decision = latest.get(s["id"], {}).get("decision")
        if row.agency_id in liaison_of and decision != "signed_off":
            waiting = "changes requested" if decision else "not signed off"
            row.reviews.append(
                ReviewItem(
                    f"Sprint {s['number']} review: {waiting}",
                    "scrum.sprint",
                    "sprint_id",
                    s["id"],
                )
            )
    decisions = await (
        GateDecision.select(
            GateDecision.id,
            GateDecision.progress.initiative.as_alias("initiative"),
            GateDecision.progress.stage.as_alias("stage"),
            GateDecision.progress.stage.name.as_alias("stage_name"),
            GateDecision.decided_at,
        )
        .where(GateDecision.progress.initiative.is_in(ids))
        .order_by(GateDecision.decided_at)
        .order_by(GateDecision.id)
    )
    outcome: dict[int, str] = {}
    for r in await (
        GateSignOff.select(GateSignOff.decision, GateSignOff.outcome)
        .where(GateSignOff.decision.is_in(_ids(d["id"] for d in decisions)))
        .order_by(GateSignOff.signed_at)
        .order_by(GateSignOff.id)
    ):
        outcome[r["decision"]] = r["outcome"]  # the latest wins
    for d in decisions:
        row = rows[d["initiative"]]
        if row.agency_id in liaison_of and outcome.get(d["id"]) != "signed_off":
            waiting = "changes requested" if d["id"] in outcome else "not signed off"
            row.reviews.append(
                ReviewItem(
                    f"Gate decision on {d['stage_name']}: {waiting}",
                    "initiatives.stage_map",
                    "initiative_id",
                    row.initiative_id,
                )
            )
    await _threads(rows, access, sprints, decisions)


# Where a thread's target lives: the initiative it belongs to and the page it is on.
THREAD_PAGES = {
    "sprint_review": ("scrum.sprint", "sprint_id"),
    "sprint_retrospective": ("scrum.sprint", "sprint_id"),
    "gate": ("initiatives.stage_map", "initiative_id"),
    "profile": ("practice.profile", "profile_id"),
    "finding": ("exploration.finding", "finding_id"),
    "item": ("scrum.item", "item_id"),
}


async def _threads(rows, access, sprints, decisions) -> None:
    mentioned = await Mention.select(
        Mention.comment.target_kind.as_alias("kind"),
        Mention.comment.target_id.as_alias("target"),
        Mention.comment.thread_root.as_alias("root"),
        Mention.comment.resolved_at.as_alias("resolved_at"),
        Mention.comment.thread_root.resolved_at.as_alias("root_resolved_at"),
    ).where(
        (Mention.user == access.user_id) & Mention.comment.agency.is_in(_ids(access.agency_ids))
    )
    # The thread is resolved on its first comment.
    open_threads = {
        (m["kind"], m["target"])
        for m in mentioned
        if (m["root_resolved_at"] if m["root"] is not None else m["resolved_at"]) is None
    }
    wanted = {kind: [t for k, t in open_threads if k == kind] for kind in THREAD_PAGES}
    initiative_of: dict[tuple[str, int], int] = {}
    for s in sprints:
        initiative_of[("sprint_review", s["id"])] = s["initiative"]
        initiative_of[("sprint_retrospective", s["id"])] = s["initiative"]
    for d in decisions:
        initiative_of[("gate", d["id"])] = d["initiative"]
    for kind, table in (("profile", PracticeProfile), ("finding", Finding), ("item", BacklogItem)):
        for r in await table.select(table.id, table.initiative).where(
            table.id.is_in(_ids(wanted[kind]))
        ):
            initiative_of[(kind, r["id"])] = r["initiative"]
    for kind, target in sorted(open_threads):
        initiative_id = initiative_of.get((kind, target))
        if initiative_id not in rows:
            continue
        route, param = THREAD_PAGES[kind]
        page_id = initiative_id if param == "initiative_id" else target
        label = {
            "sprint_review": "Thread on a sprint review",
            "sprint_retrospective": "Thread on a sprint retrospective",
            "gate": "Thread on a stage gate decision",
            "profile": "Thread on a practice profile version",
            "finding": "Thread on a finding",
            "item": "Thread on a backlog item",
        }[kind]
        rows[initiative_id].reviews.append(
            ReviewItem(f"{label} that mentions you", route, param, page_id)
        )


async def _fidelity(rows: dict[int, Row], ids: list[int]) -> None:
    """The roll-up by month (the fidelity page's default), as rollup.build works it out."""
    A, R = FidelityAssessment, FidelityRating
    assessments = await A.select(
        A.id,
        A.initiative,
        A.site,
        A.site.name.as_alias("site_name"),
        A.assessed_on,
        A.profile.number.as_alias("profile_number"),
    ).where(A.initiative.is_in(ids))
    counts = await (
        R.select(R.assessment, R.component, R.level, Count(R.id, alias="n"))
        .where(R.assessment.initiative.is_in(ids))
        .group_by(R.assessment, R.component, R.level)
    )
    components = await CoreComponent.select(
        CoreComponent.id,
        CoreComponent.initiative,
        CoreComponent.profile,
        CoreComponent.position,
        CoreComponent.name,
        CoreComponent.lineage,
        CoreComponent.profile.number.as_alias("profile_number"),
        CoreComponent.profile.intervention.as_alias("intervention"),
        CoreComponent.profile.intervention.name.as_alias("intervention_name"),
    ).where(CoreComponent.initiative.is_in(ids))
    levels = await ContinuumLevel.select(
        ContinuumLevel.id,
        ContinuumLevel.profile,
        ContinuumLevel.position,
        ContinuumLevel.label,
        ContinuumLevel.meets_fidelity,
    ).where(ContinuumLevel.profile.initiative.is_in(ids))
    meeting = fidelity_queries.fidelity_levels(levels)
    initiative_of = {a["id"]: a["initiative"] for a in assessments}
    by: dict[int, tuple[list, list, list]] = {i: ([], [], []) for i in rows}
    for a in assessments:
        by[a["initiative"]][0].append(a)
    for c in counts:
        by[initiative_of[c["assessment"]]][1].append(c)
    for c in components:
        by[c["initiative"]][2].append(c)
    for initiative_id, (own_assessments, own_counts, own_components) in by.items():
        if not own_counts:
            continue
        built = rollup.build(
            own_assessments, own_counts, own_components, meeting, rollup.DEFAULT_KIND
        )
        totals = [_period_total(built, p) for p in built.periods]
        row = rows[initiative_id]
        if totals:
            row.fidelity_latest = totals[-1]
            row.fidelity_latest_label = built.periods[-1].label
        if len(totals) > 1:
            row.fidelity_previous = totals[-2]
            row.fidelity_previous_label = built.periods[-2].label


def _period_total(built: rollup.Rollup, period: rollup.Period) -> rollup.Tally:
    """Every core component's "All sites" cell of one period, added up."""
    total = rollup.Tally()
    for component in built.components:
        tally = component.period_total(period)
        total.met += tally.met
        total.rated += tally.rated
    return total


async def _signals(rows: dict[int, Row], ids: list[int], access, today: date) -> None:
    """Signals in the last SIGNAL_DAYS days of each measure's run chart, as the person
    sees the chart (small cells suppressed for a liaison, as on the measure's page)."""
    measures = await (
        Measure.select(*MEASURE_COLUMNS)
        .where(Measure.initiative.is_in(ids))
        .order_by(Measure.name)
        .order_by(Measure.id)
    )
    points = await points_of(m["id"] for m in measures)
    since = today - timedelta(days=SIGNAL_DAYS)
    for measure in measures:
        suppress = access.role_in(measure["agency"]) == LIAISON
        shown = [present(p, measure, suppress) for p in points[measure["id"]]]
        if not shown:
            continue
        analysis = analysis_of(measure, shown)
        recent = {i for i, p in enumerate(shown) if p["period_start"] >= since}
        n = sum(
            1
            for s in analysis.signals
            if (s.indices and recent.intersection(s.indices)) or (not s.indices and recent)
        )
        if n:
            rows[measure["initiative"]].signals.append((measure["id"], measure["name"], n))


async def _pip(rows: dict[int, Row], agency_ids: list[int], today: date) -> None:
    """Key activities behind schedule in each agency's plan in force (pip.for_initiative
    shows that plan inside every initiative of the agency)."""
    pips = await (
        Pip.select(*pip_queries.PIP_COLUMNS)
        .where(Pip.agency.is_in(agency_ids))
        .order_by(Pip.effective_date, ascending=False)
        .order_by(Pip.id, ascending=False)
    )
    by_agency: dict[int, list[dict]] = {}
    for p in pips:
        by_agency.setdefault(p["agency"], []).append(p)
    current = {a: pip_queries.current_of(own, today) for a, own in by_agency.items()}
    current = {a: p for a, p in current.items() if p is not None}
    activities = await (
        PipActivity.select(*pip_queries.ACTIVITY_COLUMNS)
        .where(PipActivity.strategy.goal.pip.is_in(_ids(p["id"] for p in current.values())))
        .order_by(PipActivity.position)
        .order_by(PipActivity.id)
    )
    columns = await BoardColumn.select(BoardColumn.initiative, BoardColumn.position).where(
        BoardColumn.initiative.agency.is_in(agency_ids)
    )
    first: dict[int, int] = {}
    for c in columns:
        first[c["initiative"]] = min(first.get(c["initiative"], c["position"]), c["position"])
    behind: dict[int, list[dict]] = {}
    for activity in activities:
        pip_queries.with_status(activity, first, today)
        if activity["shown_status"] == "behind":
            behind.setdefault(activity["pip"], []).append(activity)
    for row in rows.values():
        pip = current.get(row.agency_id)
        if pip is not None:
            row.pip_id, row.pip_title = pip["id"], pip["title"]
            row.pip_behind = behind.get(pip["id"], [])


async def agency_names(access) -> list[tuple[int, str]]:
    """The agencies the person may see, by name, for the filter."""
    rows = await (
        Agency.select(Agency.id, Agency.name)
        .where(Agency.id.is_in(_ids(access.agency_ids)))
        .order_by(Agency.name)
    )
    return [(r["id"], r["name"]) for r in rows]
