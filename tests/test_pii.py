"""The personal-information detector (PII-01): a synthetic corpus with planted
items of every kind, each one caught as its kind wherever it sits; realistic
planning text with no false alarm; case-number shapes compiled safely."""

from __future__ import annotations

import logging
import re
import time

import pytest

from backend.web import pii
from backend.web.forms import Errors

# ---------------------------------------------------------------- planted items

SHAPES = "CW-######\nAA########\n###-AAA-####"
CASE_NUMBERS = pii.case_number_pattern(SHAPES)

PLANTED: dict[str, list[str]] = {
    "ssn": [
        "123-45-6789",
        "078-05-1120",
        "123 45 6789",
        "123.45.6789",
        "SSN 123456789",
        "SSN: 123456789",
        "ssn#123456789",
        "SS# 123456789",
        "S.S.N. 123 456789",
        "social security number 123456789",
        "Social Security no. 123-456789",
        "xxx-xx-6789",
        "***-**-6789",
    ],
    "phone": [
        "(617) 555-0123",
        "(617)555-0123",
        "( 617 ) 555-0123",
        "617-555-0123",
        "617.555.0123",
        "617 555 0123",
        "617 555-0123",
        "617–555–0123",
        "+1 617 555 0123",
        "+1-617-555-0123",
        "1-617-555-0123",
        "+1 (617) 555-0123",
        "6175550123",
        "16175550123",
        "+16175550123",
        "+44 20 7946 0958",
        "phone: 555-0123",
        "Tel. 555-0123",
        "cell 555.0123",
    ],
    "email": [
        "jane.doe@example.org",
        "JANE_DOE+intake@mail.example.co.uk",
        "j.o'@example.com".replace("'", ""),
        "first-last@sub-domain.example.gov",
        "x@y.io",
        "mailto:jane@example.org",
    ],
    "date_of_birth": [
        "DOB: 03/04/2015",
        "DOB 3/4/15",
        "dob:3-4-2015",
        "D.O.B. 03.04.2015",
        "D.O.B.: 2015-03-04",
        "date of birth March 3, 2015",
        "Date of birth: 3 March 2015",
        "date of birth 3rd of March 2015",
        "birth date Mar. 3, 2015",
        "birthdate 03/2015",
        "birthday: Sept 3 2015",
        "born on 3/4/2015",
        "born 2015-03-04",
        "was born in Boston on March 3, 2015",
        "born March 2015",
        "03/04/2015 (DOB)",
        "March 3, 2015 - date of birth",
    ],
    "case_number": [
        "CW-123456",
        "cw-654321",
        "AB12345678",
        "xy98765432",
        "123-ABC-4567",
    ],
}

# Where a planted item sits: alone, at the start, at the end, inside a sentence,
# next to punctuation, and in the markdown people write.
POSITIONS = [
    "{}",
    "{} was noted in the case review.",
    "Call back later: {}",
    "The supervisor wrote {} on the form.",
    "({})",
    "[{}]",
    "{}.",
    "{},",
    "{};",
    '"{}"',
    "“{}”",
    "**{}**",
    "_{}_",
    "*{}*",
    "`{}`",
    "- {}",
    "1. {}",
    "> {}",
    "| Mother | {} |",
    "## {}",
    "[contact]({}) in a link",
    "Line one\n{}\nline three",
    "  {}  ",
    "\t{}",
]


def planted_cases():
    for kind, items in PLANTED.items():
        for item in items:
            for position in POSITIONS:
                yield kind, item, position.format(item)


@pytest.mark.parametrize("kind", list(PLANTED))
def test_every_planted_item_is_caught_as_its_kind_in_every_position(kind):
    missed = []
    for item in PLANTED[kind]:
        for position in POSITIONS:
            text = position.format(item)
            hits = pii.find(text, CASE_NUMBERS)
            start = text.index(item)
            end = start + len(item)
            # Caught as this kind, on the planted text itself.
            if not any(h.kind == kind and h.start < end and h.end > start for h in hits):
                missed.append(text)
    assert not missed, f"{len(missed)} planted {kind} items missed: {missed[:10]}"


