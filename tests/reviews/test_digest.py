"""The email digest: batching, daily and weekly timing on a fake clock, failures
retried, sent over a local SMTP server the test starts (never a real one)."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from backend import clock, db
from backend.cli import send_digests
from backend.reviews.digest import MAX_LINES, is_due, send_due_digests
from backend.reviews.notify import notify
from backend.reviews.tables import Comment, DigestSetting, Notification

BASE = "https://tandem.example.org"
MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the local SMTP server received; it refuses mail to `refuse`."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


class LocalServer:
    """aiosmtpd on 127.0.0.1 at a free port; can be stopped and started again
    (a new Controller each time, on the same port)."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = LocalServer()
    server.start()
    yield server, server.inbox
    server.stop()


@pytest.fixture
def mail_settings(settings, smtp):
    controller, _ = smtp
    return replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        smtp_starttls=False,
        smtp_timeout_seconds=5,
        mail_from="tandem@test.example",
        base_url=BASE,
    )


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now
        clock.set_clock(lambda: self.now)

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def fake_clock(app):
    return FakeClock(MONDAY_9AM)  # the app fixture restores real time afterwards


async def tell(user_ids, text, url="/initiatives/1", *, agency_id, actor_id=None, **kw):
    async with db.writing():
        return await notify(
            user_ids,
            kind="mention",
            text=text,
            url=url,
            agency_id=agency_id,
            actor_id=actor_id,
            **kw,
        )


async def choose(user_id: int, frequency: str) -> None:
    async with db.writing():
        await DigestSetting.insert(DigestSetting(user=user_id, frequency=frequency))


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def html(message) -> str:
    return message.get_body(("html",)).get_content()


async def unsent(user_id: int) -> int:
    return await Notification.count().where(
        Notification.user == user_id, Notification.emailed_at.is_null()
    )


async def test_three_notifications_make_one_email_with_three_lines(
    world, mail_settings, smtp, fake_clock
):
    _, inbox = smtp
    member = world.users["team_member"]
    for n in range(3):
        await tell(
            [member],
            f"Update number {n + 1}",
            f"/initiatives/{world.initiative_id}?n={n}",
            agency_id=world.agency_id,
        )
        fake_clock.advance(minutes=5)

    report = await send_due_digests(mail_settings)

    assert (report.sent, report.failed) == (1, 0)
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["Subject"] == "Tandem: 3 updates"
    assert message["To"] == "team_member@test.example"
    assert message["From"] == "tandem@test.example"
    body = plain(message)
    lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert [line.split(" (")[0] for line in lines] == [
        "- Update number 3",  # newest first
        "- Update number 2",
        "- Update number 1",
    ]
    assert "Test Agency" in body  # grouped under the agency
    assert f"{BASE}/initiatives/{world.initiative_id}?n=2" in body  # absolute links
    assert f"{BASE}/account/notifications" in body
    assert f"{BASE}/inbox" in body
    assert f'href="{BASE}/initiatives/{world.initiative_id}?n=0"' in html(message)
    assert await unsent(member) == 0
    setting = await DigestSetting.select().where(DigestSetting.user == member)
    assert setting[0]["frequency"] == "daily"  # no row meant daily; the row is made now
    assert setting[0]["last_sent_at"] == MONDAY_9AM + timedelta(minutes=15)


async def test_each_person_gets_only_their_own_notifications(
    world, mail_settings, smtp, fake_clock
):
    _, inbox = smtp
    lead, owner = world.users["agency_lead"], world.users["product_owner"]
    await tell([lead], "For the lead only", agency_id=world.agency_id)
    await tell([owner], "For the product owner only", agency_id=world.agency_id)
    await tell([lead, owner], "For both", agency_id=world.agency_id)

    assert (await send_due_digests(mail_settings)).sent == 2

    lead_mail = plain(inbox.to("agency_lead@test.example")[0])
    owner_mail = plain(inbox.to("product_owner@test.example")[0])
    assert "For the lead only" in lead_mail and "For both" in lead_mail
    assert "product owner only" not in lead_mail
    assert "For the product owner only" in owner_mail and "For both" in owner_mail
    assert "lead only" not in owner_mail


async def test_daily_sends_at_most_once_a_day(world, mail_settings, smtp, fake_clock):
    _, inbox = smtp
    member = world.users["team_member"]
    await tell([member], "Morning news", agency_id=world.agency_id)
    assert (await send_due_digests(mail_settings)).sent == 1

    fake_clock.advance(hours=3)
    await tell([member], "Lunchtime news", agency_id=world.agency_id)
    assert (await send_due_digests(mail_settings)).sent == 0  # not twice the same day
    assert (await send_due_digests(mail_settings)).sent == 0  # running again changes nothing
    assert len(inbox.messages) == 1
    assert await unsent(member) == 1

    fake_clock.now = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)  # just after midnight UTC
    assert (await send_due_digests(mail_settings)).sent == 1
    assert len(inbox.messages) == 2
    second = plain(inbox.messages[1])
    assert "Lunchtime news" in second and "Morning news" not in second
    assert inbox.messages[1]["Subject"] == "Tandem: 1 update"

    fake_clock.advance(hours=1)
    assert (await send_due_digests(mail_settings)).sent == 0  # nothing new: no email


