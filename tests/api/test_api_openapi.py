"""The OpenAPI document at /api/schema/openapi.json describes exactly the /api/ routes."""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute

SCHEMA_URL = "/api/schema/openapi.json"
REF = "#/components/schemas/"
READ = {"400", "404"}
WRITE = {"400", "404", "422"}

# (method, path) -> (success code, request body schema or None, error codes)
EXPECTED = {
    ("get", "/api/initiatives"): ("200", None, set()),
    ("get", "/api/initiatives/{initiative_id}"): ("200", None, READ),
    ("get", "/api/initiatives/{initiative_id}/sprints"): ("200", None, READ),
    ("get", "/api/sprints/{sprint_id}"): ("200", None, READ),
    ("get", "/api/initiatives/{initiative_id}/items"): ("200", None, READ | {"422"}),
    ("post", "/api/initiatives/{initiative_id}/items"): ("201", "ItemCreate", WRITE),
    ("get", "/api/items/{item_id}"): ("200", None, READ),
    ("patch", "/api/items/{item_id}"): ("200", "ItemPatch", WRITE | {"409"}),
    ("post", "/api/items/{item_id}/move"): ("200", "ItemMove", WRITE | {"409"}),
    ("post", "/api/items/{item_id}/rank"): ("200", "ItemRank", WRITE),
    ("post", "/api/items/{item_id}/sprint"): ("200", "ItemSprint", WRITE | {"409"}),
    # C&I stage map and readiness (backend/initiatives/api.py)
    ("get", "/api/initiatives/{initiative_id}/stage-map"): ("200", None, READ),
    ("get", "/api/initiatives/{initiative_id}/readiness"): ("200", None, READ),
    ("post", "/api/stage-tasks/{task_id}"): ("200", "StageTaskPatch", WRITE | {"409"}),
    # problem exploration and theory of change (backend/exploration/api.py)
    ("get", "/api/initiatives/{initiative_id}/findings"): ("200", None, READ | {"422"}),
    ("post", "/api/initiatives/{initiative_id}/findings"): ("201", "FindingCreate", WRITE),
    ("get", "/api/findings/{finding_id}"): ("200", None, READ),
    ("patch", "/api/findings/{finding_id}"): ("200", "FindingPatch", WRITE | {"409"}),
    ("get", "/api/initiatives/{initiative_id}/theory-of-change"): ("200", None, READ),
    # practice profiles (backend/practice/api.py)
    ("get", "/api/initiatives/{initiative_id}/interventions"): ("200", None, READ),
    ("get", "/api/profiles/{profile_id}"): ("200", None, READ),
    ("post", "/api/profiles/{profile_id}/new-version"): ("201", "NewVersionBody", WRITE | {"409"}),
    # traceability (backend/traceability/api.py)
    ("get", "/api/items/{item_id}/links"): ("200", None, READ),
    ("put", "/api/items/{item_id}/links"): ("200", "ItemLinksUpdate", WRITE),
    ("get", "/api/initiatives/{initiative_id}/traceability"): ("200", None, READ),
    # sites (backend/sites/api.py)
    ("get", "/api/agencies/{agency_id}/sites"): ("200", None, READ),
    # cfsr (backend/cfsr/api.py)
    ("get", "/api/cfsr-items"): ("200", None, set()),
    # measures (backend/measures/api.py)
    ("get", "/api/initiatives/{initiative_id}/measures"): ("200", None, READ),
    ("get", "/api/measures/{measure_id}"): ("200", None, READ),
    ("post", "/api/measures/{measure_id}/points"): ("201", "PointCreate", WRITE | {"409"}),
    # pdsa (backend/pdsa/api.py)
    ("get", "/api/initiatives/{initiative_id}/pdsa-cycles"): ("200", None, READ),
    ("post", "/api/initiatives/{initiative_id}/pdsa-cycles"): ("201", "PdsaCycleCreate", WRITE),
    ("get", "/api/pdsa-cycles/{cycle_id}"): ("200", None, READ),
    # fidelity (backend/fidelity/api.py)
    ("get", "/api/initiatives/{initiative_id}/fidelity"): ("200", None, READ | {"422"}),
    ("post", "/api/initiatives/{initiative_id}/fidelity-assessments"): (
        "201",
        "FidelityAssessmentCreate",
        WRITE,
    ),
    ("get", "/api/fidelity-assessments/{fidelity_id}"): ("200", None, READ),
    # pip (backend/pip/api.py)
    ("get", "/api/pips/{pip_id}"): ("200", None, READ),
    ("patch", "/api/pip-activities/{activity_id}"): ("200", "PipActivityPatch", WRITE | {"409"}),
    # reviews (backend/reviews/api.py)
    ("get", "/api/sprints/{sprint_id}/sign-offs"): ("200", None, READ),
    ("post", "/api/sprints/{sprint_id}/sign-offs"): (
        "201",
        "SprintSignOffCreate",
        WRITE | {"409"},
    ),
}
ERROR_SCHEMAS = {
    "400": "ErrorBody",
    "404": "ErrorBody",
    "409": "ConflictBody",
    "422": "ValidationErrorBody",
}
# A conflict answers with the current state of what was edited, so its body differs
# by resource; a new profile version has no current state to give (someone else's
# version number was taken).
CONFLICT_SCHEMAS = {
    ("patch", "/api/findings/{finding_id}"): "FindingConflictBody",
    ("post", "/api/stage-tasks/{task_id}"): "StageTaskConflictBody",
    ("post", "/api/profiles/{profile_id}/new-version"): "ErrorBody",
    # measures: a period that already has a point; nothing of it to send back
    ("post", "/api/measures/{measure_id}/points"): "ErrorBody",
    ("patch", "/api/pip-activities/{activity_id}"): "PipActivityConflictBody",
    ("post", "/api/sprints/{sprint_id}/sign-offs"): "ErrorBody",  # reviews: not closed
}


