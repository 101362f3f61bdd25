"""The personal-information guard on the forms and the API (PII-01): a warning that
names the kind and the field, nothing saved until the person confirms or
redacts, no trace of redacted text anywhere, only kinds in the log; the agency's
case-number shapes; and no false alarm on the demo world's text."""

from __future__ import annotations

import html
import logging
from typing import Any

import pytest

from backend.accounts.tables import Agency
from backend.db import all_tables
from backend.exploration.tables import (
    Assumption,
    CausalLink,
    DataQuestion,
    Finding,
    ProblemStatement,
    TheoryOfChange,
)
from backend.initiatives.tables import (
    GateDecision,
    GateSignOff,
    ReadinessAssessment,
    StageTask,
)
from backend.practice.tables import CoreComponent, Descriptor, PracticeBehaviour
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem, ItemHistory, Sprint
from backend.web import pii
from tests.factories import make_items

PHONE = "617-555-0123"
WARNING = (
    "Narrative looks like it contains a phone number. Remove it, or tick "
    "“This is not personal information” to save as it is."
)


def new_url(world) -> str:
    return f"/initiatives/{world.initiative_id}/items/new"


def story(**changes: str) -> dict[str, str]:
    form = {
        "title": "Call fathers back within two days",
        "kind": "story",
        "narrative": f"As a worker I call the father on {PHONE} within two days.",
        "acceptance_criteria": "- calls logged",
        "estimate": "3",
    }
    form.update(changes)
    return form


def page_text(response) -> str:
    return html.unescape(response.text)


async def counts() -> tuple[int, int]:
    return await BacklogItem.count(), await ItemHistory.count()


async def everything_stored() -> str:
    """Every value of every row of every table, as one string."""
    parts = []
    for table in all_tables():
        for row in await table.select():
            parts.extend(str(value) for value in row.values())
    return "\n".join(parts)


def pii_log(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "tandem.pii"]


# ---------------------------------------------------------------- stories


async def test_a_story_with_a_phone_number_comes_back_with_a_warning_and_nothing_saved(
    client, world, caplog
):
    before = await counts()
    with caplog.at_level(logging.INFO):
        response = await client.post_form(new_url(world), story())
    assert response.status_code == 422
    text = page_text(response)
    assert "<title>Error: New story" in text
    assert WARNING in text
    assert 'href="#field-narrative"' in text and 'aria-invalid="true"' in text
    # What was typed is all there, to redact or confirm.
    assert PHONE in text and "Call fathers back within two days" in text
    assert 'name="pii_confirmed" value="yes"' in text
    assert "This is not personal information: save it as it is" in text
    assert 'id="field-pii_confirmed" name="pii_confirmed" value="yes" checked' not in text
    assert await counts() == before
    # Only the kind and the field are logged, never the text.
    assert pii_log(caplog) == ["personal information flagged: narrative=phone"]
    assert PHONE not in caplog.text and "5550123" not in caplog.text


async def test_the_new_story_form_has_no_confirm_box_until_something_is_flagged(client, world):
    page = await client.get(new_url(world))
    assert 'name="pii_confirmed"' not in page.text
    response = await client.post_form(new_url(world), story(narrative="No numbers here", title=""))
    assert response.status_code == 422
    assert 'name="pii_confirmed"' not in response.text


async def test_confirming_saves_the_story_as_typed(client, world, caplog):
    before = await counts()
    with caplog.at_level(logging.INFO):
        response = await client.post_form(new_url(world), story(pii_confirmed="yes"))
    assert response.status_code == 303
    rows = await BacklogItem.select().where(BacklogItem.title == story()["title"])
    assert rows[0]["narrative"] == story()["narrative"]
    assert await counts() == (before[0] + 1, before[1] + 1)
    assert pii_log(caplog) == ["personal information confirmed as not personal: narrative=phone"]
    assert PHONE not in caplog.text


