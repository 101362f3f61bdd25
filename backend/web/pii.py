"""Personal-information guard (PII-01): free text that looks like personal information
is flagged before it is saved; the person redacts it or confirms it is not.

Tandem holds planning data, not case records. The detector looks for Social
Security numbers, phone numbers, email addresses, dates of birth (a date next
to "DOB", "date of birth", "born"...) and the agency's own case-number shapes.
Only the kinds of match and the field names are logged, never the text.

How a form uses it (one line per form, after parsing, before saving):

    from backend.web import pii
    await pii.check(data, {"statement": "Statement", "segment": "Population segment"},
                    agency_id, errors)
    if not errors: ...save...

- `data` is the submitted form (or cleaned values); only string values are read.
- Unless `data["pii_confirmed"]` is "yes" (a ticked box; `True` from JSON), each
  flagged field gets a message in `errors` naming the kind and the place.
- `errors` must be a `backend.web.forms.Errors`: check() marks it with
  `errors.pii_flags` (the flags) and `errors.pii_confirmed` (whether the box was
  ticked). The handler passes `errors=errors` to its template as it already
  does, and the template puts `{% include "_pii_confirm.html" %}` inside the
  <form>, before the buttons: it shows the warning and the
  "This is not personal information" checkbox only when `errors.pii_flags` is
  set, ticked again if it was ticked. Nothing else goes into the context.
- check() returns the flags (a list of `Flag`) for handlers that want them.

The JSON API passes `api=True` (the message then says to send
`"pii_confirmed": true`), or uses `check_loaded()` with the agency's shapes
already loaded in the query it makes anyway.

Case-number shapes are stored per agency (`Agency.case_number_patterns`), one
per line: `#` is a digit, `A` a letter, anything else is matched literally
(letters in either case). They are compiled here from the shape, never taken
as a regular expression, so a shape cannot be a slow or surprising pattern.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from backend.web.forms import Errors

log = logging.getLogger("tandem.pii")

KIND_LABELS = {
    "ssn": "a Social Security number",
    "phone": "a phone number",
    "email": "an email address",
    "date_of_birth": "a date of birth",
    "case_number": "a case number",
}
KINDS = tuple(KIND_LABELS)

CONFIRM_FIELD = "pii_confirmed"
CONFIRM_LABEL = "This is not personal information: save it as it is"
FORM_REMEDY = "Remove it, or tick “This is not personal information” to save as it is."
API_REMEDY = 'Remove it, or send "pii_confirmed": true to save it as it is.'

# ---------------------------------------------------------------- the detector

# Numbers and words must stand alone: not part of a longer number or word
# ("ID12345", "Dobbs"). Not \b: "_" counts as a word character there, and
# "_DOB: 3/4/2015_" is markdown emphasis.
_START = r"(?<![0-9A-Za-z])"
_END = r"(?![0-9A-Za-z])"
_SPACE = r"[ \t\u00a0\u202f]"
# Between the groups of a phone number: a space, dot, hyphen or dash.
_SEP = r"[ \t\u00a0\u202f.\-\u2010\u2011\u2012\u2013]"

_SSN = re.compile(
    "|".join(
        (
            # 123-45-6789, 123 45 6789, 123.45.6789 (same separator twice)
            rf"{_START}[0-9]{{3}}(?P<s>[ .\-]|\u2013)[0-9]{{2}}(?P=s)[0-9]{{4}}{_END}",
            # masked: xxx-xx-6789, ***-**-6789
            rf"{_START}(?:xxx|\*\*\*)[ \-](?:xx|\*\*)[ \-][0-9]{{4}}{_END}",
            # nine digits, or unusual spacing, right after "SSN" / "social security"
            rf"{_START}(?:ssn{_END}|ss\#|s\.s\.n\.?|social\s+security{_END}"
            r"(?:\s+(?:number|no\.?|\#))?)"
            r"[^\n0-9]{0,20}?"
            rf"{_START}[0-9]{{3}}[ .\-]?[0-9]{{2}}[ .\-]?[0-9]{{4}}(?![0-9])",
        )
    ),
    re.IGNORECASE,
)

_PHONE = re.compile(
    "|".join(
        (
            # (617) 555-0123, 617-555-0123, 617.555.0123, 617 555 0123, +1 617 555 0123
            rf"{_START}(?:\+?1{_SEP}?)?"
            rf"(?:\({_SPACE}?[0-9]{{3}}{_SPACE}?\){_SEP}?|[0-9]{{3}}{_SEP})"
            rf"[0-9]{{3}}{_SEP}[0-9]{{4}}{_END}",
            # 6175550123, +16175550123: ten digits standing alone (not a decimal)
            r"(?<![0-9A-Za-z.,])(?:\+?1)?[0-9]{10}(?![0-9A-Za-z]|[.,][0-9])",
            # international: +44 20 7946 0958 (8 to 15 digits after the plus)
            rf"(?<![0-9A-Za-z+])\+[0-9](?:{_SEP}?[0-9]){{7,14}}{_END}",
            # a seven-digit local number right after "phone:" / "tel." / "cell"
            rf"{_START}(?:phone|telephone|tel|cell|mobile|fax){_END}[.:#]?{_SPACE}{{0,3}}"
            rf"[0-9]{{3}}[\-.][0-9]{{4}}{_END}",
        )
    ),
    re.IGNORECASE,
)

# Local part, @, domain with a dot and a top-level name of letters. The
# look-behind makes each attempt start at the beginning of a token, which
# keeps the search linear on long runs of letters.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
    r"\.[A-Za-z]{2,}(?![A-Za-z0-9\-])"
)

_MONTH = (
    rf"{_START}(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    rf"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?){_END}\.?"
)
_DAY = r"[0-9]{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)[0-9]{2}(?![0-9])"
# A date with a year: 3/4/2015, 03-04-15, 2015-03-04, 03/2015, March 3, 2015,
# 3 March 2015, 3rd of March 2015, March 2015. Alone these are planning dates;
# only next to a birth word are they a date of birth.
_DATE = (
    r"(?:"
    r"(?<![0-9./\-])[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-](?:[0-9]{4}|[0-9]{2})"
    r"(?![0-9]|[./\-][0-9])"
    r"|(?<![0-9./\-])(?:19|20)[0-9]{2}[/.\-][0-9]{1,2}[/.\-][0-9]{1,2}"
    r"(?![0-9]|[./\-][0-9])"
    r"|(?<![0-9./\-])[0-9]{1,2}/(?:19|20)[0-9]{2}(?![0-9]|[./\-][0-9])"
    rf"|{_MONTH}\s+{_DAY},?\s+{_YEAR}"
    rf"|(?<![0-9]){_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"
    rf"|{_MONTH},?\s+{_YEAR}"
    r")"
)
_BIRTH_WORD = (
    rf"{_START}(?:d\.?\s?o\.?\s?b{_END}\.?|date\s+of\s+birth{_END}"
    rf"|birth\s*date{_END}|birthday{_END})"
)
_BORN = rf"{_START}born{_END}"


def _near(limit: int) -> str:
    """Up to `limit` characters on one line, not across the end of a sentence."""
    return rf"(?:(?![.!?;](?:\s|$))[^\n]){{0,{limit}}}?"


_DATE_OF_BIRTH = re.compile(
    "|".join(
        (
            rf"{_BIRTH_WORD}{_near(30)}{_DATE}",  # DOB: 03/04/2015
            rf"{_BORN}{_near(20)}{_DATE}",  # born on 3 March 2015
            rf"{_DATE}{_near(10)}{_BIRTH_WORD}",  # 03/04/2015 (DOB)
        )
    ),
    re.IGNORECASE,
)

_DETECTORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ssn", _SSN),
    ("phone", _PHONE),
    ("email", _EMAIL),
    ("date_of_birth", _DATE_OF_BIRTH),
)


@dataclass(frozen=True)
class Hit:
    """One piece of text that looks like personal information (for tests and tools)."""

    kind: str
    start: int
    end: int


def find(text: str, case_numbers: re.Pattern[str] | None = None) -> list[Hit]:
    """Every match in `text`, in the order of KINDS then position."""
    hits = [
        Hit(kind, m.start(), m.end())
        for kind, pattern in _DETECTORS
        for m in pattern.finditer(text)
    ]
    if case_numbers is not None:
        hits.extend(Hit("case_number", m.start(), m.end()) for m in case_numbers.finditer(text))
    return hits


def kinds_in(text: str, case_numbers: re.Pattern[str] | None = None) -> list[str]:
    """The kinds of personal information `text` seems to hold, in KINDS order."""
    found = {hit.kind for hit in find(text, case_numbers)}
    return [kind for kind in KINDS if kind in found]


# ---------------------------------------------------------------- case-number shapes

SHAPES_MAX_LINES = 10
SHAPE_MIN_LENGTH = 4
SHAPE_MAX_LENGTH = 40
SHAPE_MIN_PLACEHOLDERS = 4
SHAPES_HINT = (
    "One shape per line, up to 10. Write # for a digit and A for a letter; "
    "anything else is matched as written (letters in either case). "
    "For example CW-###### or AA########."
)


def shape_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_shapes(raw: Any, field: str, errors: Errors, *, label: str) -> str:
    """Validate the shapes typed into a form; returns them one per line, tidied."""
    if raw is not None and not isinstance(raw, str):
        errors.add(field, f"{label} must be text")
        return ""
    lines = shape_lines(raw or "")
    if len(lines) > SHAPES_MAX_LINES:
        errors.add(field, f"{label}: enter at most {SHAPES_MAX_LINES} shapes, one per line")
        return "\n".join(lines)
    for number, line in enumerate(lines, start=1):
        where = f"{label}, line {number} ({line[:SHAPE_MAX_LENGTH]})"
        if not SHAPE_MIN_LENGTH <= len(line) <= SHAPE_MAX_LENGTH:
            errors.add(
                field,
                f"{where} must be {SHAPE_MIN_LENGTH} to {SHAPE_MAX_LENGTH} characters long",
            )
        elif any(not ch.isprintable() for ch in line):
            errors.add(field, f"{where} must not contain control characters")
        elif sum(ch in "#A" for ch in line) < SHAPE_MIN_PLACEHOLDERS:
            errors.add(
                field,
                f"{where} must have at least {SHAPE_MIN_PLACEHOLDERS} places for digits (#) "
                "or letters (A), or it would match ordinary words and numbers",
            )
    return "\n".join(dict.fromkeys(lines))


def _shape_regex(shape: str) -> str:
    parts = []
    for ch in shape:
        if ch == "#":
            parts.append("[0-9]")
        elif ch == "A":
            parts.append("[A-Za-z]")
        else:
            parts.append(re.escape(ch))
    return _START + "".join(parts) + _END


@lru_cache(maxsize=512)
def case_number_pattern(shapes_text: str) -> re.Pattern[str] | None:
    """The agency's shapes as one pattern (None when it has none usable).

    Every part has a fixed length, so matching is linear whatever was stored;
    lines that break the rules (stored before validation, or by hand) are skipped.
    """
    usable = [
        line
        for line in shape_lines(shapes_text)
        if SHAPE_MIN_LENGTH <= len(line) <= SHAPE_MAX_LENGTH
        and sum(ch in "#A" for ch in line) >= SHAPE_MIN_PLACEHOLDERS
    ][:SHAPES_MAX_LINES]
    if not usable:
        return None
    return re.compile("|".join(f"(?:{_shape_regex(s)})" for s in usable), re.IGNORECASE)


async def agency_shapes(agency_id: int) -> str:
    from backend.accounts.tables import Agency

    rows = await Agency.select(Agency.case_number_patterns).where(Agency.id == agency_id)
    return rows[0]["case_number_patterns"] if rows else ""


# ---------------------------------------------------------------- forms


@dataclass(frozen=True)
class Flag:
    """A field whose text looks like personal information, and of which kinds."""

    field: str
    label: str
    kinds: tuple[str, ...]

    @property
    def kinds_text(self) -> str:
        """ "a phone number and an email address" """
        return _and([KIND_LABELS[k] for k in self.kinds])

    def message(self, remedy: str = FORM_REMEDY) -> str:
        return f"{self.label} looks like it contains {self.kinds_text}. {remedy}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # a repeated field: every copy is text someone sent
        return "\n".join(v for v in value if isinstance(v, str))
    return ""


def scan(data: dict[str, Any], fields: dict[str, str], shapes_text: str = "") -> list[Flag]:
    """The flagged fields of `data` (field -> label in `fields`), in `fields` order."""
    case_numbers = case_number_pattern(shapes_text or "")
    flags = []
    for field, label in fields.items():
        text = _text_of(data.get(field))
        if text:
            kinds = kinds_in(text, case_numbers)
            if kinds:
                flags.append(Flag(field, label, tuple(kinds)))
    return flags


def confirmed(data: dict[str, Any]) -> bool:
    value = data.get(CONFIRM_FIELD)
    return value is True or value == "yes"


def check_loaded(
    data: dict[str, Any],
    fields: dict[str, str],
    shapes_text: str,
    errors: Errors,
    *,
    api: bool = False,
) -> list[Flag]:
    """check() with the agency's case-number shapes already loaded."""
    flags = scan(data, fields, shapes_text)
    is_confirmed = confirmed(data)
    if isinstance(errors, Errors):
        # The template's cue for the confirm box (see the module docstring).
        errors.pii_flags = flags  # type: ignore[attr-defined]
        errors.pii_confirmed = is_confirmed and bool(flags)  # type: ignore[attr-defined]
    if not flags:
        return flags
    summary = " ".join(f"{f.field}={','.join(f.kinds)}" for f in flags)
    if is_confirmed:
        log.info("personal information confirmed as not personal: %s", summary)
    else:
        log.info("personal information flagged: %s", summary)
        remedy = API_REMEDY if api else FORM_REMEDY
        for flag in flags:
            errors.setdefault(flag.field, flag.message(remedy))
    return flags


async def check(
    data: dict[str, Any],
    fields: dict[str, str],
    agency_id: int,
    errors: Errors,
    *,
    api: bool = False,
) -> list[Flag]:
    """Flag the fields of `data` that look like personal information (see the module doc)."""
    if not any(_text_of(data.get(field)) for field in fields):
        return check_loaded(data, fields, "", errors, api=api)
    return check_loaded(data, fields, await agency_shapes(agency_id), errors, api=api)
