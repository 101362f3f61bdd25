"""The email digest: who is due one now, what it says, and recording that it went.

Rules (README "Email digest"):
- Each person chooses off, daily or weekly (DigestSetting; no row means daily).
- A digest lists that person's notifications that are neither emailed nor read
  yet (what they read in the inbox needs no email), for agencies they can still
  read. Choosing "off" never emails; switching back on later sends everything
  still unsent and unread (newest MAX_LINES listed, the rest counted).
- Daily: due when the last digest was sent before the start of today (UTC).
  Weekly: due when the last digest was sent on a day 7 or more days before today
  (UTC), or never. Counting in days, not hours, keeps an hourly cron from
  drifting a week's digest by an hour at a time.
- Only the notification text and its link are sent, never comment bodies: they
  may hold things that should stay in Tandem.
- A digest is recorded (emailed_at on exactly the notifications it listed, and
  last_sent_at) only after the SMTP server accepted it; a failure changes nothing,
  so the next run tries again, and does not stop other people's digests.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from backend import clock, db
from backend.accounts.tables import LiaisonAssignment, Membership
from backend.config import Settings
from backend.reviews import mailer
from backend.reviews.tables import DigestSetting, Notification

log = logging.getLogger("tandem.digest")

DEFAULT_FREQUENCY = "daily"
WEEK_DAYS = 7
# A person who comes back from "off" could have hundreds waiting: list the newest.
MAX_LINES = 50
SETTINGS_PATH = "/account/notifications"
INBOX_PATH = "/inbox"  # reviews.inbox


@dataclass
class Line:
    id: int
    text: str
    link: str
    created_at: datetime


@dataclass
class Group:
    agency: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class Digest:
    """One person's email: every notification id it stands for, and its groups."""

    user_id: int
    name: str
    email: str
    notification_ids: list[int]
    groups: list[Group]
    more: int  # unsent notifications counted but not listed (over MAX_LINES)
    # The person's DigestSetting version when the digest was chosen (1 when they had
    # no row yet): claim() takes the digest only if it is unchanged.
    setting_version: int = 1
    last_sent_at: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.notification_ids)

    @property
    def updates(self) -> str:
        return f"{self.count} update{'' if self.count == 1 else 's'}"

    @property
    def subject(self) -> str:
        return f"Tandem: {self.updates}"


