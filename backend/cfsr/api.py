"""The JSON API for the CFSR reference: items 1-36 with their outcome or systemic
factor. Backlog items link to them through the traceability API (`cfsr_items`),
by number."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Router, get
from msgspec import Meta, Struct

from backend.cfsr import queries


class CfsrItem(Struct):
    number: Annotated[int, Meta(description="1 to 36")]
    name: str
    group_code: Annotated[str, Meta(description="S1, S2, P1, P2, WB1-WB3 or SF1-SF7")]
    group_name: str
    group_kind: Literal["outcome", "systemic_factor"]


@get(
    "/cfsr-items",
    name="api.cfsr_items",
    summary="The CFSR items 1-36, each with its outcome or systemic factor",
    tags=["CFSR"],
)
async def list_cfsr_items() -> list[CfsrItem]:
    return [
        CfsrItem(
            number=row["number"],
            name=row["name"],
            group_code=row["group_code"],
            group_name=row["group_name"],
            group_kind=row["group_kind"],
        )
        for row in await queries.all_items()
    ]


route_handlers: list = [Router(path="/api", route_handlers=[list_cfsr_items])]
