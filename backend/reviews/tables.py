"""Comments on the things a team is reviewed on, who was mentioned, sign-offs of sprint
reviews, and the notifications that come of them."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Agency, User
from backend.scrum.tables import Sprint

# What a thread is about: (kind, the id of that row). The agency is stored too, so
# every read is scoped by it without a join per kind.
TARGET_KINDS = {
    "sprint_review": "Sprint review",
    "sprint_retrospective": "Sprint retrospective",
    "gate": "Stage gate decision",
    "profile": "Practice profile version",
    "finding": "Finding",
    "item": "Backlog item",
}
SIGN_OFF_DECISIONS = {"signed_off": "Signed off", "changes_requested": "Changes requested"}
NOTIFICATION_KINDS = {
    "mention": "Mentioned you",
    "reply": "Replied in a thread you are in",
    "sign_off": "Signed off",
    "changes_requested": "Requested changes",
    "review_ready": "Ready for review",
}
DIGEST_CHOICES = {"off": "No email", "daily": "Daily digest", "weekly": "Weekly digest"}


class Comment(Table):
    """A comment in a thread. The first comment (thread_root None) starts the thread
    and carries whether the thread is resolved."""

    agency = ForeignKey(references=Agency, null=False, on_delete=OnDelete.cascade, index=True)
    target_kind = Varchar(length=30, null=False)
    target_id = Integer(null=False, index=True)
    thread_root = ForeignKey(references="self", null=True, on_delete=OnDelete.cascade)
    author = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    body = Text(null=False)  # markdown
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=1)


class Mention(Table):
    comment = ForeignKey(references=Comment, null=False, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)


class SprintSignOff(Table, tablename="sprint_sign_off"):
    """A liaison's decision on a sprint review: signed off, or changes requested.
    Never edited: a later decision adds a row, so the history is kept."""

    sprint = ForeignKey(references=Sprint, null=False, on_delete=OnDelete.cascade, index=True)
    decision = Varchar(length=20, null=False)
    comment = Text(default="")
    signed_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    signed_at = Timestamptz(null=False)


class Notification(Table):
    """One event for one person: shown in their inbox, and sent in their next digest
    (emailed_at) unless they chose no email."""

    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    agency = ForeignKey(references=Agency, null=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=30, null=False)
    text = Varchar(length=300, null=False)
    url = Varchar(length=300, default="")  # a path on this site
    comment = ForeignKey(references=Comment, null=True, on_delete=OnDelete.cascade)
    actor = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(null=False)
    read_at = Timestamptz(null=True, default=None)
    emailed_at = Timestamptz(null=True, default=None)


class DigestSetting(Table, tablename="digest_setting"):
    """How often a person gets their email digest; no row means daily."""

    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, unique=True)
    frequency = Varchar(length=10, default="daily")
    last_sent_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


TABLES = [Comment, Mention, SprintSignOff, Notification, DigestSetting]