def test_items_planted_in_a_long_planning_note_are_all_found():
    paragraphs = list(CLEAN_CORPUS)
    planted = []
    for i, (kind, item, text) in enumerate(planted_cases()):
        if i % 7 == 0:
            planted.append((kind, item))
            paragraphs.insert(i % len(paragraphs), text)
    note = "\n\n".join(paragraphs)
    hits = pii.find(note, CASE_NUMBERS)
    for kind, item in planted:
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(item), note)]
        assert any(
            h.kind == kind and h.start < end and h.end > start for h in hits for start, end in spans
        ), (kind, item)


def test_a_field_with_several_kinds_names_them_all():
    text = "Call Jane at 617-555-0123 or jane@example.org; DOB 3/4/2015; SSN 123-45-6789"
    assert pii.kinds_in(text) == ["ssn", "phone", "email", "date_of_birth"]


def test_kinds_have_person_readable_labels():
    assert pii.KIND_LABELS == {
        "ssn": "a Social Security number",
        "phone": "a phone number",
        "email": "an email address",
        "date_of_birth": "a date of birth",
        "case_number": "a case number",
    }


# ---------------------------------------------------------------- no false alarms

CLEAN_CORPUS = [
    # sprint goals and notes
    "Sprint 3 goal: draft the practice profile's first core component and test it with "
    "two supervisors. Sprint 3 ends 12/4.",
    "Sprint 5 runs 2026-11-23 to 2026-12-04 (14 days); capacity 21 points, 18 committed.",
    "Planning: we took 8 items (34 points) into the sprint; #123 and #124 carried over from "
    "sprint 4. Review on 12/4 at 10:30, retrospective at 14:00-15:00.",
    "Retrospective: keep the daily stand-up at 9:15; change the review to 45 minutes; "
    "try pairing a parent partner with each worker for 2 weeks.",
    "Review notes: the liaison signed off on 2026-12-04. Velocity 21, 23, 19 over the last "
    "three sprints (average 21.0).",
    # findings about fathers' engagement
    "Fathers were engaged in case planning in 18% of reviewed cases (n = 120), against 61% "
    "of mothers; for Black and Hispanic fathers the rate was 9%.",
    "Interviews with 24 fathers (March to May 2025) found that workers rarely called fathers "
    "back; 15 of 24 said nobody asked for their view.",
    "Root cause: no written practice behaviours for engaging fathers; supervisors coach "
    "engagement 1-2 times per year at most.",
    "Focus groups in 4 area offices (Boston, Lowell, Springfield, Worcester) with 36 "
    "workers, 2024-10-01 to 2024-11-15.",
    "Segment: Black and Hispanic fathers of children aged 0-5 born outside a marriage.",
    "Children born after the policy change were more likely to have a father on the case plan.",
    "Fathers born abroad named language access as a barrier (11 of 24 interviews).",
    # CFSR items and federal review
    "CFSR item 12 (needs and services of child, parents and foster parents) and item 13 "
    "(child and family involvement in case planning) were rated Area Needing Improvement.",
    "The PIP covers items 1-36; our strategies target items 12, 13, 14 and 15.",
    "Round 3 of the CFSR (2015 to 2018); round 4 began in 2022. PIP period 2024-2026.",
    "Safety 1, Permanency 1-2, Well-Being 1-3: 7 outcomes and 7 systemic factors.",
    # percentages, years, ranges and counts from the Boston partnership
    "Kinship placements up 45% (2000 to 2001); sibling groups of two or three placed "
    "together up 15%.",
    "Re-entry within one year down from 30% (1998) to 20% (2001): 30% to 20%.",
    "Median 0.62 over the first 10 points; a shift is 6 or more points on one side.",
    "Between 1,250 and 1,400 reports a month; 12,345 screened-in reports in FY2025.",
    "Caseloads of 12-15 families per worker; 3.5 visits per month on average.",
    "Ratio 1:4 supervisors to workers; 2/3 of workers finished the training.",
    # versions, ids and tools
    "Practice profile version 2.1 replaces 2.0; v1.2.3 of the rubric is retired.",
    "Story #123 blocks #456; see backlog items 12, 15 and 101.",
    "Data pulled from the SACWIS extract of 2025-06-30 (rows 1-5000).",
    "Ask the data team (data-team on the shared drive) for the 2024 extract.",
    "Meet at 10:30-11:45 on Tuesdays; call-in numbers are on the team site.",
    "Estimate: 3, 5, 8, 13 points; 100-200 words per descriptor.",
    "Goal: 80% of case plans name the father by 2026-06-30 (baseline 42% in Q1 2025).",
    "Releases: R1 by 2026-01-15, R2 by 2026-03-31, R3 by 2026-06-30.",
    "The team met 2026-12-04 and 2026-12-11; next learning session 2027-01-20.",
    "ZIP-level data is suppressed when the denominator is under 10.",
    "Ten offices, 2,400 children, 1,100 fathers identified; 250 contacted in 30 days.",
    "Rates per 1000 children: 4.2 (2019), 3.9 (2020), 3.1 (2021).",
    "In 2019 2020 and 2021 the rate fell each year.",
    "Budget 125,000 for 2026; 40 hours of coaching per supervisor.",
    "PDSA cycle 4: predict 6 of 10 fathers attend; 7 attended (70%).",
    "**Acceptance criteria**\n- the profile lists 3 core components\n- each has 4-6 behaviours"
    "\n- reviewed by 2 parent partners by 12/4",
    "Version 10.0.19045 of the tool; build 2026.12.04.1.",
    "Phone calls to fathers rose from 12 to 30 per week.",
    "We will text fathers a reminder 2 days before each meeting.",
    "Birthday parties and family events are good times to invite fathers (focus group 3).",
    "The DOB field in the intake form is often blank (35% of 400 records).",
    "Date of birth is collected at intake; we do not copy it into Tandem.",
    "Email the agency lead after the review; the summary goes to the whole team.",
    "Use @mentions in the team chat; #fathers-engagement channel.",
    "SSN fields are out of scope for this initiative.",
]


