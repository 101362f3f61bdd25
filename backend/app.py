"""create_app(settings) -> Litestar: the one list of controllers and middleware."""

from __future__ import annotations

import logging

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from backend import db
from backend.accounts import access, account, admin, agencies, invitations, members, signin
from backend.accounts.store import make_store
from backend.api import controllers as api
from backend.cfsr import api as cfsr_api
from backend.cfsr import controllers as cfsr
from backend.collaboratives import controllers as collaboratives
from backend.config import Settings
from backend.exploration import api as exploration_api
from backend.exploration import controllers as exploration
from backend.fidelity import api as fidelity_api
from backend.fidelity import controllers as fidelity
from backend.initiatives import api as progress_api
from backend.initiatives import controllers as initiatives
from backend.initiatives import editing as initiative_editing
from backend.initiatives import progress
from backend.measures import api as measures_api
from backend.measures import controllers as measures
from backend.packet import controllers as packet
from backend.pdsa import api as pdsa_api
from backend.pdsa import controllers as pdsa
from backend.pip import api as pip_api
from backend.pip import controllers as pip
from backend.portfolio import controllers as portfolio
from backend.practice import api as practice_api
from backend.practice import controllers as practice
from backend.reviews import api as reviews_api
from backend.reviews import controllers as reviews
from backend.scrum import backlog, board, charts, items, releases, sprints
from backend.sites import api as sites_api
from backend.sites import controllers as sites
from backend.traceability import api as traceability_api
from backend.traceability import controllers as traceability
from backend.web import health, templating
from backend.web.errors import EXCEPTION_HANDLERS
from backend.web.path_ids import refuse_impossible_ids
from backend.web.security import security_headers

CSRF_HEADER = "x-csrftoken"
CSRF_COOKIE = "csrftoken"


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    async def on_startup(app: Litestar) -> None:
        # The database and the store follow app.state.settings when the app
        # starts, so the tests can build the app once and start it on a fresh
        # database per test. A Redis client belongs to the running event loop.
        current = app.state.settings
        app.state.database = db.Database(current.database_url)
        await app.state.database.startup()
        app.state.store = make_store(current.redis_url, current.redis_prefix)

    async def on_shutdown(app: Litestar) -> None:
        await app.state.store.close()
        await app.state.database.shutdown()

    app = Litestar(
        route_handlers=[
            # People's pages stay out of the OpenAPI document; it describes /api/ only.
            Router(
                path="/",
                include_in_schema=False,
                route_handlers=[
                    *health.route_handlers,
                    *signin.route_handlers,
                    *account.route_handlers,
                    *agencies.route_handlers,
                    *members.route_handlers,
                    *admin.route_handlers,
                    *invitations.route_handlers,
                    *initiatives.route_handlers,
                    *initiative_editing.route_handlers,
                    *backlog.route_handlers,
                    *items.route_handlers,
                    *sprints.route_handlers,
                    *releases.route_handlers,
                    *board.route_handlers,
                    *charts.route_handlers,
                    *progress.route_handlers,
                    *exploration.route_handlers,
                    *practice.route_handlers,
                    *traceability.route_handlers,
                    *sites.route_handlers,
                    *cfsr.route_handlers,
                    *measures.route_handlers,
                    *pdsa.route_handlers,
                    *fidelity.route_handlers,
                    *pip.route_handlers,
                    *reviews.route_handlers,
                    *portfolio.route_handlers,
                    *packet.route_handlers,
                    *collaboratives.route_handlers,
                ],
            ),
            *api.route_handlers,
            *progress_api.route_handlers,
            *exploration_api.route_handlers,
            *practice_api.route_handlers,
            *traceability_api.route_handlers,
            *sites_api.route_handlers,
            *cfsr_api.route_handlers,
            *measures_api.route_handlers,
            *pdsa_api.route_handlers,
            *fidelity_api.route_handlers,
            *pip_api.route_handlers,
            *reviews_api.route_handlers,
            create_static_files_router(
                path="/static",
                directories=[settings.static_dir],
                name="static",
                include_in_schema=False,
            ),
        ],
        template_config=TemplateConfig(
            directory=settings.templates_dir,
            engine=JinjaTemplateEngine,
            engine_callback=templating.configure,
        ),
        plugins=[HTMXPlugin()],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=CSRF_COOKIE,
            header_name=CSRF_HEADER,
            cookie_secure=not settings.is_local,
            cookie_httponly=True,
            cookie_samesite="lax",
        ),
        before_request=refuse_impossible_ids,
        before_send=[security_headers(hsts=not settings.is_local)],
        # Deny by default: every handler passes this guard (permissions.ROUTE_POWERS).
        guards=[access.authorize],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Tandem API",
            version="0.1.0",
            path="/api/schema",
            render_plugins=[JsonRenderPlugin()],
        ),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        debug=settings.debug,
    )
    app.state.settings = settings
    return app