async def test_a_confirmed_story_with_another_error_keeps_the_box_ticked(client, world):
    response = await client.post_form(new_url(world), story(pii_confirmed="yes", estimate="lots"))
    assert response.status_code == 422
    text = page_text(response)
    assert "Estimate must be a whole number" in text and WARNING not in text
    assert 'id="field-pii_confirmed" name="pii_confirmed" value="yes" aria-describedby' in text
    assert 'aria-describedby="pii-warning" checked' in text


async def test_redacting_and_saving_again_leaves_no_trace_of_the_original(client, world):
    await make_items(world.initiative_id, 1)
    before = await counts()
    refused = await client.post_form(new_url(world), story())
    assert refused.status_code == 422
    redacted = story(narrative="As a worker I call the father on [phone removed] within two days.")
    response = await client.post_form(new_url(world), redacted)
    assert response.status_code == 303
    item_id = int(response.headers["location"].rsplit("/", 1)[1])
    rows = await BacklogItem.select().where(BacklogItem.id == item_id)
    assert rows[0]["narrative"] == redacted["narrative"]
    assert await counts() == (before[0] + 1, before[1] + 1)
    stored = await everything_stored()
    assert PHONE not in stored and "555-0123" not in stored and "5550123" not in stored


async def test_editing_a_story_checks_every_text_field(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    item = (await BacklogItem.select().where(BacklogItem.id == item_id))[0]
    history = await ItemHistory.count()
    form = {
        "title": "Ring jane.doe@example.org",
        "kind": "story",
        "narrative": "",
        "acceptance_criteria": "- DOB: 3/4/2015 checked",
        "estimate": "3",
        "stage": "",
        "sprint": "",
        "status": item["status"],
        "assignee_name": "",
        "blocked_by": "",
        "version": item["version"],
    }
    response = await client.post_form(f"/items/{item_id}/edit", form)
    assert response.status_code == 422
    text = page_text(response)
    assert "Title looks like it contains an email address." in text
    assert "Acceptance criteria looks like it contains a date of birth." in text
    assert "jane.doe@example.org" in text and "DOB: 3/4/2015" in text
    saved = (await BacklogItem.select().where(BacklogItem.id == item_id))[0]
    assert saved == item and await ItemHistory.count() == history
    response = await client.post_form(f"/items/{item_id}/edit", {**form, "pii_confirmed": "yes"})
    assert response.status_code == 303
    saved = (await BacklogItem.select().where(BacklogItem.id == item_id))[0]
    assert saved["title"] == "Ring jane.doe@example.org"
    assert saved["version"] == item["version"] + 1


# ---------------------------------------------------------------- sprints


async def test_sprint_goal_and_notes_are_checked(client, world):
    response = await client.post_form(
        f"/initiatives/{world.initiative_id}/sprints/new",
        {"goal": "Call 617 555 0123 about the pilot", "start_date": "2026-03-02"},
    )
    assert response.status_code == 422
    assert "Sprint goal looks like it contains a phone number." in page_text(response)
    assert await Sprint.count() == 0

    sprint_id = await scrum.create_sprint(world.initiative_id, {"goal": "Pilot"})
    sprint = (await Sprint.select().where(Sprint.id == sprint_id))[0]
    form = {
        "goal": "Pilot",
        "start_date": sprint["start_date"].isoformat(),
        "end_date": sprint["end_date"].isoformat(),
        "capacity": "",
        "release": "",
        "planning_notes": "",
        "review_notes": "Born 2015-03-04, the child of the father we met",
        "retrospective_notes": "Keep: case CW-123456 reviewed together",
        "version": sprint["version"],
    }
    response = await client.post_form(f"/sprints/{sprint_id}/edit", form)
    assert response.status_code == 422
    text = page_text(response)
    assert "Review notes looks like it contains a date of birth." in text
    assert "Retrospective notes" not in text.split("There is a problem")[1].split("</ul>")[0]
    assert (await Sprint.select().where(Sprint.id == sprint_id))[0] == sprint
    response = await client.post_form(
        f"/sprints/{sprint_id}/edit", {**form, "pii_confirmed": "yes"}
    )
    assert response.status_code == 303
    saved = (await Sprint.select(Sprint.review_notes).where(Sprint.id == sprint_id))[0]
    assert saved["review_notes"] == form["review_notes"]


# ---------------------------------------------------------------- API


async def test_the_api_refuses_personal_information_unless_confirmed(client, world, caplog):
    url = f"/api/initiatives/{world.initiative_id}/items"
    body = {"title": "Follow up", "narrative": f"Father: {PHONE}"}
    before = await counts()
    with caplog.at_level(logging.INFO):
        response = await client.send_json("POST", url, body)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Check the fields listed in errors",
        "errors": {
            "narrative": "Narrative looks like it contains a phone number. Remove it, or send "
            '"pii_confirmed": true to save it as it is.'
        },
    }
    assert await counts() == before
    assert pii_log(caplog) == ["personal information flagged: narrative=phone"]
    assert PHONE not in caplog.text

    response = await client.send_json("POST", url, {**body, "pii_confirmed": True})
    assert response.status_code == 201
    item = response.json()
    assert item["narrative"] == f"Father: {PHONE}" and "pii_confirmed" not in item

    patch = {"version": item["version"], "acceptance_criteria": "- mail dad@example.com"}
    response = await client.send_json("PATCH", f"/api/items/{item['id']}", patch)
    assert response.status_code == 422
    assert "an email address" in response.json()["errors"]["acceptance_criteria"]
    saved = (await BacklogItem.select().where(BacklogItem.id == item["id"]))[0]
    assert saved["acceptance_criteria"] == "" and saved["version"] == item["version"]
    response = await client.send_json(
        "PATCH", f"/api/items/{item['id']}", {**patch, "pii_confirmed": True}
    )
    assert response.status_code == 200
    assert response.json()["acceptance_criteria"] == "- mail dad@example.com"

    response = await client.send_json("POST", url, {**body, "pii_confirmed": "yes"})
    assert response.status_code == 422
    assert "pii_confirmed" in response.json()["errors"]


