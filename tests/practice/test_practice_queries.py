"""PERF-01: profile, print, diff and component pages send the same number of queries
whatever the size of the profile."""

from __future__ import annotations

from backend.practice import queries, services
from tests.practice.build import make_profile, set_status


async def _two_versions(world, components: int, behaviours: int) -> tuple[int, int, int]:
    made = await make_profile(world.initiative_id, components=components, behaviours=behaviours)
    v1 = made["profile_id"]
    await set_status(v1, "approved")
    v2 = await services.new_version(v1, world.lead, "Second")
    rubric = await queries.rubric(v2)
    first = rubric["components"][0]
    # Some changes, so the diff has something to say.
    await services.update_component(
        first["id"], queries.component_fingerprint(first), {"name": "Renamed", "description": ""}
    )
    await services.add_component(v2, {"name": "New one"})
    return v1, v2, first["id"]


async def _count(client, count_queries, urls: list[str]) -> list[int]:
    counts = []
    for url in urls:
        with count_queries() as counted:
            response = await client.get(url)
        assert response.status_code == 200, url
        counts.append(counted.count)
    return counts


async def test_page_query_counts_do_not_grow_with_the_profile(client, world, count_queries):
    small_v1, small_v2, small_c = await _two_versions(world, components=2, behaviours=3)
    big_v1, big_v2, big_c = await _two_versions(world, components=12, behaviours=4)

    def urls(v1: int, v2: int, component: int) -> list[str]:
        return [
            f"/profiles/{v2}",
            f"/profiles/{v1}",
            f"/profiles/{v2}/print",
            f"/profiles/{v2}/diff",
            f"/profiles/{v1}/diff?against={v2}",
            f"/components/{component}",
            f"/api/profiles/{v2}",
            f"/initiatives/{world.initiative_id}/interventions",
        ]

    small = await _count(client, count_queries, urls(small_v1, small_v2, small_c))
    big = await _count(client, count_queries, urls(big_v1, big_v2, big_c))
    assert small == big


async def test_a_new_version_is_a_fixed_number_of_statements(world, count_queries):
    small = await make_profile(world.initiative_id, components=2, behaviours=2)
    big = await make_profile(world.initiative_id, components=12, behaviours=5)
    with count_queries() as few:
        await services.new_version(small["profile_id"], world.lead, "Copy")
    with count_queries() as many:
        await services.new_version(big["profile_id"], world.lead, "Copy")
    assert few.count == many.count