@pytest.mark.parametrize("text", CLEAN_CORPUS)
def test_planning_text_raises_no_alarm(text):
    assert pii.find(text, CASE_NUMBERS) == [], text


def test_the_whole_clean_corpus_in_one_note_raises_no_alarm():
    assert pii.kinds_in("\n\n".join(CLEAN_CORPUS), CASE_NUMBERS) == []


# ---------------------------------------------------------------- case-number shapes


def test_shapes_match_digits_and_letters_on_word_boundaries_only():
    pattern = pii.case_number_pattern("CW-######")
    assert pii.kinds_in("Case CW-123456 was closed", pattern) == ["case_number"]
    assert pii.kinds_in("lower case cw-123456 too", pattern) == ["case_number"]
    for text in ("XCW-123456", "CW-1234567", "CW-12345", "CW-12345A", "CW 123456"):
        assert pii.kinds_in(text, pattern) == [], text


def test_a_hostile_shape_is_literal_and_fast():
    shape = "(a+)+$.*####[x]"
    pattern = pii.case_number_pattern(shape)
    assert pattern is not None
    assert pii.kinds_in("ref (a+)+$.*1234[x] here", pattern) == ["case_number"]
    for text in ("aaaa1234x", "(aa)+$.*1234[x]", "(a+)+$xx1234[x]"):
        assert pii.kinds_in(text, pattern) == [], text
    started = time.perf_counter()
    pii.kinds_in("(" + "a" * 50_000 + "+)+$", pattern)
    assert time.perf_counter() - started < 1


