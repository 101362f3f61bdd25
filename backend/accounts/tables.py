"""Agencies, people, their roles, sessions, sign-in failures and API tokens."""

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

AGENCY_KINDS = ("state", "county", "tribal")


class Agency(Table):
    name = Varchar(length=200, null=False)
    slug = Varchar(length=80, unique=True, null=False)
    state = Varchar(length=50, default="")
    kind = Varchar(length=20, default="state", choices=None)
    # PII-01: the agency's case-number shapes, one per line (# a digit, A a letter).
    case_number_patterns = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class User(Table, tablename="app_user"):
    """A person. `user` is a reserved word on PostgreSQL, hence the table name."""

    name = Varchar(length=200, null=False)
    email = Varchar(length=254, unique=True, null=False)  # stored lower-case
    # "" means no password yet (an invitation not taken up): nobody can sign in.
    password_hash = Varchar(length=255, default="")
    totp_secret = Varchar(length=64, default="")
    # The last TOTP time step accepted, so a code cannot be used twice.
    totp_last_step = BigInt(default=0)
    is_site_admin = Boolean(default=False)
    active = Boolean(default=True)
    # Bumped to end every session of this user at once (deactivation, new password).
    session_generation = Integer(default=1)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class Membership(Table):
    """A user's role in one agency; unique per (user, agency) by an index in the migration."""

    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade)
    agency = ForeignKey(references=Agency, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=20, null=False)
    active = Boolean(default=True)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class LiaisonAssignment(Table, tablename="liaison_assignment"):
    """A Center for States liaison x an agency they support (read, comment, sign off)."""

    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade)
    agency = ForeignKey(references=Agency, null=False, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())


class AuthSession(Table, tablename="auth_session"):
    """A signed-in browser. Only a hash of the cookie value is stored."""

    key_hash = Varchar(length=64, unique=True, null=False)
    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade)
    generation = Integer(null=False)
    # "active"; "code" (password accepted, TOTP code awaited);
    # "enroll" (a site admin who must set up TOTP before anything else).
    state = Varchar(length=10, null=False)
    created_at = Timestamptz(null=False)
    last_seen_at = Timestamptz(null=False)


class LoginFailure(Table, tablename="login_failure"):
    """One failed sign-in, keyed by account ("email:...") or client ("ip:...")."""

    key = Varchar(length=300, null=False, index=True)
    at = Timestamptz(null=False)


class ApiToken(Table, tablename="api_token"):
    """A personal token for scripts: the secret is shown once, only its hash is kept."""

    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=100, null=False)
    token_hash = Varchar(length=64, unique=True, null=False)
    prefix = Varchar(length=16, null=False)  # shown in lists so people can tell tokens apart
    created_at = Timestamptz(null=False)
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Invitation(Table):
    """A one-time link with which an invited person chooses their password."""

    user = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True, null=False)
    expires_at = Timestamptz(null=False)
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(null=False)


TABLES = [
    Agency,
    User,
    Membership,
    LiaisonAssignment,
    AuthSession,
    LoginFailure,
    ApiToken,
    Invitation,
]
