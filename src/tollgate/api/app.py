"""The FastAPI application and its single error table.

Every domain error maps to its own status with a JSON body ``{code, message, details}``;
request-shape errors are 422 with field paths; oversize bodies 413. A client's mistake is
never a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tollgate import __version__
from tollgate.config import Settings, get_settings
from tollgate.db import make_engine, session_factory
from tollgate.errors import TollgateError
from tollgate.intake.records import field_path


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes before they are read into memory."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(send, self.limit)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = (
        b'{"code":"payload_too_large","message":"request body exceeds '
        + str(limit).encode()
        + b' bytes; split the batch"}'
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="Tollgate",
        version=__version__,
        description=(
            "Customs risk management: declarations in, assessed, controlled, shared, measured. "
            "Every endpoint but /health needs 'Authorization: Bearer <token>'."
        ),
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)

    @app.exception_handler(TollgateError)
    async def _domain(_: Request, exc: TollgateError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _shape(_: Request, exc: RequestValidationError) -> JSONResponse:
        details: list[dict[str, Any]] = []
        for err in exc.errors():
            loc = tuple(err.get("loc", ()))
            details.append(
                {
                    "field": field_path(loc),
                    "code": err.get("type", "invalid"),
                    "message": err.get("msg", ""),
                }
            )
        return JSONResponse(
            {
                "code": "invalid_request",
                "message": "the request does not fit the API",
                "details": details,
            },
            status_code=422,
        )

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        """Liveness for load balancers; reveals nothing but 'ok'."""
        return {"status": "ok"}

    from tollgate.audit.views import router as audit_router
    from tollgate.authorities.views import router as authorities_router
    from tollgate.cis.protection_views import router as cis_protection_router
    from tollgate.cis.views import router as cis_router
    from tollgate.consignments.views import router as consignments_router
    from tollgate.controls.views import router as controls_router
    from tollgate.declarations.views import router as declarations_router
    from tollgate.fide.views import router as fide_router
    from tollgate.intake.views import router as intake_router
    from tollgate.monitoring.views import router as monitoring_router
    from tollgate.quality.views import router as quality_router
    from tollgate.risk.backtest_views import router as backtest_router
    from tollgate.risk.release import router as release_router
    from tollgate.risk.views import router as risk_router
    from tollgate.scoring.views import router as scoring_router
    from tollgate.surveillance.views import router as surveillance_router

    for router in (
        intake_router,
        declarations_router,
        consignments_router,
        quality_router,
        risk_router,
        backtest_router,
        release_router,
        controls_router,
        monitoring_router,
        surveillance_router,
        scoring_router,
        cis_router,
        cis_protection_router,
        fide_router,
        authorities_router,
        audit_router,
    ):
        app.include_router(router)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    _document_filing_schema(app)
    return app


def _document_filing_schema(app: FastAPI) -> None:
    """Submission routes read raw bodies (to judge each record of a batch on its own), so
    the filing schema is added to the OpenAPI components by hand."""
    from tollgate.declarations.models import FilingAdapter

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        filing = FilingAdapter.json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(filing.pop("$defs", {}))
        components["Filing"] = filing
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
