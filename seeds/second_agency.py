"""The second demo agency's content: a county agency in its first sprint on kinship placements.

Plain data, played into the database by seeds/demo.py like the main story. It is
small on purpose: it shows a second agency (and a liaison who supports both)
without slowing `make run`. Stage numbers are positions in the default C&I
stage list (1 Teaming ... 7 Sustainability and spread).
"""

from __future__ import annotations

from seeds.parent_engagement import Item, SprintPlan

AGENCY = {
    "name": "Cedar River County Health and Human Services (demo)",
    "slug": "demo-cedar-river-county",
    "state": "MN",
    "kind": "county",
}
SHORT_NAME = "Cedar River County"


def _ac(*lines: str) -> str:
    return "\n".join(f"- {line}" for line in lines)


INITIATIVE = {
    "title": "Kinship first placements",
    "problem_area": (
        "Fewer than one in four children who leave home in Cedar River County go first to "
        "relatives or close family friends, against about a third across the state. "
        "Relative searches start late, often after a child has settled with a foster "
        "family, and kin say licensing paperwork and no help on the first night make "
        "them say no."
    ),
    "product_goal": (
        "Children who cannot stay at home live first with kin they know: half of first "
        "placements are with relatives or kin within a year, and kin caregivers have "
        "what they need from the first night."
    ),
    "stage": 2,  # Problem exploration
}

# People named on cards (free text); LEAD also has a demo account (seeds/people.py).
LEAD = "Teresa Lindgren"
SUPERVISOR = "Marcus Hill"
NAVIGATOR = "Rosa Delgado"
TRIBAL_LIAISON = "Joseph Bluebird"

ITEMS: list[Item] = [
    Item(
        "charter",
        "task",
        1,
        2,
        "Charter the kinship team with a kin caregiver and the tribal liaison",
        "Kin caregivers and the Band's ICWA worker see what the county misses; "
        "they join the team from the first sprint.",
        _ac("Charter names the product owner and members", "A kin caregiver has joined"),
        LEAD,
    ),
    Item(
        "placement_data",
        "task",
        2,
        3,
        "Pull two years of first placements by type, age and race",
        "How often is a relative the first placement today, and for whom not?",
        _ac(
            "First placements for two years, split by kin and non-kin",
            "Split by age group, race and tribal membership",
        ),
        NAVIGATOR,
    ),
    Item(
        "search_map",
        "story",
        2,
        5,
        "Map how relative searches happen today, from removal to first placement",
        "As the **placement supervisor**, I want to see where a relative search "
        "stalls so that we know what to change first.",
        _ac(
            "Every step from removal to first placement is on the map, with who does it",
            "Typical waiting time between steps is noted",
            "Reviewed with two caseworkers who did a search this year",
        ),
        SUPERVISOR,
    ),
    Item(
        "caregiver_interviews",
        "story",
        2,
        5,
        "Interview eight kin caregivers about why they said yes or no",
        "As a **kin navigator**, I want to hear from relatives who were asked so that "
        "the barriers we fix are the ones they met.",
        _ac(
            "Eight interviews, at least three with relatives who said no",
            "Themes written up without names",
        ),
        NAVIGATOR,
    ),
    Item(
        "licensing_spike",
        "spike",
        2,
        3,
        "Spike: which licensing steps can wait for an emergency kin placement",
        "State rules allow some checks after placement; find out which, and who signs off.",
        _ac("List of steps that may follow placement, with the rule for each"),
        SUPERVISOR,
    ),
    Item(
        "icwa_preferences",
        "task",
        2,
        None,
        "Review ICWA placement preferences with the tribal liaison",
        "The Indian Child Welfare Act sets the order of placement preferences; the search "
        "map must follow it for every child who is a member of, or eligible for, a tribe.",
        _ac("Preferences checked against the search map", "Gaps agreed with the Band"),
        TRIBAL_LIAISON,
    ),
    Item(
        "first_night",
        "story",
        4,
        None,
        "Support for kin on the first night: beds, car seats and groceries",
        "As a **grandparent asked at 9 p.m.**, I want a bed, a car seat and food for the "
        "night so that I can say yes.",
        _ac("A first-night kit is ready in every office", "Restocking has an owner"),
    ),
    Item(
        "search_72_hours",
        "story",
        3,
        8,
        "Theory of change: a relative search starts within 72 hours of removal",
        "If the search starts at once, more children go first to kin and move less.",
        _ac("Short-term and long-term outcomes named", "Measures agreed with the team"),
        LEAD,
    ),
]

# The county's first sprint, active now. Days count from its first day (0);
# columns by position (1 To do, 2 In progress, 3 In review, 4 Done). Events
# after yesterday have not happened yet and are left out.
SPRINT = SprintPlan(
    goal="Know where relative searches stall and what kin caregivers need",
    release="",
    committed=[
        ("charter", "0:2 1:4"),
        ("placement_data", "0:2 2:3 3:4"),
        ("search_map", "0:2 4:3 7:4"),
        ("caregiver_interviews", "1:2 9:3"),
        ("licensing_spike", "3:2"),
    ],
    added=[],
    planning="First sprint: the kin caregiver on the team joins the review by phone.",
)
SPRINT_CAPACITY = 20
