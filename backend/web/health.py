"""Liveness and database check for load balancers and `make run`."""

from litestar import Request, Response, get

from backend import db


@get("/healthz", name="health", include_in_schema=False)
async def healthz(request: Request) -> Response:
    ok = await db.active().ping()
    body = {"status": "ok" if ok else "error", "database": "ok" if ok else "unreachable"}
    return Response(body, status_code=200 if ok else 503)


route_handlers = [healthz]