async def test_weekly_waits_seven_days(world, mail_settings, smtp, fake_clock):
    _, inbox = smtp
    member = world.users["team_member"]
    await choose(member, "weekly")
    await tell([member], "First week", agency_id=world.agency_id)
    assert (await send_due_digests(mail_settings)).sent == 1  # never sent before: due

    for day in range(1, 7):
        fake_clock.now = MONDAY_9AM + timedelta(days=day)
        await tell([member], f"Day {day}", agency_id=world.agency_id)
        assert (await send_due_digests(mail_settings)).sent == 0
    # A week later, even a little earlier in the day than last time (cron jitter).
    fake_clock.now = MONDAY_9AM + timedelta(days=7, minutes=-1)
    assert (await send_due_digests(mail_settings)).sent == 1
    assert len(inbox.messages) == 2
    assert inbox.messages[1]["Subject"] == "Tandem: 6 updates"


def test_due_rule_in_days():
    monday = MONDAY_9AM
    assert is_due("daily", None, monday)
    assert not is_due("daily", monday.replace(hour=0), monday)
    assert is_due("daily", monday - timedelta(minutes=9 * 60 + 1), monday)  # Sunday 23:59
    assert not is_due("weekly", monday - timedelta(days=6), monday)
    assert is_due("weekly", monday - timedelta(days=7) + timedelta(hours=14), monday)
    assert not is_due("off", None, monday)


async def test_off_sends_nothing_and_switching_back_sends_what_is_unsent(
    world, mail_settings, smtp, fake_clock
):
    _, inbox = smtp
    member = world.users["team_member"]
    await choose(member, "off")
    await tell([member], "While email was off", agency_id=world.agency_id)
    assert (await send_due_digests(mail_settings)).sent == 0
    assert inbox.messages == []
    assert await unsent(member) == 1  # still in the inbox, not marked emailed

    await DigestSetting.update({DigestSetting.frequency: "daily"}).where(
        DigestSetting.user == member
    )
    fake_clock.advance(days=1)
    assert (await send_due_digests(mail_settings)).sent == 1
    assert "While email was off" in plain(inbox.messages[0])


async def test_read_inactive_and_removed_people_get_no_email(
    world, mail_settings, smtp, fake_clock
):
    from backend.accounts.tables import Membership, User

    _, inbox = smtp
    member, owner, master = (
        world.users["team_member"],
        world.users["product_owner"],
        world.users["scrum_master"],
    )
    await tell([member, owner, master], "Something happened", agency_id=world.agency_id)
    await Notification.update({Notification.read_at: MONDAY_9AM}).where(Notification.user == member)
    await User.update({User.active: False}).where(User.id == owner)
    await Membership.update({Membership.active: False}).where(Membership.user == master)

    report = await send_due_digests(mail_settings)

    assert report.sent == 0
    assert inbox.messages == []


async def test_comment_bodies_never_leave_tandem(world, mail_settings, smtp, fake_clock):
    _, inbox = smtp
    async with db.writing():
        comment = (
            await Comment.insert(
                Comment(
                    agency=world.agency_id,
                    target_kind="item",
                    target_id=1,
                    author=world.lead,
                    body="Child's case number 12-3456 and a home address",
                )
            )
        )[0]["id"]
    await tell(
        [world.users["team_member"]],
        "Agency Lead mentioned you on a backlog item",
        agency_id=world.agency_id,
        actor_id=world.lead,
        comment_id=comment,
    )
    await send_due_digests(mail_settings)
    raw = inbox.messages[0].as_string()
    assert "mentioned you on a backlog item" in plain(inbox.messages[0])
    assert "12-3456" not in raw and "home address" not in raw


async def test_a_refused_send_changes_nothing_and_others_still_get_theirs(
    world, mail_settings, smtp, fake_clock
):
    _, inbox = smtp
    member, owner = world.users["team_member"], world.users["product_owner"]
    await tell([member, owner], "News", agency_id=world.agency_id)
    inbox.refuse.add("team_member@test.example")

    report = await send_due_digests(mail_settings)

    assert (report.sent, report.failed) == (1, 1)
    assert [m["To"] for m in inbox.messages] == ["product_owner@test.example"]
    assert await unsent(member) == 1
    # Claimed for the run, then released: no digest counts as sent.
    kept = await DigestSetting.select(DigestSetting.last_sent_at).where(
        DigestSetting.user == member
    )
    assert all(row["last_sent_at"] is None for row in kept)
    assert await unsent(owner) == 0

    inbox.refuse.clear()
    fake_clock.advance(minutes=60)  # the next hourly run, same day: retried
    assert (await send_due_digests(mail_settings)).sent == 1
    assert inbox.messages[-1]["To"] == "team_member@test.example"
    assert await unsent(member) == 0


