"""Where sessions and sign-in failures live: the database, or Redis when REDIS_URL is set.

Both are shared by every worker process and survive a restart of the app, so
no process keeps sessions or throttling state in its own memory.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from backend import db
from backend.accounts.tables import AuthSession, LoginFailure


@dataclass
class SessionRecord:
    user_id: int
    generation: int
    state: str
    created_at: datetime
    last_seen_at: datetime


class Store(Protocol):
    async def save_session(self, key_hash: str, record: SessionRecord, lifetime: int) -> None: ...
    async def load_session(self, key_hash: str) -> SessionRecord | None: ...
    async def touch_session(self, key_hash: str, when: datetime) -> None: ...
    async def delete_session(self, key_hash: str) -> None: ...
    async def add_failure(self, key: str, when: datetime, window: int) -> str: ...
    async def remove_failure(self, key: str, handle: str) -> None: ...
    async def failures_since(self, key: str, since: datetime) -> list[datetime]: ...
    async def clear_failures(self, key: str) -> None: ...
    async def close(self) -> None: ...


class DatabaseStore:
    """Sessions and failures as rows; expired rows are swept as new ones arrive."""

    async def save_session(self, key_hash: str, record: SessionRecord, lifetime: int) -> None:
        async with db.writing():
            # Sessions older than any absolute timeout are of no use to anyone.
            await AuthSession.delete().where(
                AuthSession.created_at < record.created_at - timedelta(seconds=lifetime)
            )
            await AuthSession.insert(
                AuthSession(
                    key_hash=key_hash,
                    user=record.user_id,
                    generation=record.generation,
                    state=record.state,
                    created_at=record.created_at,
                    last_seen_at=record.last_seen_at,
                )
            )

    async def load_session(self, key_hash: str) -> SessionRecord | None:
        rows = await AuthSession.select(
            AuthSession.user,
            AuthSession.generation,
            AuthSession.state,
            AuthSession.created_at,
            AuthSession.last_seen_at,
        ).where(AuthSession.key_hash == key_hash)
        if not rows:
            return None
        row = rows[0]
        return SessionRecord(
            user_id=row["user"],
            generation=row["generation"],
            state=row["state"],
            created_at=_aware(row["created_at"]),
            last_seen_at=_aware(row["last_seen_at"]),
        )

    async def touch_session(self, key_hash: str, when: datetime) -> None:
        async with db.writing():
            await AuthSession.update({AuthSession.last_seen_at: when}).where(
                AuthSession.key_hash == key_hash
            )

    async def delete_session(self, key_hash: str) -> None:
        async with db.writing():
            await AuthSession.delete().where(AuthSession.key_hash == key_hash)

    async def add_failure(self, key: str, when: datetime, window: int) -> str:
        """Records one failure; returns a handle with which it can be taken back."""
        async with db.writing():
            await LoginFailure.delete().where(LoginFailure.at < when - timedelta(seconds=window))
            rows = await LoginFailure.insert(LoginFailure(key=key, at=when)).returning(
                LoginFailure.id
            )
        return str(rows[0]["id"])

    async def remove_failure(self, key: str, handle: str) -> None:
        async with db.writing():
            await LoginFailure.delete().where(
                (LoginFailure.id == int(handle)) & (LoginFailure.key == key)
            )

    async def failures_since(self, key: str, since: datetime) -> list[datetime]:
        rows = await LoginFailure.select(LoginFailure.at).where(
            (LoginFailure.key == key) & (LoginFailure.at >= since)
        )
        return sorted(_aware(r["at"]) for r in rows)

    async def clear_failures(self, key: str) -> None:
        async with db.writing():
            await LoginFailure.delete().where(LoginFailure.key == key)

    async def close(self) -> None:
        return None


class RedisStore:
    """Sessions as JSON values with a TTL; failures as sorted sets of timestamps."""

    def __init__(self, url: str, prefix: str = "tandem"):
        import redis.asyncio as redis

        self.redis = redis.from_url(url)
        self.prefix = prefix

    def _session_key(self, key_hash: str) -> str:
        return f"{self.prefix}:session:{key_hash}"

    def _failure_key(self, key: str) -> str:
        return f"{self.prefix}:failures:{key}"

    async def save_session(self, key_hash: str, record: SessionRecord, lifetime: int) -> None:
        value = {
            **asdict(record),
            "created_at": record.created_at.isoformat(),
            "last_seen_at": record.last_seen_at.isoformat(),
        }
        await self.redis.set(self._session_key(key_hash), json.dumps(value), ex=lifetime)

    async def load_session(self, key_hash: str) -> SessionRecord | None:
        raw = await self.redis.get(self._session_key(key_hash))
        if raw is None:
            return None
        value = json.loads(raw)
        return SessionRecord(
            user_id=value["user_id"],
            generation=value["generation"],
            state=value["state"],
            created_at=datetime.fromisoformat(value["created_at"]),
            last_seen_at=datetime.fromisoformat(value["last_seen_at"]),
        )

    async def touch_session(self, key_hash: str, when: datetime) -> None:
        key = self._session_key(key_hash)
        raw = await self.redis.get(key)
        if raw is None:
            return
        value = json.loads(raw)
        value["last_seen_at"] = when.isoformat()
        # xx: only if still there, so a sign-out in between is not undone.
        await self.redis.set(key, json.dumps(value), keepttl=True, xx=True)

    async def delete_session(self, key_hash: str) -> None:
        await self.redis.delete(self._session_key(key_hash))

    async def add_failure(self, key: str, when: datetime, window: int) -> str:
        name = self._failure_key(key)
        stamp = when.timestamp()
        member = f"{stamp}:{secrets.token_hex(8)}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", stamp - window)
            pipe.zadd(name, {member: stamp})
            pipe.expire(name, window)
            await pipe.execute()
        return member

    async def remove_failure(self, key: str, handle: str) -> None:
        await self.redis.zrem(self._failure_key(key), handle)

    async def failures_since(self, key: str, since: datetime) -> list[datetime]:
        scores = await self.redis.zrangebyscore(
            self._failure_key(key), since.timestamp(), "+inf", withscores=True
        )
        return [datetime.fromtimestamp(score, UTC) for _, score in scores]

    async def clear_failures(self, key: str) -> None:
        await self.redis.delete(self._failure_key(key))

    async def close(self) -> None:
        await self.redis.aclose()


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def make_store(redis_url: str, redis_prefix: str = "tandem") -> Store:
    return RedisStore(redis_url, redis_prefix) if redis_url else DatabaseStore()
