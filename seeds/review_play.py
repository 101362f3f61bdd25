"""The liaison's review of the demo's closed sprints: sign-offs, one request for
changes, and the thread about it on the sprint review, where the product owner
answers and mentions the liaison (so the liaison's inbox and portfolio have an
open review item).

Runs inside seeds/demo.py's transaction after the demo people exist. Decisions go
through the reviews service with the clock moved to two days after each sprint's
end, so their dates read like real history (and the team's notifications are real).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from backend import clock
from backend.accounts.permissions import LIAISON
from backend.accounts.tables import User
from backend.reviews import mentions, threads
from backend.reviews.comments import save_comment
from backend.reviews.signoff_queries import sign_off_sprint
from backend.reviews.tables import TARGET_KINDS
from backend.scrum.tables import Sprint
from seeds import people

# Sprint number -> (decision, comment). Sprints left out are awaiting review.
DECISIONS = {
    1: ("signed_off", "Signed off: the team formed and the data plan is sound."),
    2: ("signed_off", "Signed off. The findings on fathers' engagement are well sourced."),
    3: (
        "changes_requested",
        "Please add how supervisors will coach to the profile before the pilot: the "
        "theory of change names coaching, the sprint review does not.",
    ),
}


async def play(initiative_id: int) -> int:
    """Write the decisions; returns how many."""
    liaison = people.person(LIAISON)
    rows = await User.select(User.id).where(User.email == liaison.email)
    if not rows:
        return 0
    sprints = await Sprint.select(Sprint.id, Sprint.number, Sprint.end_date, Sprint.state).where(
        (Sprint.initiative == initiative_id) & (Sprint.state == "closed")
    )
    made = 0
    try:
        for sprint in sorted(sprints, key=lambda s: s["number"]):
            if sprint["number"] not in DECISIONS:
                continue
            decision, comment = DECISIONS[sprint["number"]]
            moment = datetime.combine(sprint["end_date"] + timedelta(days=2), time(15), UTC)
            clock.set_clock(lambda moment=moment: moment)
            await sign_off_sprint(sprint["id"], decision, comment, rows[0]["id"], liaison.name)
            made += 1
            if decision == "changes_requested":
                await _thread(sprint, moment)
    finally:
        clock.set_clock(None)
    return made


# (author's role, hours after the sign-off, text): the first starts the thread.
THREAD = [
    (
        LIAISON,
        1,
        "Where in the profile will supervisors find the coaching behaviours? I could "
        "not see them in version 1.",
    ),
    (
        "product_owner",
        26,
        "@[{liaison}] They are in version 2 (being tested): one coaching behaviour under "
        "each core component. Could you look before the pilot offices start with it?",
    ),
]


async def _thread(sprint: dict, signed_at: datetime) -> None:
    """The sprint review's thread, through the comments service (mentions resolved
    against the agency's readers, notifications written), left unresolved."""
    found = await Sprint.select(
        Sprint.initiative.as_alias("initiative"), Sprint.initiative.agency.as_alias("agency")
    ).where(Sprint.id == sprint["id"])
    kind = "sprint_review"
    target = {
        "kind": kind,
        "id": sprint["id"],
        "agency": found[0]["agency"],
        "initiative": found[0]["initiative"],
        "label": f"{TARGET_KINDS[kind]} of sprint {sprint['number']}",
        "url": f"/sprints/{sprint['id']}",
    }
    readers = await threads.readers(target["agency"])
    root = None
    for role, hours, text in THREAD:
        author = await User.select(User.id).where(User.email == people.person(role).email)
        body = text.format(liaison=people.person(LIAISON).name)
        moment = signed_at + timedelta(hours=hours)
        clock.set_clock(lambda moment=moment: moment)
        mentioned = mentions.resolve(mentions.tokens(body), readers).user_ids
        comment = await save_comment(
            target, body, author[0]["id"], mentioned, root, {r["id"] for r in readers}
        )
        root = root or comment