async def test_a_stopped_server_leaves_everything_unsent_for_the_next_run(
    world, mail_settings, smtp, fake_clock
):
    controller, inbox = smtp
    member = world.users["team_member"]
    await tell([member], "News", agency_id=world.agency_id)
    controller.stop()

    report = await send_due_digests(mail_settings)

    assert (report.sent, report.failed) == (0, 1)
    assert await unsent(member) == 1
    assert "retried" in report.summary()

    controller.start()  # back, on the same port
    assert (await send_due_digests(mail_settings)).sent == 1
    assert await unsent(member) == 0
    assert len(inbox.messages) == 1


async def test_no_smtp_host_sends_nothing_and_says_so(world, settings, fake_clock, caplog):
    member = world.users["team_member"]
    await tell([member], "News", agency_id=world.agency_id)
    report = await send_due_digests(replace(settings, smtp_host=""))
    assert report.email_off and report.sent == 0
    assert "SMTP_HOST is not set" in report.summary()
    assert "SMTP_HOST is not set" in caplog.text
    assert await unsent(member) == 1


async def test_a_long_pile_lists_the_newest_and_counts_the_rest(
    world, mail_settings, smtp, fake_clock
):
    _, inbox = smtp
    member = world.users["team_member"]
    for n in range(MAX_LINES + 3):
        await tell([member], f"Item {n}", agency_id=world.agency_id)
        fake_clock.advance(seconds=1)
    await send_due_digests(mail_settings)
    message = inbox.messages[0]
    assert message["Subject"] == f"Tandem: {MAX_LINES + 3} updates"
    body = plain(message)
    assert f"Item {MAX_LINES + 2} (" in body and "Item 2 (" not in body
    assert "And 3 older updates" in body
    assert await unsent(member) == 0


async def test_send_digests_command(world, mail_settings, smtp, fake_clock):
    _, inbox = smtp
    await tell(
        [world.users["team_member"], world.users["viewer"]], "News", agency_id=world.agency_id
    )
    # The command opens its own database connection, like cron would.
    assert await send_digests(mail_settings) == "2 digests sent."
    assert await send_digests(mail_settings) == "0 digests sent."
    assert len(inbox.messages) == 2


@pytest.mark.filterwarnings("ignore:Requiring AUTH")
async def test_logs_in_when_a_user_is_given(world, mail_settings, fake_clock):
    from aiosmtpd.smtp import AuthResult

    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"right-password")

    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,  # a test server only: real servers use STARTTLS
        auth_required=True,
    )
    controller.start()
    try:
        member = world.users["team_member"]
        await tell([member], "News", agency_id=world.agency_id)
        wrong = replace(mail_settings, smtp_port=port, smtp_user="tandem", smtp_password="wrong")
        assert (await send_due_digests(wrong)).failed == 1
        assert await unsent(member) == 1
        right = replace(wrong, smtp_password="right-password")
        assert (await send_due_digests(right)).sent == 1
        assert logins[-1] == (b"tandem", b"right-password")
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


async def test_choosing_the_digests_takes_the_same_queries_for_many_people(
    world, mail_settings, fake_clock, count_queries
):
    from backend.reviews.digest import due_digests

    await tell([world.users["team_member"]], "One", agency_id=world.agency_id)
    with count_queries() as one:
        assert len(await due_digests(mail_settings, fake_clock.now)) == 1
    await tell(list(world.users.values()), "Many", agency_id=world.agency_id)
    with count_queries() as many:
        assert len(await due_digests(mail_settings, fake_clock.now)) > 5
    assert one.count == many.count == 4


async def test_an_address_the_email_library_refuses_does_not_stop_the_others(
    world, mail_settings, smtp, fake_clock
):
    from backend.accounts.tables import User

    _, inbox = smtp
    bad, good = world.users["team_member"], world.users["scrum_master"]
    await User.update({User.email: "broken@x.org."}).where(User.id == bad)
    await tell([bad, good], "A reply", agency_id=world.agency_id)
    report = await send_due_digests(mail_settings)
    assert report.failed == 1 and report.sent == 1
    assert len(inbox.messages) == 1 and inbox.messages[0]["To"] != "broken@x.org."
    # The refused person's notifications wait, and their digest is due again.
    assert await unsent(bad) == 1
    again = await send_due_digests(mail_settings)
    assert again.failed == 1 and again.sent == 0


async def test_two_runs_at_once_send_one_digest(world, mail_settings, smtp, fake_clock):
    from backend.reviews import digest

    person = world.users["scrum_master"]
    await tell([person], "A reply", agency_id=world.agency_id)
    now = clock.now()
    first = await digest.due_digests(mail_settings, now)
    second = await digest.due_digests(mail_settings, now)
    assert await digest.claim(first[0], now)
    assert not await digest.claim(second[0], now)
