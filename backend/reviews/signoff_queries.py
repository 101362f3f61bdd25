"""Sign-offs of sprint reviews and stage gates: reading the history, recording a
decision, and telling the right people.

Kept apart from the route module (backend/reviews/signoffs.py) because the sprint
page and the scrum and stage-gate services call these, and the routes import the
sprint page: one direction of imports only.

Who hears what (notify() writes one inbox row per person, never the actor):
- a liaison's decision (sprint review or gate): the agency's agency lead, product
  owner and scrum master, who answer for the work;
- a sprint closed, so its review is ready: the liaisons assigned to the agency.
"""

from __future__ import annotations

from typing import Any

from backend import clock, db
from backend.accounts.tables import LiaisonAssignment, Membership, User
from backend.errors import Conflict
from backend.initiatives.tables import GateDecision
from backend.reviews.notify import notify
from backend.reviews.tables import SIGN_OFF_DECISIONS, SprintSignOff
from backend.scrum.tables import Sprint
from backend.web import forms, pii
from backend.web.forms import Errors

COMMENT_MAX = 5000
# The roles who answer for a sprint or a gate when a liaison decides on it.
ANSWERING_ROLES = ("agency_lead", "product_owner", "scrum_master")
# Anchor of the sign-off section on the sprint page (notifications link to it).
SPRINT_ANCHOR = "sign-off"
# How a decision reads in a notification, and the notification's kind.
VERBS = {"signed_off": "signed off", "changes_requested": "requested changes to"}
KIND_OF = {"signed_off": "sign_off", "changes_requested": "changes_requested"}
NEED_COMMENT = "Say what needs to change: a comment is needed when you request changes"


# ---------------------------------------------------------------- the form


def parse_decision(
    data: dict[str, Any],
    *,
    decision_field: str = "decision",
    comment_field: str = "comment",
    decision_key: str = "decision",
    default: str | None = None,
) -> tuple[dict[str, str], Errors]:
    """The decision and its comment; errors under the form's own field ids
    (`*_field`). `decision_key` is the posted name of the decision; `default` is
    used when it is missing (old gate forms had only a comment: a sign-off)."""
    errors = Errors()
    raw = data.get(decision_key)
    decision = forms.choice(
        raw if raw not in (None, "") else default,
        decision_field,
        errors,
        label="Sign off or request changes",
        choices=SIGN_OFF_DECISIONS,
    )
    comment = forms.text(
        data.get("comment"), comment_field, errors, label="Comment", max_length=COMMENT_MAX
    )
    if decision == "changes_requested" and not comment and comment_field not in errors:
        errors.add(comment_field, NEED_COMMENT)
    return {"decision": decision or "", "comment": comment}, errors


async def check_comment(
    data: dict[str, Any],
    agency_id: int,
    errors: Errors,
    comment_field: str,
    form: str,
    *,
    api: bool = False,
) -> None:
    """PII-01 on the comment, its message under the form's own field id; `errors.pii_form`
    names the form that shows the "not personal information" box."""
    found = Errors()
    await pii.check(data, {"comment": "Comment"}, agency_id, found, api=api)
    errors.merge(found, rename={"comment": comment_field})
    errors.pii_flags = found.pii_flags  # type: ignore[attr-defined]
    errors.pii_confirmed = found.pii_confirmed  # type: ignore[attr-defined]
    errors.pii_form = form  # type: ignore[attr-defined]


# ---------------------------------------------------------------- reading


async def sprint_sign_offs(sprint_id: int) -> list[dict[str, Any]]:
    """Every decision on the sprint's review, newest first, in one query."""
    rows = await (
        SprintSignOff.select(
            SprintSignOff.id,
            SprintSignOff.decision,
            SprintSignOff.comment,
            SprintSignOff.signed_by,
            SprintSignOff.signed_by.name.as_alias("signed_by_name"),
            SprintSignOff.signed_at,
        )
        .where(SprintSignOff.sprint == sprint_id)
        .order_by(SprintSignOff.signed_at, ascending=False)
        .order_by(SprintSignOff.id, ascending=False)
    )
    for row in rows:
        row["decision_label"] = SIGN_OFF_DECISIONS.get(row["decision"], row["decision"])
    return rows


