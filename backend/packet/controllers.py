"""The progress packet of an initiative: one printable page, its tables as CSV, and a
PDF when WeasyPrint is installed (the optional "pdf" extra)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import anyio
from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Response, Template
from markupsafe import Markup

from backend import clock
from backend.accounts.audit import security_event
from backend.errors import NotFound
from backend.initiatives.queries import initiative_or_404
from backend.measures.queries import suppresses_small_cells
from backend.packet import exports, sections
from backend.web.csv_export import csv_response
from backend.web.forms import Errors, day

DEFAULT_DAYS = 30  # "since the last packet" when no date is chosen


def _since(raw: str | None, today: date, errors: Errors) -> tuple[date, str]:
    """The start of the period and the text as typed; a bad date is reported and the
    default used, so the packet still shows."""
    default = today - timedelta(days=DEFAULT_DAYS)
    value = day(raw, "since", errors, label="The start of the period")
    if value is not None and value > today:
        errors.add("since", "The start of the period must be today or earlier")
        value = None
    typed = raw if isinstance(raw, str) else ""
    return (value or default), (typed if errors else (value or default).isoformat())


# Ids and references in the HTML of templates reused from other areas (charts, tables).
_ID = re.compile(r'(?<![\w-])(id|for)="([^"]+)"')
_REFS = re.compile(r'(?<![\w-])(aria-labelledby|aria-describedby|aria-controls)="([^"]+)"')
_LINK = re.compile(r'(href="#|url\(#)')
_HEADING = re.compile(r"<(/?)h([1-6])\b")


def reused(html: str, prefix: str = "", shift: int = 0) -> Markup:
    """HTML rendered by another area's template, fitted into the packet.

    - The "numbers as a table" disclosures are opened, so the tables (A11Y-07) print:
      a closed <details> prints only its summary.
    - With a prefix, every id and every reference to one gets it: those templates use
      fixed ids (burndown-table, velocity-hatch...), and the portfolio packet shows
      several initiatives on one page (ids must stay unique, A11Y-02).
    - Headings move down `shift` levels, under the packet's own (h3 under h2...).
    The HTML is our own templates' autoescaped output, never what someone typed.
    """
    out = str(html).replace('<details class="chart-data">', '<details class="chart-data" open>')
    if prefix:
        out = _ID.sub(lambda m: f'{m[1]}="{prefix}{m[2]}"', out)
        out = _REFS.sub(lambda m: f'{m[1]}="{" ".join(prefix + r for r in m[2].split())}"', out)
        out = _LINK.sub(lambda m: m[1] + prefix, out)
    if shift:
        out = _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + shift)}", out)
    return Markup(out)


def weasyprint_module() -> Any | None:
    """WeasyPrint when the optional "pdf" extra is installed, else None."""
    try:
        import weasyprint
        import weasyprint.urls  # noqa: F401  (URLFetcherResponse)
    except (ImportError, OSError):  # OSError: the Pango libraries are missing
        return None
    return weasyprint


async def _context(request: Request, initiative_id: int) -> tuple[dict[str, Any], int]:
    initiative = await initiative_or_404(initiative_id)
    now = clock.now()
    errors = Errors()
    since, since_typed = _since(request.query_params.get("since"), now.date(), errors)
    suppress = suppresses_small_cells(request)
    packet = await sections.build(initiative, since, now, suppress)
    title = f"Progress packet: {initiative['title']}"
    context = {
        "title": f"Error: {title}" if errors else title,
        "heading": title,
        "initiative": initiative,
        "today": now.date(),
        "since": since,
        "since_typed": since_typed,
        "errors": errors,
        "suppress": suppress,
        "sections": sections.SECTIONS,
        "tables": list(exports.TABLES),
        "table_labels": exports.LABELS,
        "pdf_available": weasyprint_module() is not None,
        "reused": reused,
        "packet": packet,
    }
    return context, 400 if errors else 200


@get("/initiatives/{initiative_id:int}/packet", name="packet.page")
async def packet_page(request: Request, initiative_id: FromPath[int]) -> Template:
    context, status = await _context(request, initiative_id)
    return Template("packet/packet.html", context=context, status_code=status)


@get("/initiatives/{initiative_id:int}/packet/{table:str}", name="packet.csv")
async def packet_csv(
    request: Request, initiative_id: FromPath[int], table: FromPath[str]
) -> Response:
    """One table of the packet as CSV: sprints.csv, gaps.csv, ... (an allowlist)."""
    name = table.removesuffix(".csv")
    builder = exports.TABLES.get(name) if table.endswith(".csv") else None
    if builder is None:
        raise NotFound(f"The packet has no table called {table}")
    initiative = await initiative_or_404(initiative_id)
    now = clock.now()
    since, _ = _since(request.query_params.get("since"), now.date(), Errors())
    header, rows = await builder(initiative, since, now)
    security_event(  # SEC-16: agency data leaving the app
        "export", request, user=request.state.access.email, what=f"packet:{name}", rows=len(rows)
    )
    return csv_response(f"packet-{initiative_id}-{name}.csv", header, rows)


def _static_fetcher(static_dir: Path, weasyprint: Any) -> Any:
    """A fetcher that lets WeasyPrint read our own stylesheets from disk and nothing
    else: no network, no other file."""
    root = static_dir.resolve()

    class StaticOnly(weasyprint.URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            marker = "/static/"
            if marker in url:
                path = (root / url.split(marker, 1)[1].split("?", 1)[0]).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return weasyprint.urls.URLFetcherResponse(
                        url, path.read_bytes(), {"Content-Type": _mime(path)}
                    )
            raise ValueError(f"not fetched for the PDF: {url}")

    return StaticOnly()


def _mime(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(
        path.suffix, "application/octet-stream"
    )


NO_PDF = (
    "PDF download is not installed on this server (install the optional "
    '"pdf" extra: WeasyPrint). Print the packet to PDF from the browser instead.'
)
BAD_PERIOD = "The start of the period is not a valid date: correct it on the packet page."


def plain(text: str, status: int) -> Response:
    return Response(text, status_code=status, media_type="text/plain; charset=utf-8")


async def pdf_response(
    request: Request, template: str, context: dict[str, Any], filename: str
) -> Response:
    """Render a packet template to PDF with WeasyPrint in a worker thread (no browser).
    Shared by the initiative's packet and the portfolio packet."""
    weasyprint = weasyprint_module()
    context["for_pdf"] = True
    security_event("export", request, user=request.state.access.email, what=filename)
    engine = request.app.template_engine
    html = engine.get_template(template).render(**context, request=request)
    fetcher = _static_fetcher(Path(request.app.state.settings.static_dir), weasyprint)

    def render() -> bytes:
        return weasyprint.HTML(
            string=html, base_url=str(request.base_url), url_fetcher=fetcher
        ).write_pdf()

    pdf = await anyio.to_thread.run_sync(render)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@get("/initiatives/{initiative_id:int}/packet.pdf", name="packet.pdf")
async def packet_pdf(request: Request, initiative_id: FromPath[int]) -> Response:
    """The packet as PDF, rendered by WeasyPrint on the server (no browser needed)."""
    if weasyprint_module() is None:
        await initiative_or_404(initiative_id)
        return plain(NO_PDF, 501)
    context, status = await _context(request, initiative_id)
    if status != 200:
        return plain(BAD_PERIOD, status)
    return await pdf_response(request, "packet/packet.html", context, f"packet-{initiative_id}.pdf")


from backend.packet import portfolio  # noqa: E402  (it uses the helpers above)

route_handlers = [packet_page, packet_pdf, packet_csv, *portfolio.route_handlers]
