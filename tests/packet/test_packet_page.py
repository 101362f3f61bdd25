"""The progress packet: every section with its numbers, the period, suppression for
liaisons, who may read it, print styles, CSV exports and the PDF."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from backend.packet import controllers
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem
from tests.packet.build import TODAY, add_measures, build, run_sprint, set_day
from tests.practice.html import text_of


def url(world, tail: str = "") -> str:
    return f"/initiatives/{world.initiative_id}/packet{tail}"


def section(html: str, key: str) -> str:
    """The text of one section of the packet."""
    start = html.index(f'id="packet-{key}"')
    end = html.find('<section class="packet-section"', start + 1)
    return text_of(html[start : end if end != -1 else len(html)])


async def test_the_packet_shows_every_section_in_order_with_its_numbers(client, world):
    await build(world)
    response = await client.get(url(world))
    assert response.status_code == 200, response.text
    html = response.text
    headings = re.findall(r'<section class="packet-section"[^>]*>\s*<h2[^>]*>([^<]+)</h2>', html)
    assert headings == [
        "Stage map",
        "Sprint summary",
        "Burndown and velocity",
        "Traceability gaps",
        "Fidelity roll-up",
        "Run charts",
        "PDSA log",
        "PIP status",
        "Open review items",
    ]
    cover = text_of(html[: html.index('id="packet-stages"')])
    assert "Test Agency" in cover and "Parent engagement" in cover
    assert "Since the last packet: 16 May 2026 to 15 Jun 2026" in cover
    stages = section(html, "stages")
    assert "The initiative is at stage 4." in stages and "(current)" in stages
    sprints = section(html, "sprints")
    # Sprint 2 closed in the period with 1 of 3 items done: 2 items (5 points) carried.
    assert "Sprint 2" in sprints and "Sprint 3" in sprints and "Sprint 1 " not in sprints
    assert "2 items (5 points)" in sprints
    assert "5 of 10 committed points completed" in sprints
    charts = section(html, "scrum_charts")
    assert "Burndown of sprint 3 (active)" in charts and 'id="burndown-table"' in html
    assert 'id="velocity-table"' in html and "Average velocity over the last 2" in charts
    gaps = section(html, "gaps")
    assert "Fathers are rarely invited" in gaps and "Component 1" in gaps
    assert "Core components without stories 2 of 2" in gaps
    fidelity = section(html, "fidelity")
    assert "1 of 2 (50%)" in fidelity and 'id="rollup-table"' in html
    measures = section(html, "measures")
    assert "Kinship placements" in measures and "Re-entry" in measures
    assert "2 measures; 1 with a signal" in measures and "Shift" in measures
    pdsa = section(html, "pdsa")
    assert "Text reminders" in pdsa and "Adopt" in pdsa and "Posters" not in pdsa
    pip = section(html, "pip")
    assert "1 key activity behind schedule" in pip and "Key activity 1" in pip
    assert "Siblings placed together" in pip
    reviews = section(html, "reviews")
    assert "1 unresolved comment thread; 1 sprint review awaiting sign-off" in reviews
    assert "Was the goal met?" in reviews and "More detail" not in reviews
    assert "Sprint 2 (closed 19 May 2026): no sign-off yet" in reviews
    # Every chart keeps its numbers as a table, opened so that it prints (A11Y-07).
    assert html.count('<details class="chart-data" open>') == 4
    assert '<details class="chart-data">' not in html


async def test_a_liaison_sees_small_cells_suppressed_as_on_the_measure_page(
    client, client_as, world
):
    built = await build(world)
    liaison = await client_as(world.users["liaison"])
    response = await liaison.get(url(world))
    assert response.status_code == 200
    measures = section(response.text, "measures")
    assert "1 period suppressed (small numbers)" in measures
    assert "suppressed" in measures and "37.5" not in response.text
    # The measure page shows the liaison the same thing.
    page = await liaison.get(f"/measures/{built.rate_measure}")
    assert "37.5" not in page.text
    # The team sees the value.
    team = section((await client.get(url(world))).text, "measures")
    assert "37.5" in team and "period suppressed" not in team


async def test_a_viewer_reads_the_packet_and_another_agency_gets_404(client_as, world):
    await build(world)
    viewer = await client_as(world.users["viewer"])
    assert (await viewer.get(url(world))).status_code == 200
    assert (await viewer.get(url(world, "/sprints.csv"))).status_code == 200
    outsider = await client_as(world.users["other_lead"])
    assert (await outsider.get(url(world))).status_code == 404
    assert (await outsider.get(url(world, "/sprints.csv"))).status_code == 404
    assert (await outsider.get(url(world, ".pdf"))).status_code == 404


async def test_the_since_date_chooses_the_sprints_and_pdsa_cycles(client, world):
    await build(world)
    html = (await client.get(url(world, "?since=2026-01-01"))).text
    assert "Sprint 1 " in section(html, "sprints")
    assert "Posters in the lobby" in section(html, "pdsa")
    assert "Since the last packet: 1 Jan 2026 to 15 Jun 2026" in text_of(html)
    html = (await client.get(url(world, "?since=2026-06-05"))).text
    sprints = section(html, "sprints")
    assert "Sprint 2" not in sprints and "Sprint 3" in sprints
    assert "Text reminders" in section(html, "pdsa")  # it ran until 10 June
    html = (await client.get(url(world, "?since=2026-06-11"))).text
    assert "No PDSA cycle ran since 11 Jun 2026" in section(html, "pdsa")


async def test_a_bad_since_date_is_reported_and_the_default_period_shown(client, world):
    await build(world)
    response = await client.get(url(world, "?since=2026-02-30"))
    assert response.status_code == 400
    html = response.text
    assert "There is a problem" in html and 'value="2026-02-30"' in html
    assert "<title>Error:" in html and 'aria-invalid="true"' in html
    assert "Since the last packet: 16 May 2026" in text_of(html)
    future = await client.get(url(world, "?since=2027-01-01"))
    assert future.status_code == 400 and "today or earlier" in future.text


async def test_the_packet_links_its_print_styles_and_has_no_site_navigation(client, world):
    await build(world)
    html = (await client.get(url(world))).text
    assert 'href="/static/css/packet.css"' in html
    assert 'href="/static/css/print.css" media="print"' in html
    assert 'class="site-header"' not in html and "initiative-nav" not in html
    tools = html[html.index('<nav class="no-print packet-tools"') :]
    assert tools.index("</nav>") < tools.index('id="packet-title"')
    css = (await client.get("/static/css/packet.css")).text
    assert "@page { size: auto;" in css and "break-before: page" in css
    assert ".no-print, .packet-tools, nav, form" in css


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.text)))


async def test_csv_exports_neutralise_formulas_and_suppress_small_cells(client, world):
    await build(world)
    await BacklogItem.update({BacklogItem.title: "=1+1"}).where(
        BacklogItem.initiative == world.initiative_id
    )
    from backend.scrum.tables import Sprint

    await Sprint.update({Sprint.goal: "=1+1"}).where(Sprint.initiative == world.initiative_id)
    response = await client.get(url(world, "/sprints.csv"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:3] == ["sprint", "state", "goal"]
    assert [r[2] for r in rows[1:]] == ["'=1+1", "'=1+1"]
    assert rows[1][7:] == ["2", "5"]
    measures = _csv(await client.get(url(world, "/measures.csv")))
    re_entry = [r for r in measures[1:] if r[0] == "Re-entry"]
    assert re_entry[1][3] == "suppressed (fewer than 10)" and re_entry[0][3] == "30"
    for table in ("gaps", "fidelity", "pdsa", "pip"):
        got = await client.get(url(world, f"/{table}.csv"))
        assert got.status_code == 200 and len(_csv(got)) > 1, table
    assert "Fathers are rarely invited" in (await client.get(url(world, "/gaps.csv"))).text
    assert (await client.get(url(world, "/secrets.csv"))).status_code == 404
    assert (await client.get(url(world, "/sprints.json"))).status_code == 404


async def test_the_packet_runs_the_same_number_of_queries_for_2_or_8_sprints_and_measures(
    client, world, count_queries
):
    built = await build(world, sprints=2, measures=2)
    with count_queries() as small:
        assert (await client.get(url(world, "?since=2026-01-01"))).status_code == 200
    # Six more sprints (five closed, one active) and six more measures.
    await scrum.complete_sprint(built.sprints[-1], "backlog")
    for n in range(5):
        await run_sprint(world, date(2026, 6, 2 + 2 * n), date(2026, 6, 3 + 2 * n), [2, 1], 1)
    await run_sprint(world, date(2026, 6, 13), None, [3], 0)
    set_day(TODAY)
    await add_measures(world, built, 6)
    with count_queries() as large:
        response = await client.get(url(world, "?since=2026-01-01"))
    assert response.status_code == 200 and "Sprint 8" in section(response.text, "sprints")
    assert "10 measures" in section(response.text, "measures")
    assert small.count == large.count


async def test_the_packet_downloads_as_pdf_when_weasyprint_is_installed(client, world):
    pytest.importorskip("weasyprint")
    await build(world)
    page = (await client.get(url(world))).text
    assert f'href="/initiatives/{world.initiative_id}/packet.pdf?since=2026-05-16"' in page
    response = await client.get(url(world, ".pdf?since=2026-05-16"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (await client.get(url(world, ".pdf?since=nonsense"))).status_code == 400


async def test_without_weasyprint_the_page_says_print_from_the_browser(client, world, monkeypatch):
    monkeypatch.setattr(controllers, "weasyprint_module", lambda: None)
    page = await client.get(url(world))
    assert "packet.pdf" not in page.text
    assert "Print to PDF from the browser" in text_of(page.text)
    response = await client.get(url(world, ".pdf"))
    assert response.status_code == 501
    assert "Print the packet to PDF from the browser" in response.text


async def test_packet_exports_are_logged_security_events(client, world, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="tandem.security")
    response = await client.get(f"/initiatives/{world.initiative_id}/packet/sprints.csv")
    assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "tandem.security"]
    assert any('event="export"' in line and 'what="packet:sprints"' in line for line in lines)