def test_shapes_are_validated_one_line_at_a_time():
    errors = Errors()
    assert (
        pii.parse_shapes(" CW-######\n\nAA########\n", "s", errors, label="Shapes")
        == "CW-######\nAA########"
    )
    assert not errors
    assert pii.parse_shapes("", "s", errors, label="Shapes") == "" and not errors
    for bad, words in (
        ("###", "4 to 40 characters"),
        ("#" * 41, "4 to 40 characters"),
        ("CW-###", "at least 4"),
        ("abcdef", "at least 4"),
        ("\n".join(f"CW{i}-####" for i in range(11)), "at most 10"),
        ("CW-#\x07###", "control characters"),
    ):
        errors = Errors()
        pii.parse_shapes(bad, "s", errors, label="Shapes")
        assert words in errors.get("s", ""), (bad, errors)
    errors = Errors()
    pii.parse_shapes(["CW-####"], "s", errors, label="Shapes")
    assert errors["s"] == "Shapes must be text"


def test_stored_shapes_that_break_the_rules_are_skipped():
    assert pii.case_number_pattern("") is None
    assert pii.case_number_pattern("##\nabc") is None
    pattern = pii.case_number_pattern("##\nCW-####")
    assert pii.kinds_in("12 and CW-1234", pattern) == ["case_number"]
    assert pii.kinds_in("12 only", pattern) == []


# ---------------------------------------------------------------- the form helper


def test_check_loaded_adds_a_message_naming_kind_and_place_and_logs_only_kinds(caplog):
    errors = Errors()
    data = {"statement": "Father's cell 617-555-0123, jane@example.org", "segment": "Fathers"}
    with caplog.at_level(logging.INFO, logger="tandem.pii"):
        flags = pii.check_loaded(
            data, {"statement": "Statement", "segment": "Population segment"}, "", errors
        )
    assert flags == [pii.Flag("statement", "Statement", ("phone", "email"))]
    assert errors == {
        "statement": "Statement looks like it contains a phone number and an email address. "
        "Remove it, or tick “This is not personal information” to save as it is."
    }
    assert errors.pii_flags == flags and errors.pii_confirmed is False
    assert "phone" in caplog.text and "statement" in caplog.text
    assert "617" not in caplog.text and "example.org" not in caplog.text


def test_a_confirmed_form_gets_no_error_but_the_kinds_are_logged(caplog):
    errors = Errors()
    data = {"notes": "DOB 3/4/2015", "pii_confirmed": "yes"}
    with caplog.at_level(logging.INFO, logger="tandem.pii"):
        flags = pii.check_loaded(data, {"notes": "Notes"}, "", errors)
    assert flags and not errors and errors.pii_confirmed is True
    assert "confirmed" in caplog.text and "date_of_birth" in caplog.text
    assert "2015" not in caplog.text


def test_only_yes_or_true_confirms():
    for value in ("on", "true", "1", ["yes", "yes"], None):
        errors = Errors()
        pii.check_loaded({"t": "x@y.io", "pii_confirmed": value}, {"t": "T"}, "", errors)
        assert errors, value
    errors = Errors()
    pii.check_loaded({"t": "x@y.io", "pii_confirmed": True}, {"t": "T"}, "", errors, api=True)
    assert not errors


def test_api_messages_say_how_to_confirm_in_json():
    errors = Errors()
    pii.check_loaded({"narrative": "x@y.io"}, {"narrative": "Narrative"}, "", errors, api=True)
    assert errors["narrative"] == (
        'Narrative looks like it contains an email address. Remove it, or send "pii_confirmed": '
        "true to save it as it is."
    )


def test_text_that_is_not_a_string_is_skipped_and_clean_text_leaves_no_marker():
    errors = Errors()
    flags = pii.check_loaded(
        {"a": 6175550123, "b": None, "c": "plain words"}, {"a": "A", "b": "B", "c": "C"}, "", errors
    )
    assert flags == [] and not errors and errors.pii_flags == []
