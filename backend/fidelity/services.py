"""Every write to fidelity assessments: one transaction each, and the fidelity measures
fed from them recomputed inside it (feed.refresh_measures).

For seeds and other areas:

    create_assessment(
        initiative_id,
        {"profile_id": 7, "site_id": 3, "method": "case_review",
         "assessed_on": date(2026, 2, 10), "assessor": "Dana Reyes", "notes": ""},
        {("behaviour", 41): level_id, ("component", 12): level_id},
        user_id,
    ) -> the new assessment's id

- `ratings` maps a row of the rubric to a continuum level of the same profile
  version: ("behaviour", id) for a practice behaviour, ("component", id) for a
  core component that has no behaviours (rated as a whole). Rows left out are
  "not rated"; at least one row must be rated.
- The profile version must belong to the initiative and be being tested or
  approved (queries.RATEABLE_STATUSES); the site must be one of the
  initiative's agency's sites; `method` a key of tables.METHODS.
- Anything wrong raises backend.errors.Invalid with a message per field
  (rating rows under their form field, "b-41"; rows not in the version under
  "ratings") and nothing is saved.

Notes are not checked for personal information here: the page and the API do
that (PII-01) before calling.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from backend import db
from backend.errors import Invalid, NotFound
from backend.fidelity import feed, queries
from backend.fidelity.forms import RatingKey, rating_field
from backend.fidelity.tables import METHODS, FidelityAssessment, FidelityRating
from backend.initiatives.tables import Initiative
from backend.practice.queries import rubric
from backend.versions import check_version, save_version

EDITABLE = ("site", "method", "assessed_on", "assessor", "notes")
INSERT_CHUNK = 200  # ratings per INSERT, well under SQLite's variable limit


def _row_name(key: RatingKey, texts: dict[RatingKey, str]) -> str:
    return f"“{texts[key]}”"


def check_ratings(
    profile_rubric: dict[str, Any],
    profile_number: int,
    ratings: dict[RatingKey, int],
    errors: dict[str, str],
) -> list[dict[str, Any]]:
    """The rating rows to save, or messages in `errors` for ratings that do not belong to
    this profile version (a row or a level of another version or profile)."""
    levels = {level["id"] for level in profile_rubric["levels"]}
    component_of: dict[RatingKey, int] = {}
    texts: dict[RatingKey, str] = {}
    for component in profile_rubric["components"]:
        if component["behaviours"]:
            for behaviour in component["behaviours"]:
                component_of[("behaviour", behaviour["id"])] = component["id"]
                texts[("behaviour", behaviour["id"])] = behaviour["text"]
        else:
            component_of[("component", component["id"])] = component["id"]
            texts[("component", component["id"])] = component["name"]
    rows = []
    for key, level in ratings.items():
        kind, row_id = key
        if key not in component_of:
            what = "Practice behaviour" if kind == "behaviour" else "Core component"
            hint = (
                " (a core component with practice behaviours is rated behaviour by behaviour)"
                if kind == "component"
                else ""
            )
            errors.setdefault(
                "ratings",
                f"{what} {row_id} is not a row of version {profile_number} of this practice "
                f"profile{hint}",
            )
            continue
        if level not in levels:
            errors.setdefault(
                rating_field(key),
                f"Choose a level of version {profile_number} for {_row_name(key, texts)}, "
                "or Not rated",
            )
            continue
        rows.append(
            {
                "component": component_of[key],
                "behaviour": row_id if kind == "behaviour" else None,
                "level": level,
            }
        )
    if not ratings and "ratings" not in errors:
        errors["ratings"] = "Rate at least one practice behaviour"
    return rows


def _check_fields(values: dict[str, Any], errors: dict[str, str]) -> None:
    if values.get("method") not in METHODS:
        errors.setdefault("method", "Choose how fidelity was assessed")
    if not isinstance(values.get("assessed_on"), date):
        errors.setdefault("assessed_on", "Enter the date assessed, like 2026-03-31")
    assessor = values.get("assessor") or ""
    if not isinstance(assessor, str) or len(assessor) > 120:
        errors.setdefault("assessor", "Assessor must be 120 characters or fewer")


async def _check_site(agency_id: int, site_id: Any, errors: dict[str, str]) -> None:
    site = await queries.site_of_agency(agency_id, site_id) if isinstance(site_id, int) else None
    if site is None:
        errors.setdefault("site_id", "Choose one of the agency's sites")


async def _insert_ratings(fidelity_id: int, rows: list[dict[str, Any]]) -> None:
    made = [FidelityRating(assessment=fidelity_id, **row) for row in rows]
    for start in range(0, len(made), INSERT_CHUNK):
        await FidelityRating.insert(*made[start : start + INSERT_CHUNK])


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "site": values["site_id"],
        "method": values["method"],
        "assessed_on": values["assessed_on"],
        "assessor": (values.get("assessor") or "").strip(),
        "notes": values.get("notes") or "",
    }


async def create_assessment(
    initiative_id: int,
    values: dict[str, Any],
    ratings: dict[RatingKey, int],
    user_id: int | None,
) -> int:
    """A new assessment with its ratings (see the module's docstring); its id."""
    async with db.writing():
        initiatives = await Initiative.select(Initiative.agency).where(
            Initiative.id == initiative_id
        )
        if not initiatives:
            raise NotFound(f"Initiative {initiative_id} was not found")
        errors: dict[str, str] = {}
        profile_id = values.get("profile_id")
        profile = (
            await queries.profile_of_initiative(initiative_id, profile_id)
            if isinstance(profile_id, int)
            else None
        )
        if profile is None or profile["status"] not in queries.RATEABLE_STATUSES:
            raise Invalid(
                {"profile_id": "Choose a version of a practice profile being tested or approved"}
            )
        await _check_site(initiatives[0]["agency"], values.get("site_id"), errors)
        _check_fields(values, errors)
        rows = check_ratings(await rubric(profile["id"]), profile["number"], ratings, errors)
        if errors:
            raise Invalid(errors)
        made = await FidelityAssessment.insert(
            FidelityAssessment(
                initiative=initiative_id,
                profile=profile["id"],
                created_by=user_id,
                **_fields(values),
            )
        ).returning(FidelityAssessment.id)
        fidelity_id = made[0]["id"]
        await _insert_ratings(fidelity_id, rows)
        await feed.refresh_measures(initiative_id)
    return fidelity_id


async def _agency_of(initiative_id: int) -> int:
    rows = await Initiative.select(Initiative.agency).where(Initiative.id == initiative_id)
    return rows[0]["agency"]


async def update_assessment(
    fidelity_id: int,
    expected_version: int,
    values: dict[str, Any],
    ratings: dict[RatingKey, int],
) -> None:
    """Change an assessment made from `expected_version` (DATA-01) and replace its ratings.
    The profile version it was rated against stays."""
    async with db.writing():
        current = await queries.assessment_or_404(fidelity_id)
        check_version(current, expected_version, "fidelity assessment")
        errors: dict[str, str] = {}
        await _check_site(await _agency_of(current["initiative"]), values.get("site_id"), errors)
        _check_fields(values, errors)
        rows = check_ratings(
            await rubric(current["profile"]), current["profile_number"], ratings, errors
        )
        if errors:
            raise Invalid(errors)
        await save_version(
            FidelityAssessment,
            fidelity_id,
            expected_version,
            _fields(values),
            reread=queries.assessment_or_404,
        )
        await FidelityRating.delete().where(FidelityRating.assessment == fidelity_id)
        await _insert_ratings(fidelity_id, rows)
        await feed.refresh_measures(current["initiative"])


async def delete_assessment(fidelity_id: int, expected_version: int) -> None:
    """Delete an assessment and its ratings, if it is still at `expected_version`."""
    async with db.writing():
        current = await queries.assessment_or_404(fidelity_id)
        check_version(current, expected_version, "fidelity assessment")
        deleted = (
            await FidelityAssessment.delete()
            .where(
                (FidelityAssessment.id == fidelity_id)
                & (FidelityAssessment.version == expected_version)
            )
            .returning(FidelityAssessment.id)
        )
        if not deleted:  # changed between the check and the delete (PostgreSQL)
            check_version(await queries.assessment_or_404(fidelity_id), -1, "fidelity assessment")
        await feed.refresh_measures(current["initiative"])
