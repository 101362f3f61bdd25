"""A profile version with fidelity assessments keeps its rubric: the ratings point at
its levels, components and behaviours, so changing them would rewrite or delete what
the assessors recorded. A new version is the way to change it; it may still be approved."""

from __future__ import annotations

from datetime import date

from backend.fidelity.tables import FidelityRating
from backend.practice.tables import PracticeBehaviour, PracticeProfile
from tests.fidelity.build import assess, make_sites, rateable_profile, second_version
from tests.practice.build import delete_confirmed


async def test_an_assessed_testing_version_cannot_change_but_can_be_approved(client, world):
    v1 = await rateable_profile(world.initiative_id)
    v2 = await second_version(v1)
    (north,) = await make_sites(world.agency_id, "North Area Office")
    await assess(
        world.initiative_id,
        v2,
        north,
        date(2025, 5, 1),
        {v2.b(0, 0): v2.optimal, v2.b(0, 1): v2.developmental},
    )
    page = await client.get(f"/profiles/{v2.id}")
    assert "Version 2 has 1 fidelity assessment rated against it" in page.text
    assert "Add a core component" not in page.text
    behaviours = await PracticeBehaviour.count()
    refused = await client.get(f"/behaviours/{v2.b(0, 0)[1]}/delete")
    if refused.status_code == 200:  # the confirmation page may show; the delete refuses
        refused = await delete_confirmed(client, f"/behaviours/{v2.b(0, 0)[1]}/delete")
    assert refused.status_code == 409
    assert "fidelity assessment" in refused.text
    assert await PracticeBehaviour.count() == behaviours
    assert await FidelityRating.count() == 2
    # Approving it is still the lead's decision to make.
    profile = (await PracticeProfile.select().where(PracticeProfile.id == v2.id))[0]
    approved = await client.post_form(
        f"/profiles/{v2.id}/status", {"status": "approved", "version": profile["version"]}
    )
    assert approved.status_code == 303, approved.text
    statuses = await PracticeProfile.select(PracticeProfile.number, PracticeProfile.status)
    assert sorted((p["number"], p["status"]) for p in statuses) == [(1, "retired"), (2, "approved")]