async def test_the_openapi_document_describes_pii_confirmed(client, world):
    schema = (await client.get("/api/schema/openapi.json")).json()
    for name in ("ItemCreate", "ItemPatch"):
        props = schema["components"]["schemas"][name]["properties"]
        assert props["pii_confirmed"]["type"] == "boolean"


# ---------------------------------------------------------------- case-number shapes


async def test_an_agency_lead_sets_case_number_shapes_and_they_are_caught(client, world):
    url = f"/agencies/{world.agency_id}/case-number-shapes"
    page = await client.get(f"/agencies/{world.agency_id}")
    assert page.status_code == 200 and "No case-number shapes yet." in page.text
    assert f'action="{url}"' in page.text
    response = await client.post_form(url, {"case_number_shapes": " CW-######\n\nAA########  "})
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/agencies/{world.agency_id}?done=shapes#case-number-shapes"
    )
    stored = await Agency.select(Agency.case_number_patterns).where(Agency.id == world.agency_id)
    assert stored[0]["case_number_patterns"] == "CW-######\nAA########"
    page = await client.get(response.headers["location"])
    assert "Case-number shapes saved." in page.text and "<code>CW-######</code>" in page.text

    response = await client.post_form(
        new_url(world), story(narrative="Reviewed case cw-004512 with the family")
    )
    assert response.status_code == 422
    assert "Narrative looks like it contains a case number." in page_text(response)
    # The other agency's shapes are its own.
    assert "case number" not in str(
        pii.scan({"t": "cw-004512"}, {"t": "T"}, await pii.agency_shapes(world.other_agency_id))
    )


