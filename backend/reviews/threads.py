"""Comment threads: what a thread is about (its target), who may read it, and the
threads a page shows, loaded in one query whatever their number (PERF-01)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar import Litestar, Request

from backend.accounts.tables import LiaisonAssignment, Membership
from backend.exploration.tables import Finding
from backend.initiatives.tables import GATE_DECISIONS, GateDecision
from backend.practice.tables import PracticeProfile
from backend.reviews import mentions
from backend.reviews.tables import TARGET_KINDS, Comment
from backend.scrum.tables import BacklogItem, Sprint
from backend.web.templating import format_date

# Who may resolve or reopen any thread of the agency (besides its author).
RESOLVERS = frozenset({"agency_lead", "product_owner", "scrum_master", "team_member", "liaison"})
# The initiative tab each target's page sits under (initiatives/_nav.html).
NAVS = {
    "sprint_review": "sprints",
    "sprint_retrospective": "sprints",
    "gate": "stages",
    "profile": "practice",
    "finding": "exploration",
    "item": "backlog",
}
# The route that takes a new thread on each kind of target, and its path id.
NEW_THREAD_ROUTES = {
    "sprint_review": ("reviews.sprint_review_comment", "sprint_id"),
    "sprint_retrospective": ("reviews.sprint_retrospective_comment", "sprint_id"),
    "gate": ("reviews.gate_comment", "decision_id"),
    "profile": ("reviews.profile_comment", "profile_id"),
    "finding": ("reviews.finding_comment", "finding_id"),
    "item": ("reviews.item_comment", "item_id"),
}


def panel_anchor(kind: str, target_id: int) -> str:
    return f"comments-{kind}-{target_id}"


def comment_anchor(comment_id: int) -> str:
    return f"comment-{comment_id}"


# ---------------------------------------------------------------- targets


async def target(app: Litestar, kind: str, target_id: int) -> dict[str, Any] | None:
    """What a thread is about: {kind, id, agency, initiative, label, url}; None when
    there is no such row (or no such kind)."""
    if kind not in TARGET_KINDS:
        return None
    if kind in ("sprint_review", "sprint_retrospective"):
        rows = await Sprint.select(
            Sprint.number,
            Sprint.initiative.as_alias("initiative"),
            Sprint.initiative.agency.as_alias("agency"),
        ).where(Sprint.id == target_id)
        label = lambda r: f"{TARGET_KINDS[kind]} of sprint {r['number']}"  # noqa: E731
        url = lambda r: app.route_reverse("scrum.sprint", sprint_id=target_id)  # noqa: E731
    elif kind == "gate":
        rows = await GateDecision.select(
            GateDecision.decision,
            GateDecision.decided_at,
            GateDecision.progress.stage.as_alias("stage"),
            GateDecision.progress.initiative.as_alias("initiative"),
            GateDecision.progress.initiative.agency.as_alias("agency"),
        ).where(GateDecision.id == target_id)
        label = lambda r: gate_heading(r)  # noqa: E731
        url = lambda r: app.route_reverse(  # noqa: E731
            "initiatives.stage", initiative_id=r["initiative"], stage_id=r["stage"]
        )
    elif kind == "profile":
        rows = await PracticeProfile.select(
            PracticeProfile.number,
            PracticeProfile.initiative.as_alias("initiative"),
            PracticeProfile.initiative.agency.as_alias("agency"),
        ).where(PracticeProfile.id == target_id)
        label = lambda r: f"Practice profile version {r['number']}"  # noqa: E731
        url = lambda r: app.route_reverse("practice.profile", profile_id=target_id)  # noqa: E731
    elif kind == "finding":
        rows = await Finding.select(
            Finding.initiative.as_alias("initiative"),
            Finding.initiative.agency.as_alias("agency"),
        ).where(Finding.id == target_id)
        label = lambda r: f"Finding #{target_id}"  # noqa: E731
        url = lambda r: app.route_reverse("exploration.finding", finding_id=target_id)  # noqa: E731
    else:
        rows = await BacklogItem.select(
            BacklogItem.title,
            BacklogItem.initiative.as_alias("initiative"),
            BacklogItem.initiative.agency.as_alias("agency"),
        ).where(BacklogItem.id == target_id)
        label = lambda r: f"Backlog item #{target_id}: {r['title']}"  # noqa: E731
        url = lambda r: app.route_reverse("scrum.item", item_id=target_id)  # noqa: E731
    if not rows:
        return None
    row = rows[0]
    return {
        "kind": kind,
        "id": target_id,
        "agency": row["agency"],
        "initiative": row["initiative"],
        "label": label(row),
        "url": url(row),
        "nav": NAVS[kind],
    }


def gate_heading(decision: dict[str, Any]) -> str:
    what = GATE_DECISIONS.get(decision.get("decision"), "Gate decision")
    when = format_date(decision.get("decided_at"))
    return f"Gate decision of {when}: {what}" if when else what


# ---------------------------------------------------------------- who can read it


async def readers(agency_id: int) -> list[dict[str, Any]]:
    """Everyone who can read the agency's things: its active members and its
    liaisons (active people only); each {id, name, email}, once."""
    members = await Membership.select(
        Membership.user.id.as_alias("id"),
        Membership.user.name.as_alias("name"),
        Membership.user.email.as_alias("email"),
    ).where(
        (Membership.agency == agency_id)
        & (Membership.active == True)  # noqa: E712 - piccolo builds SQL from ==
        & (Membership.user.active == True)  # noqa: E712
    )
    liaisons = await LiaisonAssignment.select(
        LiaisonAssignment.user.id.as_alias("id"),
        LiaisonAssignment.user.name.as_alias("name"),
        LiaisonAssignment.user.email.as_alias("email"),
    ).where(
        (LiaisonAssignment.agency == agency_id) & (LiaisonAssignment.user.active == True)  # noqa: E712
    )
    by_id = {row["id"]: row for row in [*liaisons, *members]}
    return sorted(by_id.values(), key=lambda r: r["name"].casefold())


def may_resolve(request: Request, agency_id: int, root_author: int | None) -> bool:
    access = request.state.get("access")
    if access is None:
        return False
    return access.role_in(agency_id) in RESOLVERS or (
        root_author is not None and root_author == access.user_id
    )


# ---------------------------------------------------------------- what a page shows


def _targets(kind: str, target_ids: int | Iterable[int]) -> list[tuple[str, int]]:
    ids = [target_ids] if isinstance(target_ids, int) else list(target_ids)
    if kind == "sprint":
        return [(k, i) for i in ids for k in ("sprint_review", "sprint_retrospective")]
    if kind not in TARGET_KINDS:
        raise ValueError(f"unknown thread target kind {kind!r}")
    return [(kind, i) for i in ids]


async def context(
    kind: str,
    target_ids: int | Iterable[int],
    agency_id: int,
    headings: dict[int, str] | None = None,
) -> dict[str, Any]:
    """The threads for `templates/reviews/_thread.html`: one panel per target.

    `kind` is a TARGET_KINDS key, or "sprint" for both the review and the
    retrospective of a sprint; `target_ids` one id or several (a stage page has a
    panel per gate decision, headed by `headings[id]`). One query in all. Who may
    resolve a thread is worked out in the template from the signed-in person."""
    targets = _targets(kind, target_ids)
    # The query runs even with no targets (a stage without a gate decision yet), so
    # a page's query count is the same whatever it holds (PERF-01).
    kinds = sorted({k for k, _ in targets}) or [""]
    ids = sorted({i for _, i in targets}) or [0]
    rows = (
        await Comment.select(
            Comment.id,
            Comment.target_kind,
            Comment.target_id,
            Comment.thread_root,
            Comment.author,
            Comment.author.name.as_alias("author_name"),
            Comment.body,
            Comment.created_at,
            Comment.resolved_at,
            Comment.resolved_by.name.as_alias("resolved_by_name"),
        )
        .where(
            (Comment.agency == agency_id)
            & Comment.target_kind.is_in(kinds)
            & Comment.target_id.is_in(ids)
        )
        .order_by(Comment.id)
    )
    threads: dict[int, dict[str, Any]] = {}
    by_target: dict[tuple[str, int], list[dict[str, Any]]] = {t: [] for t in targets}
    for row in rows:
        if row["thread_root"] is None:
            thread = {
                "root": row,
                "replies": [],
                "anchor": comment_anchor(row["id"]),
            }
            threads[row["id"]] = thread
            by_target.setdefault((row["target_kind"], row["target_id"]), []).append(thread)
        elif row["thread_root"] in threads:
            threads[row["thread_root"]]["replies"].append(row)
    panels = []
    for target_kind, target_id in targets:
        route, param = NEW_THREAD_ROUTES[target_kind]
        listed = by_target[(target_kind, target_id)]
        heading = (headings or {}).get(target_id) if target_kind == "gate" else None
        panels.append(
            {
                "kind": target_kind,
                "target_id": target_id,
                "heading": heading or f"Comments on the {TARGET_KINDS[target_kind].lower()}",
                "anchor": panel_anchor(target_kind, target_id),
                "route": route,
                "params": {param: target_id},
                "threads": listed,
                "open_count": sum(1 for t in listed if t["root"]["resolved_at"] is None),
            }
        )
    return {
        "comment_panels": panels,
        "comment_hint": mentions.HINT,
        "comment_agency": agency_id,
        "comment_resolvers": RESOLVERS,
    }


async def gate_context(decisions: list[dict[str, Any]], agency_id: int) -> dict[str, Any]:
    """context() for a stage page: a panel per gate decision ({id, decision, decided_at})."""
    headings = {
        d["id"]: f"Comments on the {gate_heading(d)[0].lower()}{gate_heading(d)[1:]}"
        for d in decisions
    }
    return await context("gate", [d["id"] for d in decisions], agency_id, headings)
