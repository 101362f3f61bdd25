"""The portfolio packet: one printable document with the progress packet of every
initiative a person sees on /portfolio (a liaison's assigned agencies, a member's own
agencies, never others: SEC-08), after a cover with the portfolio's summary lines.

Queries: the portfolio's fixed reads (PERF-05), one for the initiatives, then
sections.build for each initiative, itself a fixed number of queries whatever the rows
inside it (PERF-01). So the count grows with the number of initiatives, as the length
of the printed document does, but never with their sprints, measures or cycles.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Response, Template

from backend import clock
from backend.accounts.permissions import LIAISON
from backend.packet import controllers, queries, sections
from backend.portfolio import queries as portfolio_queries
from backend.web.forms import Errors, row_id


def chosen_agency(raw: Any, agencies: list[tuple[int, str]]) -> int | None:
    """?agency=<id>, only among the person's own agencies; anything else is ignored
    (as on /portfolio), so no other agency's existence is revealed."""
    agency = row_id(raw if isinstance(raw, str) else None)
    return agency if agency in {a for a, _ in agencies} else None


async def _context(request: Request) -> tuple[dict[str, Any], int]:
    access = request.state.access
    now = clock.now()
    errors = Errors()
    since, since_typed = controllers._since(request.query_params.get("since"), now.date(), errors)
    agencies = await portfolio_queries.agency_names(access)
    agency = chosen_agency(request.query_params.get("agency"), agencies)
    rows = [
        r
        for r in await portfolio_queries.portfolio(access, now)
        if agency is None or r.agency_id == agency
    ]
    initiatives = await queries.initiatives_by_id([r.initiative_id for r in rows])
    packets = []
    for row in rows:  # ordered by agency, then initiative, as /portfolio lists them
        initiative = initiatives[row.initiative_id]
        # Small cells are suppressed where the person is a liaison, as on the
        # initiative's own packet and measure pages.
        suppress = access.role_in(row.agency_id) == LIAISON
        packet = await sections.build(initiative, since, now, suppress)
        packets.append(
            {"row": row, "initiative": initiative, "packet": packet, "suppress": suppress}
        )
    title = "Portfolio progress packet"
    context = {
        "title": f"Error: {title}" if errors else title,
        "person": access.name,
        "today": now.date(),
        "since": since,
        "since_typed": since_typed,
        "errors": errors,
        "agencies": agencies,
        "agency": agency,
        "agency_name": dict(agencies).get(agency, ""),
        "packets": packets,
        "any_suppressed": any(p["suppress"] for p in packets),
        "sections": sections.SECTIONS,
        "pdf_available": controllers.weasyprint_module() is not None,
        "reused": controllers.reused,
    }
    return context, 400 if errors else 200


def _query(context: dict[str, Any]) -> str:
    """The period and agency of this packet, for the PDF link."""
    query = f"since={context['since'].isoformat()}"
    return query + (f"&agency={context['agency']}" if context["agency"] else "")


@get("/portfolio/packet", name="packet.portfolio")
async def portfolio_packet(request: Request) -> Template:
    context, status = await _context(request)
    context["pdf_query"] = _query(context)
    return Template("packet/portfolio.html", context=context, status_code=status)


@get("/portfolio/packet.pdf", name="packet.portfolio_pdf")
async def portfolio_packet_pdf(request: Request) -> Response:
    """The portfolio packet as PDF, with the same WeasyPrint helper as an initiative's."""
    if controllers.weasyprint_module() is None:
        return controllers.plain(controllers.NO_PDF, 501)
    context, status = await _context(request)
    if status != 200:
        return controllers.plain(controllers.BAD_PERIOD, status)
    return await controllers.pdf_response(
        request, "packet/portfolio.html", context, "portfolio-packet.pdf"
    )


route_handlers = [portfolio_packet, portfolio_packet_pdf]