@dataclass
class RunReport:
    sent: int = 0
    failed: int = 0
    email_off: bool = False  # no SMTP_HOST: nothing was tried

    def summary(self) -> str:
        if self.email_off:
            return (
                "SMTP_HOST is not set: no digests sent. Notifications stay in the "
                "in-app inbox; set SMTP_HOST to send email."
            )
        failed = f"; {self.failed} failed and will be retried next run" if self.failed else ""
        return f"{self.sent} digest{'' if self.sent == 1 else 's'} sent{failed}."


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back what was stored; treat a naive time as UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def start_of_day(now: datetime) -> datetime:
    now = now.astimezone(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def is_due(frequency: str, last_sent_at: datetime | None, now: datetime) -> bool:
    """Whether a person with unsent notifications gets a digest on a run at `now`."""
    last = _aware(last_sent_at)
    if frequency == "off":
        return False
    if last is None:
        return True
    if frequency == "weekly":
        return start_of_day(last) <= start_of_day(now) - timedelta(days=WEEK_DAYS)
    return last < start_of_day(now)  # daily, and anything unknown


def _one_line(text: str) -> str:
    # One notification, one line: a stray newline must not break the layout.
    return re.sub(r"\s+", " ", text).strip()


async def due_digests(settings: Settings, now: datetime) -> list[Digest]:
    """Every digest due at `now`, built in four queries whatever the number of people."""
    rows = (
        await Notification.select(
            Notification.id,
            Notification.user,
            Notification.user.name.as_alias("user_name"),
            Notification.user.email.as_alias("email"),
            Notification.agency,
            Notification.agency.name.as_alias("agency_name"),
            Notification.text,
            Notification.url,
            Notification.created_at,
        )
        .where(
            Notification.emailed_at.is_null(),
            Notification.read_at.is_null(),
            Notification.user.active.eq(True),
        )
        .order_by(Notification.created_at, ascending=False)
        .order_by(Notification.id, ascending=False)
    )
    if not rows:
        return []
    user_ids = sorted({r["user"] for r in rows})
    choices = {
        s["user"]: s
        for s in await DigestSetting.select(
            DigestSetting.user,
            DigestSetting.frequency,
            DigestSetting.last_sent_at,
            DigestSetting.version,
        ).where(DigestSetting.user.is_in(user_ids))
    }
    due = {
        u
        for u in user_ids
        if is_due(
            choices.get(u, {}).get("frequency", DEFAULT_FREQUENCY),
            choices.get(u, {}).get("last_sent_at"),
            now,
        )
    }
    if not due:
        return []
    # A person removed from an agency keeps its old notifications in the inbox,
    # but their email must not tell them more about it.
    readable: set[tuple[int, int]] = set()
    for m in await Membership.select(Membership.user, Membership.agency).where(
        Membership.user.is_in(sorted(due)), Membership.active.eq(True)
    ):
        readable.add((m["user"], m["agency"]))
    for a in await LiaisonAssignment.select(LiaisonAssignment.user, LiaisonAssignment.agency).where(
        LiaisonAssignment.user.is_in(sorted(due))
    ):
        readable.add((a["user"], a["agency"]))

    base = settings.base_url.rstrip("/")
    digests: dict[int, Digest] = {}
    for r in rows:  # newest first
        user = r["user"]
        if user not in due or not (r["email"] or "").strip():
            continue
        agency = r["agency"]
        # Site admins too: being an admin does not make an agency's news theirs.
        if agency is not None and (user, agency) not in readable:
            continue
        digest = digests.get(user)
        if digest is None:
            setting = choices.get(user, {})
            digest = digests[user] = Digest(
                user,
                r["user_name"],
                r["email"],
                [],
                [],
                0,
                setting_version=setting.get("version", 1),
                last_sent_at=setting.get("last_sent_at"),
            )
        digest.notification_ids.append(r["id"])
        if len(digest.notification_ids) > MAX_LINES:
            digest.more += 1
            continue
        label = r["agency_name"] or "Tandem"
        group = next((g for g in digest.groups if g.agency == label), None)
        if group is None:
            group = Group(label)
            digest.groups.append(group)  # groups in order of their newest update
        url = r["url"] or "/"
        group.lines.append(Line(r["id"], _one_line(r["text"]), base + url, _aware(r["created_at"])))
    return list(digests.values())


@lru_cache(maxsize=4)
def _templates(directory: Path) -> Environment:
    # Its own environment: the command runs without the web app. Autoescape for
    # the HTML part only; the text part is plain text.
    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def build_message(settings: Settings, digest: Digest) -> EmailMessage:
    """The email: plain text, with the same content as an HTML alternative."""
    env = _templates(settings.templates_dir)
    context = {
        "digest": digest,
        "settings_link": settings.base_url.rstrip("/") + SETTINGS_PATH,
        "inbox_link": settings.base_url.rstrip("/") + INBOX_PATH,
    }
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = settings.mail_from
    message["To"] = Address(addr_spec=digest.email)
    message.set_content(env.get_template("reviews/email_digest.txt").render(context))
    message.add_alternative(
        env.get_template("reviews/email_digest.html").render(context), subtype="html"
    )
    return message


async def claim(digest: Digest, now: datetime) -> bool:
    """Take this person's digest for this run before sending it, so two runs at once
    (cron and a manual run) never both send it: the setting's version moves on only
    if it is still the one the digest was chosen with."""
    async with db.writing():
        await DigestSetting.insert(
            DigestSetting(user=digest.user_id, frequency=DEFAULT_FREQUENCY)
        ).on_conflict(target=DigestSetting.user, action="DO NOTHING")
        taken = (
            await DigestSetting.update(
                {DigestSetting.last_sent_at: now, DigestSetting.version: DigestSetting.version + 1}
            )
            .where(
                (DigestSetting.user == digest.user_id)
                & (DigestSetting.version == digest.setting_version)
            )
            .returning(DigestSetting.id)
        )
    return bool(taken)


async def release(digest: Digest) -> None:
    """A claimed digest the server refused: due again at the next run."""
    async with db.writing():
        await DigestSetting.update(
            {
                DigestSetting.last_sent_at: digest.last_sent_at,
                DigestSetting.version: DigestSetting.version + 1,
            }
        ).where(DigestSetting.user == digest.user_id)


async def mark_sent(digest: Digest, now: datetime) -> None:
    """Record the notifications of a digest the SMTP server accepted."""
    async with db.writing():
        await Notification.update({Notification.emailed_at: now}).where(
            Notification.id.is_in(digest.notification_ids), Notification.emailed_at.is_null()
        )


async def send_due_digests(settings: Settings) -> RunReport:
    """Send every digest due now (clock.now()). Running it twice in a row sends
    nothing the second time: what was sent is recorded."""
    report = RunReport()
    if not mailer.can_send(settings):
        log.warning("SMTP_HOST is not set: email digests are switched off, nothing sent")
        report.email_off = True
        return report
    now = clock.now()
    for digest in await due_digests(settings, now):
        if not await claim(digest, now):
            continue  # another run took it, or the person changed their choice meanwhile
        try:
            await mailer.send(settings, build_message(settings, digest))
        except Exception as exc:  # noqa: BLE001 - one person's failure must not stop the others
            # An SMTP refusal, or an address the email library cannot write. The
            # address is the person's, so only its user id is logged.
            await release(digest)
            report.failed += 1
            # A MailError says which server refused; other errors may quote the address.
            why = str(exc) if isinstance(exc, mailer.MailError) else type(exc).__name__
            log.error("digest for user %s not sent, will retry: %s", digest.user_id, why)
            continue
        await mark_sent(digest, now)
        report.sent += 1
    return report