def _api_routes(app) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every /api/ handler the app serves."""
    found = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        if route.path.startswith("/api/schema"):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for method in route.methods - {"HEAD", "OPTIONS"}:
            found.add((method.lower(), path))
    return found


async def _document(client) -> dict:
    response = await client.get(SCHEMA_URL)
    assert response.status_code == 200
    return response.json()


async def test_every_api_route_is_documented_with_its_methods(app, client, world):
    doc = await _document(client)
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert _api_routes(app) == set(EXPECTED)
    assert documented == set(EXPECTED)


async def test_no_page_for_people_is_in_the_api_document(client, world):
    doc = await _document(client)
    assert doc["paths"], "the document lists no paths"
    for path in doc["paths"]:
        assert path.startswith("/api/"), path
        assert not path.startswith("/api/schema"), path


async def test_request_bodies_and_responses_are_typed(client, world):
    doc = await _document(client)
    for (method, path), (success, body, errors) in EXPECTED.items():
        operation = doc["paths"][path][method]
        where = f"{method.upper()} {path}"
        if body is None:
            assert "requestBody" not in operation, where
        else:
            content = operation["requestBody"]["content"]["application/json"]
            assert content["schema"] == {"$ref": REF + body}, where
            assert operation["requestBody"]["required"] is True, where
        assert set(operation["responses"]) == {success} | errors, where
        ok = operation["responses"][success]["content"]["application/json"]["schema"]
        assert ok, where
        for code in errors:
            schema = operation["responses"][code]["content"]["application/json"]["schema"]
            expected = ERROR_SCHEMAS[code]
            if code == "409":
                expected = CONFLICT_SCHEMAS.get((method, path), expected)
            assert schema == {"$ref": REF + expected}, (where, code)


async def test_response_schemas_name_the_resources(client, world):
    doc = await _document(client)
    paths = doc["paths"]

    def ok_schema(path: str, method: str = "get", code: str = "200") -> dict:
        return paths[path][method]["responses"][code]["content"]["application/json"]["schema"]

    assert ok_schema("/api/initiatives") == {
        "items": {"$ref": REF + "Initiative"},
        "type": "array",
    }
    assert ok_schema("/api/initiatives/{initiative_id}") == {"$ref": REF + "Initiative"}
    assert ok_schema("/api/sprints/{sprint_id}") == {"$ref": REF + "Sprint"}
    assert ok_schema("/api/initiatives/{initiative_id}/items") == {"$ref": REF + "ItemPage"}
    assert ok_schema("/api/initiatives/{initiative_id}/items", "post", "201") == {
        "$ref": REF + "Item"
    }
    for path, method in (
        ("/api/items/{item_id}", "patch"),
        ("/api/items/{item_id}/move", "post"),
        ("/api/items/{item_id}/rank", "post"),
        ("/api/items/{item_id}/sprint", "post"),
    ):
        assert ok_schema(path, method) == {"$ref": REF + "Item"}, path


async def test_body_schemas_list_their_fields_and_what_is_required(client, world):
    schemas = (await _document(client))["components"]["schemas"]
    create = schemas["ItemCreate"]
    assert create["required"] == ["title"]
    assert create["properties"]["title"]["maxLength"] == 200
    assert set(create["properties"]) == {
        "title",
        "kind",
        "narrative",
        "acceptance_criteria",
        "estimate",
        "stage_id",
        "sprint_id",
        "column_id",
        "assignee_name",
        "at_top",
        "pii_confirmed",
    }
    kinds = create["properties"]["kind"]["enum"]
    assert set(kinds) == {"story", "task", "spike", "pdsa_test", "pip_activity", "impediment"}
    patch = schemas["ItemPatch"]
    assert patch["required"] == ["version"]
    assert "at_top" not in patch["properties"]
    assert schemas["ItemMove"]["required"] == ["column_id"]
    assert schemas["ItemRank"]["required"] == ["action"]
    assert set(schemas["ItemRank"]["properties"]["action"]["enum"]) == {
        "top",
        "up",
        "down",
        "bottom",
        "above",
    }
    assert schemas["ItemSprint"]["required"] == ["sprint_id"]
    assert set(schemas["ValidationErrorBody"]["properties"]) == {"detail", "errors"}
    assert schemas["ConflictBody"]["properties"]["current"] == {"$ref": REF + "Item"}
    page = schemas["ItemPage"]["properties"]
    assert set(page) == {"items", "total", "limit", "offset"}


async def test_the_items_list_documents_its_paging_and_filters(client, world):
    doc = await _document(client)
    operation = doc["paths"]["/api/initiatives/{initiative_id}/items"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {"initiative_id", "limit", "offset", "stage_id", "sprint_id", "kind"}
    assert params["initiative_id"]["in"] == "path"
    assert all(params[n]["in"] == "query" for n in params if n != "initiative_id")
    assert params["limit"]["schema"]["default"] == 50
    assert params["limit"]["schema"]["maximum"] == 200
