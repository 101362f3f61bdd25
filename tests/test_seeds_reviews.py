"""The demo world's review side: the liaison's sprint sign-offs, the unresolved thread
that mentions them, their inbox and portfolio, and the progress packet with every
section for the demo initiative."""

from __future__ import annotations

import re

from backend.accounts.permissions import LIAISON
from backend.accounts.tables import User
from backend.initiatives.tables import Initiative
from backend.reviews.tables import Comment, Mention, Notification, SprintSignOff
from seeds import demo, people, review_play
from seeds.parent_engagement import INITIATIVE

PACKET_SECTIONS = (
    "Stage map",
    "Sprint summary",
    "Burndown and velocity",
    "Traceability gaps",
    "Fidelity roll-up",
    "Run charts",
    "PDSA log",
    "PIP status",
    "Open review items",
)


async def _demo() -> tuple[int, int]:
    await demo.build()
    initiative = await Initiative.select(Initiative.id).where(
        Initiative.title == INITIATIVE["title"]
    )
    liaison = await User.select(User.id).where(User.email == people.person(LIAISON).email)
    return initiative[0]["id"], liaison[0]["id"]


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_liaison_signed_off_sprints_and_one_thread_waits_for_them(app, client):
    _, liaison = await _demo()
    decisions = await SprintSignOff.select(SprintSignOff.decision).order_by(SprintSignOff.signed_at)
    assert [d["decision"] for d in decisions] == [d for d, _ in review_play.DECISIONS.values()]
    assert await Comment.count() == len(review_play.THREAD)
    assert await Mention.count().where(Mention.user == liaison) == 1
    await client.sign_in_as(liaison)
    inbox = await client.get("/inbox")
    assert "You were mentioned in a comment on the sprint review of sprint 3" in _words(inbox.text)
    portfolio = await client.get("/portfolio")
    assert portfolio.status_code == 200
    assert INITIATIVE["title"] in portfolio.text
    assert await Notification.count().where(Notification.user == liaison) >= 1


async def test_the_packet_has_every_section_for_the_demo_initiative(app, client):
    initiative, _ = await _demo()
    for person in (people.person("agency_lead"), people.person(LIAISON)):
        user = await User.select(User.id).where(User.email == person.email)
        await client.sign_in_as(user[0]["id"])
        packet = await client.get(f"/initiatives/{initiative}/packet")
        assert packet.status_code == 200, person.role
        words = _words(packet.text)
        for section in PACKET_SECTIONS:
            assert section in words, (person.role, section)
        assert "Children placed first with relatives or kin" in words
        assert "Call fathers before the first case planning meeting" in words
