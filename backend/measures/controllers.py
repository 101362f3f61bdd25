"""Pages for measures: the list, new/edit/delete, the run chart page, data points, CSV in and out.

Writes go through `services`; forms come back with errors (422) or a
conflict (409, DATA-01) keeping what was typed. Liaisons see small cells
suppressed on every page (queries.present); the export always suppresses.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from backend.errors import Conflict, Invalid
from backend.initiatives.queries import initiative_or_404
from backend.measures import csv_import, forms, periods, queries, services
from backend.measures.chart import run_chart_view, with_unit
from backend.measures.tables import (
    DEFAULT_BASELINE_POINTS,
    DEFAULT_SMALL_CELL,
    DIRECTIONS,
    MEASURE_KINDS,
    PERIOD_KINDS,
    POINT_SOURCES,
    RULE_SETS,
)
from backend.web import pii
from backend.web.csv_export import csv_response
from backend.web.forms import Errors, digits, edit_version, form_data, typed
from backend.web.pages import form_page, user_id_of

NAV = "measures"
CHOICES = {
    "kinds": MEASURE_KINDS,
    "directions": DIRECTIONS,
    "period_kinds": PERIOD_KINDS,
    "rule_sets": RULE_SETS,
    "sources": POINT_SOURCES,
}
NEW_MEASURE = {
    "kind": "outcome",
    "direction": "up",
    "period_kind": "month",
    "rule_set": "ihi",
    "baseline_points": str(DEFAULT_BASELINE_POINTS),
    "small_cell_threshold": str(DEFAULT_SMALL_CELL),
}
EXPORT_HEADER = (
    "period",
    "period_start",
    "value",
    "numerator",
    "denominator",
    "annotation",
    "astronomical",
    "astronomical_reason",
    "source",
)


def _url(request: Request, name: str, **params: Any) -> str:
    return request.app.route_reverse(name, **params)


def _shown(point: dict[str, Any], measure: dict[str, Any]) -> dict[str, Any]:
    """A presented point with its value in words for the tables."""
    if point["suppressed"]:
        text = queries.suppressed_text(measure["small_cell_threshold"])
    else:
        text = with_unit(point["value"], measure["unit"])
    return {**point, "value_text": text}


# ---------------------------------------------------------------- the list


@get("/initiatives/{initiative_id:int}/measures", name="measures.index")
async def measure_list(
    request: Request, initiative_id: FromPath[int], kind: FromQuery[str | None] = None
) -> Template:
    initiative = await initiative_or_404(initiative_id)
    # A kind that is not one of the choices is ignored: filters come from shared links.
    chosen = kind if kind in MEASURE_KINDS else ""
    suppress = queries.suppresses_small_cells(request)
    measures = await queries.measures_of(
        initiative_id, kind=chosen or None, suppress_small=suppress
    )
    for measure in measures:
        if measure["latest"]:
            measure["latest"] = _shown(measure["latest"], measure)
    return Template(
        "measures/index.html",
        context={
            "title": f"Measures of {initiative['title']}",
            "initiative": initiative,
            "nav": NAV,
            "measures": measures,
            "kind": chosen,
            **CHOICES,
        },
    )


# ---------------------------------------------------------------- new and edit


async def _measure_form(
    initiative: dict[str, Any],
    measure: dict[str, Any] | None,
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    return form_page(
        "measures/measure_form.html",
        status,
        title=f"Edit measure {measure['name']}" if measure else "New measure",
        initiative=initiative,
        nav=NAV,
        measure=measure,
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else (measure or {}).get("version"),
        cfsr_groups=await queries.cfsr_options(),
        interventions=await queries.intervention_options(initiative["id"]),
        **CHOICES,
    )


@get("/initiatives/{initiative_id:int}/measures/new", name="measures.new")
async def measure_new(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    return await _measure_form(initiative, None, dict(NEW_MEASURE), Errors())


@post("/initiatives/{initiative_id:int}/measures/new", name="measures.create")
async def measure_create(request: Request, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    values, errors = forms.parse_measure(data)
    await pii.check(data, forms.MEASURE_PII, initiative["agency"], errors)
    if not errors:
        try:
            measure_id = await services.create_measure(initiative_id, values, user_id_of(request))
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            return Redirect(
                _url(request, "measures.detail", measure_id=measure_id), status_code=303
            )
    return await _measure_form(
        initiative, None, typed(data, forms.MEASURE_FIELDS), errors, status=422
    )


@get("/measures/{measure_id:int}/edit", name="measures.edit")
async def measure_edit(measure_id: FromPath[int]) -> Template:
    measure = await queries.measure_or_404(measure_id)
    initiative = await initiative_or_404(measure["initiative"])
    return await _measure_form(initiative, measure, forms.measure_values(measure), Errors())


@post("/measures/{measure_id:int}/edit", name="measures.update")
async def measure_update(request: Request, measure_id: FromPath[int]) -> Template | Redirect:
    measure = await queries.measure_or_404(measure_id)
    initiative = await initiative_or_404(measure["initiative"])
    data = await form_data(request)
    version = edit_version(data, "measure")
    values, errors = forms.parse_measure(data)
    await pii.check(data, forms.MEASURE_PII, initiative["agency"], errors)
    status, conflict, current = 422, None, measure
    if not errors:
        try:
            await services.update_measure(measure_id, version, values)
        except Conflict as exc:
            status, conflict = 409, exc.message
            current = await queries.measure_or_404(measure_id)
            version = current["version"]
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            return Redirect(
                _url(request, "measures.detail", measure_id=measure_id), status_code=303
            )
    return await _measure_form(
        initiative,
        current,
        typed(data, forms.MEASURE_FIELDS),
        errors,
        status,
        conflict,
        version=version,
    )


# ---------------------------------------------------------------- the run chart page


@get("/measures/{measure_id:int}", name="measures.detail")
async def measure_detail(
    request: Request, measure_id: FromPath[int], imported: FromQuery[str | None] = None
) -> Template:
    measure = await queries.measure_or_404(measure_id)
    initiative = await initiative_or_404(measure["initiative"])
    suppress = queries.suppresses_small_cells(request)
    data = await queries.chart_data_of(measure, suppress_small=suppress)
    view = run_chart_view(
        data.chart_points,
        data.analysis,
        data.markers,
        title=measure["name"],
        unit=measure["unit"],
        direction=measure["direction"],
        chart_id=f"run-chart-{measure_id}",
    )
    count = digits(imported)
    return Template(
        "measures/detail.html",
        context={
            "title": f"Measure: {measure['name']}",
            "initiative": initiative,
            "nav": NAV,
            "measure": measure,
            "points": [_shown(p, measure) for p in data.points],
            "view": view,
            "suppress": suppress,
            "suppressed": data.suppressed,
            "small": data.small,
            "imported": count,
            **CHOICES,
        },
    )


# ---------------------------------------------------------------- delete


async def _delete_page(
    measure: dict[str, Any], status: int = 200, conflict: str | None = None
) -> Template:
    return form_page(
        "measures/delete.html",
        status,
        title=f"Delete measure {measure['name']}?",
        initiative=await initiative_or_404(measure["initiative"]),
        nav=NAV,
        measure=measure,
        point_count=await services.point_count(measure["id"]),
        cycles=await queries.linked_cycles(measure["id"]),
        conflict=conflict,
    )


@get("/measures/{measure_id:int}/delete", name="measures.delete_confirm")
async def measure_delete_confirm(measure_id: FromPath[int]) -> Template:
    return await _delete_page(await queries.measure_or_404(measure_id))


@post("/measures/{measure_id:int}/delete", name="measures.delete")
async def measure_delete(request: Request, measure_id: FromPath[int]) -> Template | Redirect:
    measure = await queries.measure_or_404(measure_id)
    version = edit_version(await form_data(request), "measure")
    try:
        await services.delete_measure(measure_id, version)
    except Conflict as exc:
        return await _delete_page(await queries.measure_or_404(measure_id), 409, exc.message)
    return Redirect(
        _url(request, "measures.index", initiative_id=measure["initiative"]), status_code=303
    )


# ---------------------------------------------------------------- data points


async def _point_form(
    measure: dict[str, Any],
    point: dict[str, Any] | None,
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    label = periods.label(point["period_start"], measure["period_kind"]) if point else ""
    return form_page(
        "measures/point_form.html",
        status,
        title=f"Edit {label} of {measure['name']}"
        if point
        else f"Add a point to {measure['name']}",
        initiative=await initiative_or_404(measure["initiative"]),
        nav=NAV,
        measure=measure,
        point=point,
        point_label=label,
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else (point or {}).get("version"),
        period_hint=_period_hint(measure["period_kind"]),
        read_only=bool(point and point["source"] == "fidelity"),
        **CHOICES,
    )


def _period_hint(period_kind: str) -> str:
    return {
        "month": "Any day of the month, like 2025-03-01: it is saved as the month's first day.",
        "quarter": "Any day of the quarter, like 2025-01-01: it is saved as its first day.",
        "week": "Any day of the week, like 2025-03-05: it is saved as that week's Monday.",
    }[period_kind]


@get("/measures/{measure_id:int}/points/new", name="measures.point_new")
async def point_new(measure_id: FromPath[int]) -> Template:
    measure = await queries.measure_or_404(measure_id)
    return await _point_form(measure, None, {}, Errors())


@post("/measures/{measure_id:int}/points/new", name="measures.point_create")
async def point_create(request: Request, measure_id: FromPath[int]) -> Template | Redirect:
    measure = await queries.measure_or_404(measure_id)
    data = await form_data(request)
    values, errors = forms.parse_point(data, measure)
    await pii.check(data, forms.POINT_PII, measure["agency"], errors)
    if not errors:
        try:
            point_id = await services.add_point(measure_id, values, user_id_of(request))
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            url = _url(request, "measures.detail", measure_id=measure_id)
            return Redirect(f"{url}#point-{point_id}", status_code=303)
    return await _point_form(measure, None, typed(data, forms.POINT_FIELDS), errors, 422)


@get("/points/{point_id:int}/edit", name="measures.point_edit")
async def point_edit(point_id: FromPath[int]) -> Template:
    point = await queries.point_or_404(point_id)
    measure = await queries.measure_or_404(point["measure"])
    return await _point_form(measure, point, forms.point_values(point), Errors())


def _point_typed(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = typed(data, forms.POINT_EDIT_FIELDS)
    values["astronomical"] = forms.checked(data.get("astronomical"))
    return values


@post("/points/{point_id:int}/edit", name="measures.point_update")
async def point_update(request: Request, point_id: FromPath[int]) -> Template | Redirect:
    point = await queries.point_or_404(point_id)
    measure = await queries.measure_or_404(point["measure"])
    data = await form_data(request)
    version = edit_version(data, "data point")
    values, errors = forms.parse_point(data, measure, edit=True)
    await pii.check(data, forms.POINT_PII, measure["agency"], errors)
    status, conflict, current = 422, None, point
    if not errors:
        try:
            await services.update_point(point_id, version, values, user_id_of(request))
        except Conflict as exc:
            status, conflict = 409, exc.message
            current = await queries.point_or_404(point_id)
            version = current["version"]
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            url = _url(request, "measures.detail", measure_id=measure["id"])
            return Redirect(f"{url}#point-{point_id}", status_code=303)
    return await _point_form(
        measure, current, _point_typed(data), errors, status, conflict, version=version
    )


@post("/points/{point_id:int}/delete", name="measures.point_delete")
async def point_delete(request: Request, point_id: FromPath[int]) -> Template | Redirect:
    point = await queries.point_or_404(point_id)
    measure = await queries.measure_or_404(point["measure"])
    version = edit_version(await form_data(request), "data point")
    try:
        await services.delete_point(point_id, version)
    except Conflict as exc:
        current = await queries.point_or_404(point_id)
        return await _point_form(
            measure, current, forms.point_values(current), Errors(), 409, exc.message
        )
    return Redirect(
        _url(request, "measures.detail", measure_id=measure["id"]) + "#points", status_code=303
    )


# ---------------------------------------------------------------- CSV import and export


async def _import_form(
    measure: dict[str, Any],
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    source: str = "csv_text",
) -> Template:
    return form_page(
        "measures/import.html",
        status,
        title=f"Import data points of {measure['name']}",
        initiative=await initiative_or_404(measure["initiative"]),
        nav=NAV,
        measure=measure,
        values=values,
        errors=errors,
        source=source,
        columns=", ".join(csv_import.columns_for(measure)),
        period_example=periods.example(measure["period_kind"]),
        max_rows=csv_import.MAX_ROWS,
    )


async def _uploaded(upload: Any) -> tuple[bytes, str]:
    """(content, file name) of a file input; empty when no file was chosen."""
    if not isinstance(upload, UploadFile):
        return b"", ""
    # One byte more than the limit is enough to know it is too large.
    content = await upload.read(csv_import.MAX_BYTES + 1)
    return content, upload.filename or ""


@get("/measures/{measure_id:int}/import", name="measures.import_form")
async def import_form(measure_id: FromPath[int]) -> Template:
    measure = await queries.measure_or_404(measure_id)
    return await _import_form(measure, {}, Errors())


@post("/measures/{measure_id:int}/import", name="measures.import")
async def import_points(request: Request, measure_id: FromPath[int]) -> Template | Redirect:
    measure = await queries.measure_or_404(measure_id)
    data = await form_data(request)
    raw = data.get("csv_text")
    # Read in full: typed() keeps at most MAX_FORM_VALUE characters, less than MAX_BYTES.
    pasted = raw.replace("\r\n", "\n").strip() if isinstance(raw, str) else ""
    values = {"csv_text": pasted, "replace": forms.checked(data.get("replace"))}
    content, filename = await _uploaded(data.get("csv_file"))
    errors = Errors()
    source = "csv_file" if content or filename else "csv_text"
    if content and pasted:
        errors.add(
            "csv_text", "Paste rows or choose a file, not both: empty the box to use the file"
        )
        return await _import_form(measure, values, errors, 422, "csv_text")
    if len(content) > csv_import.MAX_BYTES or len(pasted.encode()) > csv_import.MAX_BYTES:
        where = "The file" if content else "The pasted text"
        errors.add(source, f"{where} is larger than 1 MB: import the data in parts")
        values["csv_text"] = ""  # too large to send back
        return await _import_form(measure, values, errors, 413, source)
    text = pasted
    if content:
        decoded = csv_import.decode(content)
        if decoded is None:
            errors.add(
                "csv_file",
                f"{filename or 'The file'} is not text in UTF-8: save it as CSV (UTF-8) "
                "and choose it again",
            )
            return await _import_form(measure, values, errors, 422, "csv_file")
        text = decoded
    elif filename:
        errors.add("csv_file", f"{filename} is empty")
        return await _import_form(measure, values, errors, 422, "csv_file")
    parsed = csv_import.parse(
        text, measure, await queries.saved_periods(measure_id), replace=values["replace"]
    )
    errors = parsed.errors
    # PII-01: annotations are free text, checked row by row.
    notes = {f"row-{row['row']}-annotation": row["annotation"] for row in parsed.rows}
    labels = {key: f"Row {key.split('-')[1]}: the annotation" for key in notes}
    await pii.check(
        {**notes, "pii_confirmed": data.get("pii_confirmed")}, labels, measure["agency"], errors
    )
    if not errors:
        rows = [
            {key: row[key] for key in ("period_start", "value", "numerator", "denominator")}
            | ({"annotation": row["annotation"]} if parsed.has_annotation else {})
            for row in parsed.rows
        ]
        try:
            count = await services.add_points(
                measure_id, rows, user_id_of(request), "imported", replace=values["replace"]
            )
        except (Invalid, Conflict) as exc:
            # Someone saved a period between the check and the write: nothing was imported.
            errors.add(source, exc.message)
        else:
            url = _url(request, "measures.detail", measure_id=measure_id)
            return Redirect(f"{url}?imported={count}#points", status_code=303)
    if source == "csv_file":
        values["csv_text"] = ""
    return await _import_form(measure, values, errors, 422, source)


@get("/measures/{measure_id:int}/export.csv", name="measures.export")
async def export_points(measure_id: FromPath[int]) -> Response:
    """Every point, small cells always suppressed: an export may leave the agency."""
    data = await queries.chart_data(measure_id, suppress_small=True, with_markers=False)
    measure = data.measure
    rows = []
    for point in data.points:
        if point["suppressed"]:
            value = queries.suppressed_text(measure["small_cell_threshold"])
        else:
            value = forms.plain(round(point["value"], 4))
        rows.append(
            (
                point["code"],
                point["period_start"].isoformat(),
                value,
                "" if point["numerator"] is None else point["numerator"],
                "" if point["denominator"] is None else point["denominator"],
                point["annotation"],
                "yes" if point["astronomical"] else "",
                point["astronomical_reason"],
                point["source"],
            )
        )
    return csv_response(f"measure-{measure_id}.csv", EXPORT_HEADER, rows)


route_handlers = [
    measure_list,
    measure_new,
    measure_create,
    measure_detail,
    measure_edit,
    measure_update,
    measure_delete_confirm,
    measure_delete,
    point_new,
    point_create,
    point_edit,
    point_update,
    point_delete,
    import_form,
    import_points,
    export_points,
]
