"""@mentions in a comment: the tokens typed, and the people they name.

Syntax (shown under every comment box): `@[Full Name]` names a person by their
name as Tandem shows it; `@jane.doe` names a person by their email address's
part before the @. Either way, only people who can read the thing (the agency's
members and its liaisons) can be mentioned; anything else is an error that names
the token, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

HINT = (
    "Markdown is allowed. Mention someone who can read this with @[Full Name] "
    "or with the part of their email address before the @, like @jane.doe; "
    "they are told in their inbox."
)

# Not after a letter, digit, "@" or ".": "x@y.org" is an address, not a mention.
_MENTION = re.compile(
    r"(?<![A-Za-z0-9_@.\[])@(?:\[(?P<name>[^\]\n]{1,120})\]"
    r"|(?P<local>[A-Za-z0-9_](?:[A-Za-z0-9._\-]{0,62}[A-Za-z0-9_])?))"
)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def tokens(body: str) -> list[str]:
    """The mention tokens as typed ("@[Jane Doe]", "@jane.doe"), each once, in order."""
    return list(dict.fromkeys(m.group(0) for m in _MENTION.finditer(body or "")))


@dataclass
class Resolved:
    user_ids: list[int] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # no reader by that name
    ambiguous: list[str] = field(default_factory=list)  # more than one reader

    def message(self) -> str | None:
        parts = []
        if self.unknown:
            parts.append(
                f"No one who can read this is called {_and(self.unknown)}: "
                "check the spelling, or mention only people of this agency and its liaisons"
            )
        if self.ambiguous:
            parts.append(
                f"{_and(self.ambiguous)} could be more than one person: "
                "write @[Full Name] or the part of their email address before the @"
            )
        return ". ".join(parts) + "." if parts else None


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def resolve(typed: list[str], readers: list[dict[str, Any]]) -> Resolved:
    """Match tokens against the readers ({id, name, email}); a name must match
    exactly (case and spacing aside), an email part likewise."""
    by_name: dict[str, set[int]] = {}
    by_local: dict[str, set[int]] = {}
    for person in readers:
        by_name.setdefault(_key(person["name"]), set()).add(person["id"])
        local = (person["email"] or "").rsplit("@", 1)[0]
        by_local.setdefault(local.casefold(), set()).add(person["id"])
    out = Resolved()
    for token in typed:
        if token.startswith("@["):
            found = by_name.get(_key(token[2:-1]), set())
        else:
            found = by_local.get(token[1:].casefold(), set())
        if not found:
            out.unknown.append(token)
        elif len(found) > 1:
            out.ambiguous.append(token)
        elif next(iter(found)) not in out.user_ids:
            out.user_ids.append(next(iter(found)))
    return out