async def sprint_review_context(sprint: dict[str, Any]) -> dict[str, Any]:
    """What the sprint page's "Review sign-off" section needs (one query)."""
    return {
        "sign_offs": await sprint_sign_offs(sprint["id"]),
        "sign_off_open": sprint["state"] == "closed",
        "sign_off_options": list(SIGN_OFF_DECISIONS.items()),
        "sign_off_anchor": SPRINT_ANCHOR,
    }


async def answering_people(agency_id: int) -> list[int]:
    rows = await Membership.select(Membership.user).where(
        (Membership.agency == agency_id)
        & (Membership.active == True)  # noqa: E712 - piccolo needs ==
        & Membership.role.is_in(list(ANSWERING_ROLES))
    )
    return [r["user"] for r in rows]


async def liaisons_of(agency_id: int) -> list[int]:
    rows = await LiaisonAssignment.select(LiaisonAssignment.user).where(
        LiaisonAssignment.agency == agency_id
    )
    return [r["user"] for r in rows]


# ---------------------------------------------------------------- writing


async def _sprint_with_agency(sprint_id: int) -> dict[str, Any]:
    rows = await Sprint.select(
        Sprint.id,
        Sprint.number,
        Sprint.state,
        Sprint.initiative.as_alias("initiative"),
        Sprint.initiative.title.as_alias("initiative_title"),
        Sprint.initiative.agency.as_alias("agency"),
    ).where(Sprint.id == sprint_id)
    return rows[0]


def sprint_url(sprint_id: int) -> str:
    return f"/sprints/{sprint_id}#{SPRINT_ANCHOR}"


async def sign_off_sprint(
    sprint_id: int, decision: str, comment: str, user_id: int, user_name: str
) -> int:
    """A liaison's decision on a closed sprint's review: a new row (the history is
    kept), and the team's lead roles told, in one transaction."""
    async with db.writing():
        sprint = await _sprint_with_agency(sprint_id)
        if sprint["state"] != "closed":
            raise Conflict(
                f"Sprint {sprint['number']} is {sprint['state']}: only a closed sprint's "
                "review can be signed off."
            )
        row = (
            await SprintSignOff.insert(
                SprintSignOff(
                    sprint=sprint_id,
                    decision=decision,
                    comment=comment,
                    signed_by=user_id,
                    signed_at=clock.now(),
                )
            ).returning(SprintSignOff.id)
        )[0]
        await notify(
            await answering_people(sprint["agency"]),
            kind=KIND_OF[decision],
            text=f"{user_name} {VERBS[decision]} the review of sprint {sprint['number']} of "
            f"{sprint['initiative_title']}",
            url=sprint_url(sprint_id),
            agency_id=sprint["agency"],
            actor_id=user_id,
        )
    return row["id"]


async def notify_review_ready(sprint_id: int, actor_id: int | None = None) -> int:
    """Tell the agency's liaisons a sprint closed: its review is ready for their
    sign-off. Call inside the transaction that closes the sprint."""
    sprint = await _sprint_with_agency(sprint_id)
    return await notify(
        await liaisons_of(sprint["agency"]),
        kind="review_ready",
        text=f"Sprint {sprint['number']} of {sprint['initiative_title']} closed: "
        "its review is ready for your sign-off",
        url=sprint_url(sprint_id),
        agency_id=sprint["agency"],
        actor_id=actor_id,
    )


async def notify_gate_outcome(decision_id: int, outcome: str, user_id: int) -> int:
    """A liaison's decision on a gate decision, told to the team's lead roles. Call
    inside the transaction that records it."""
    rows = await GateDecision.select(
        GateDecision.progress.initiative.as_alias("initiative"),
        GateDecision.progress.initiative.title.as_alias("initiative_title"),
        GateDecision.progress.initiative.agency.as_alias("agency"),
        GateDecision.progress.stage.as_alias("stage"),
        GateDecision.progress.stage.name.as_alias("stage_name"),
    ).where(GateDecision.id == decision_id)
    gate = rows[0]
    return await notify(
        await answering_people(gate["agency"]),
        kind=KIND_OF[outcome],
        text=f"{await _name_of(user_id)} {VERBS[outcome]} the {gate['stage_name']} gate "
        f"decision of {gate['initiative_title']}",
        url=f"/initiatives/{gate['initiative']}/stages/{gate['stage']}#decision-{decision_id}",
        agency_id=gate["agency"],
        actor_id=user_id,
    )


async def _name_of(user_id: int) -> str:
    rows = await User.select(User.name).where(User.id == user_id)
    return rows[0]["name"] if rows else "A liaison"