async def test_bad_shapes_come_back_with_errors_and_what_was_typed(client, world):
    url = f"/agencies/{world.agency_id}/case-number-shapes"
    await client.post_form(url, {"case_number_shapes": "CW-######"})
    response = await client.post_form(url, {"case_number_shapes": "CW-######\nX-#"})
    assert response.status_code == 422
    text = page_text(response)
    assert "<title>Error: Test Agency" in text
    assert 'href="#field-case_number_shapes"' in text
    assert "Case-number shapes, line 2 (X-#) must be 4 to 40 characters long" in text
    assert "CW-######\nX-#</textarea>" in text
    stored = await Agency.select(Agency.case_number_patterns).where(Agency.id == world.agency_id)
    assert stored[0]["case_number_patterns"] == "CW-######"
    response = await client.post_form(url, {"case_number_shapes": ["CW-####", "AA####"]})
    assert response.status_code == 422


async def test_clearing_the_shapes_is_allowed(client, world):
    url = f"/agencies/{world.agency_id}/case-number-shapes"
    await client.post_form(url, {"case_number_shapes": "CW-######"})
    assert (await client.post_form(url, {"case_number_shapes": ""})).status_code == 303
    assert await pii.agency_shapes(world.agency_id) == ""


@pytest.mark.parametrize("role", ["viewer", "team_member", "product_owner", "liaison"])
async def test_only_the_agency_lead_edits_case_number_shapes(client_as, world, role):
    other = await client_as(world.users[role])
    page = await other.get(f"/agencies/{world.agency_id}")
    assert page.status_code == 200
    assert "case-number-shapes" in page.text and 'name="case_number_shapes"' not in page.text
    response = await other.post_form(
        f"/agencies/{world.agency_id}/case-number-shapes", {"case_number_shapes": "CW-######"}
    )
    assert response.status_code == 403
    assert await pii.agency_shapes(world.agency_id) == ""


async def test_another_agencys_lead_cannot_see_or_edit_the_shapes(client_as, world):
    other = await client_as(world.users["other_lead"])
    response = await other.post_form(
        f"/agencies/{world.agency_id}/case-number-shapes", {"case_number_shapes": "CW-######"}
    )
    assert response.status_code == 404
    assert await pii.agency_shapes(world.agency_id) == ""


# ---------------------------------------------------------------- the demo world

# Every free-text column of the C&I and Scrum tables the demo world fills.
FREE_TEXT: list[tuple[Any, tuple[str, ...]]] = [
    (Finding, ("statement", "segment")),
    (ProblemStatement, ("text",)),
    (DataQuestion, ("question", "sources")),
    (TheoryOfChange, ("population", "long_term_outcome", "change_note")),
    (CausalLink, ("condition", "result")),
    (Assumption, ("text",)),
    (BacklogItem, ("title", "narrative", "acceptance_criteria")),
    (Sprint, ("goal", "planning_notes", "review_notes", "retrospective_notes")),
    (GateDecision, ("notes",)),
    (GateSignOff, ("comment",)),
    (StageTask, ("title", "evidence_note")),
    (
        ReadinessAssessment,
        ("motivation_notes", "general_capacity_notes", "specific_capacity_notes"),
    ),
    (CoreComponent, ("name", "description")),
    (PracticeBehaviour, ("text",)),
    (Descriptor, ("text",)),
]


async def test_the_demo_seeds_raise_no_pii_alarm(app):
    from seeds import demo

    await demo.build()
    shapes = {r["id"]: r["case_number_patterns"] for r in await Agency.select()}
    alarms = []
    scanned = 0
    for table, columns in FREE_TEXT:
        for row in await table.select(
            table.id, *(table._meta.get_column_by_name(c) for c in columns)
        ):
            for column in columns:
                text = row[column] or ""
                scanned += bool(text)
                # The agencies' own shapes, and typical ones a lead might enter.
                for shape_text in ("CW-######\nAA########", *shapes.values()):
                    kinds = pii.kinds_in(text, pii.case_number_pattern(shape_text))
                    if kinds:
                        alarms.append((table._meta.tablename, row["id"], column, kinds, text))
                        break
    assert scanned > 100
    assert not alarms, alarms
