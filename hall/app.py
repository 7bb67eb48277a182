"""The hall's HTTP API (FastAPI): the paths and models of ``hall.schema``.

Every error answer is an ``ErrorPublic`` JSON body. Log lines name case numbers and item ids only:
request bodies carry personal data and never reach a log or an error message.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import re
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

import assets
import hall.event_kinds  # noqa: F401 - registers the event kinds this hall takes
from hall import cases, collect, notify, tickets, web
from hall import public as public_page
from hall.auth import (
    KIOSK_ID_SCOPE_KEY,
    ASGIApp,
    AuthGate,
    Receive,
    Scope,
    Send,
    SignatureAuthMiddleware,
    SignatureVerifier,
)
from hall.db import Database, utc_now
from hall.errors import (
    HallError,
    IdempotencyKeyRequiredError,
    SchemaNotReadyError,
    TerminalMismatchError,
)
from hall.events import EventService
from hall.fleet.catalog import CatalogSource, resign_if_due
from hall.fleet.recorder import FleetRecorder
from hall.fleet.releases import release_files_dir, release_router
from hall.fleet.routes import fleet_router
from hall.fleet.sweep import FleetSweep
from hall.heartbeats import HeartbeatEndpoint, HeartbeatIntake
from hall.identity import IdentityService
from hall.keys import FileKeyProvider, Sealer, SigningKeyRing
from hall.limits import BodyLimit, BodyLimitMiddleware, RateLimit
from hall.registers import seal_legacy_registers
from hall.schema import (
    CATALOG_PATH,
    ENROLMENTS_PATH,
    EVENTS_PATH,
    HEALTH_PATH,
    HEARTBEATS_PATH,
    IDEMPOTENCY_HEADER,
    KEYS_PATH,
    PROGRESS_PATH,
    SUBMISSION_PATH,
    SUBMISSIONS_PATH,
    VERIFY_PATH,
    CaseProgressPublic,
    CatalogPublic,
    EnrolmentCreate,
    EnrolmentPublic,
    ErrorPublic,
    EventBatchCreate,
    EventBatchPublic,
    HeartbeatCreate,
    HeartbeatPublic,
    KeysPublic,
    PublicKeyPublic,
    StorableText,
    SubmissionCreate,
    SubmissionPublic,
)
from hall.seed import seed_demo_data
from hall.service import HallService, reseal_rows
from hall.settings import HallSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")

_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")
"""Idempotency keys: 1 to 200 visible ASCII characters (UUIDs in practice)."""

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorPublic} for code in (400, 401, 403, 404, 409, 413, 422)
}

_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
}


def _error(status_code: int, code: str, message: str) -> JSONResponse:
    body = ErrorPublic(code=code, message=message)
    return JSONResponse(status_code=status_code, content=body.model_dump(mode="json"))


def _validation_message(errors: Sequence[Any]) -> str:
    # Only where and what kind of problem: pydantic's "input" would echo personal data.
    parts = []
    for detail in errors[:10]:
        location = ".".join(str(part) for part in detail.get("loc", ()))
        parts.append(f"{location}: {detail.get('type', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def _signed_by(request: Request, kiosk_id: str) -> None:
    """Refuse a body that names another terminal than the one whose key signed the request."""
    if request.scope.get(KIOSK_ID_SCOPE_KEY) != kiosk_id:
        raise TerminalMismatchError("the request names another terminal than its signer")


class SubmissionThreads:
    """The threads submissions run on, started on first use and stopped with the server.

    A stopped hall started again (the same app served anew) gets fresh threads.
    """

    def __init__(self, threads: int) -> None:
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work(*args)`` on a submission thread; returns its result."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="submission")
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)

    def stop(self) -> None:
        """Wait for the running submissions and end the threads."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)


class HallApp(FastAPI):
    """The hall's FastAPI app, with the heartbeats served in front of its middleware.

    ``POST /api/v1/heartbeats`` goes straight to ``hall.heartbeats.HeartbeatEndpoint`` (within
    its body limit): FastAPI's and Starlette's layers (error and telemetry middleware, routing,
    request and response objects) were over a third of a beat's CPU on the event loop. Every other
    request, and the heartbeats' OpenAPI description, are FastAPI's.
    """

    heartbeats: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a heartbeat, or hand the request to FastAPI."""
        if (
            self.heartbeats is not None
            and scope["type"] == "http"
            and scope["path"] == HEARTBEATS_PATH
            and scope["method"] == "POST"
        ):
            await self.heartbeats(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: HallSettings,
    *,
    clock: Callable[[], dt.datetime] = utc_now,
    migrate: bool = False,
) -> HallApp:
    """Build the hall's app.

    The catalog and the signing key (made when missing) are loaded now. When the server starts,
    the database must be at the newest schema revision (``SchemaNotReadyError`` otherwise), or with
    ``migrate`` it is brought there first; then the demo data is seeded when ``seed_demo_data``.

    Raises ``ValueError`` for a bad catalog and ``hall.errors.SigningKeyError`` for a bad key file.
    """
    catalog = assets.load_catalog(settings.catalog_dir)
    db = Database(settings.database_url, pool_size=settings.database_pool_size)
    sealer = Sealer(FileKeyProvider.load_or_create(settings.data_key_path))
    signing_keys = SigningKeyRing.load_or_create(settings.signing_key_path, sealer)
    key = signing_keys.current
    service = HallService(
        db, catalog, key, timezone=ZoneInfo(settings.timezone), clock=clock, sealer=sealer
    )
    service.public_base_url = settings.public_url()  # where certificate QR codes point
    identity = IdentityService(db, clock=clock)
    # Submissions on threads of their own, a few (``submission_threads``): on FastAPI's pool of
    # 40, a burst of them ran dozens at once, each waiting for the GIL, and so did the event
    # loop that answers the heartbeats.
    submissions = SubmissionThreads(settings.submission_threads)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if migrate:
            db.migrate()
        else:
            problem = db.schema_problem()
            if problem is not None:
                raise SchemaNotReadyError(problem)
        seal_legacy_registers(db, sealer)  # register rows an older hall kept in clear (0010)
        collect.seal_legacy_documents(db, sealer)  # and document holders (0011)
        if settings.seed_demo_data:
            seed_demo_data(db, sealer)
        reseal_rows(db, sealer, plain_only=True)  # rows from before sealing: sealed on first start
        logger.info("hall ready: catalog %s, signing key %s", catalog.version, key.kid)
        try:
            yield
        finally:
            submissions.stop()
            db.dispose()

    # The API's description is for development only; ``app.openapi()`` works either way.
    app = HallApp(
        title="Government service hall",
        version="1",
        lifespan=lifespan,
        docs_url="/docs" if settings.dev else None,
        redoc_url="/redoc" if settings.dev else None,
        openapi_url="/openapi.json" if settings.dev else None,
    )
    app.state.service = service
    app.state.identity = identity
    public = {HEALTH_PATH, KEYS_PATH, ENROLMENTS_PATH}
    public.add(VERIFY_PATH)  # the public verification page (hall.public), for phones
    if settings.dev:
        public |= {"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
    public |= web.PUBLIC_PATHS  # the staff's pages check their own session, never a signature
    rate_limit = RateLimit(settings.rate_limit_requests, settings.rate_limit_window_s)
    gate = AuthGate(db, clock=clock, rate_limit=rate_limit)
    verifier = SignatureVerifier(gate, clock=clock)
    app.add_middleware(
        SignatureAuthMiddleware,
        identity=identity,
        public_paths=frozenset(public),
        verifier=verifier,
    )
    app.state.database = db
    # A catalog published with `kiosk-hall catalog publish` is served (and decided on) at once.
    catalogs = CatalogSource(db, catalog, on_change=lambda new: setattr(service, "catalog", new))
    app.state.catalogs = catalogs
    sweep = FleetSweep(db, clock=clock, extra=lambda: resign_if_due(db, key, now=clock()))
    app.include_router(fleet_router(db, clock=clock, catalog=catalogs, sweep=sweep))
    # App releases (`kiosk-hall release publish`): signed offers and their files.
    app.include_router(
        release_router(db, clock=clock, key=key, files_dir=release_files_dir(settings.data_dir))
    )
    app.state.clock = clock
    app.include_router(collect.router, responses=_ERRORS)
    app.include_router(tickets.router, responses=_ERRORS)
    app.include_router(cases.router, responses=_ERRORS)
    app.state.data_dir = settings.data_dir
    app.include_router(notify.router)

    @app.exception_handler(HallError)
    async def _on_hall_error(_request: Request, err: HallError) -> JSONResponse:
        return _error(err.status_code, err.code, str(err))

    @app.exception_handler(RequestValidationError)
    async def _on_invalid(_request: Request, err: RequestValidationError) -> JSONResponse:
        return _error(422, "invalid_request", _validation_message(err.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _on_http(_request: Request, err: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(err.status_code, "http_error")
        return _error(err.status_code, code, str(err.detail))

    @app.exception_handler(DataError)
    async def _on_data_error(_request: Request, err: DataError) -> JSONResponse:
        # A value the database cannot hold (too long, out of range) that the models let through.
        logger.warning("database refused a value: %s", type(err.orig).__name__)
        return _error(422, "invalid_request", "invalid request: a value the hall cannot store")

    @app.exception_handler(Exception)
    async def _on_crash(_request: Request, err: Exception) -> JSONResponse:
        logger.error("unhandled %s in a request", type(err).__name__)
        return _error(500, "internal_error", "the hall failed to answer; try again later")

    @app.get(HEALTH_PATH)
    def healthz() -> dict[str, str]:
        """Liveness: answers once the server has started."""
        return {"status": "ok", "catalog_version": catalogs.current().catalog.version}

    @app.get(CATALOG_PATH, response_model=CatalogPublic)
    def get_catalog(
        if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
    ) -> Response:
        """Serve the catalog with its version as the ETag; unchanged costs a bodiless 304."""
        served = catalogs.current()
        headers = {"ETag": served.etag, "Cache-Control": "no-cache"}
        if if_none_match is not None and served.etag in {
            tag.strip() for tag in if_none_match.split(",")
        }:
            return Response(status_code=304, headers=headers)
        return Response(content=served.body, media_type="application/json", headers=headers)

    intake = HeartbeatIntake(
        db,
        gate,
        FleetRecorder(db, clock),
        clock=clock,
        interval=settings.heartbeat_batch_interval_s,
    )
    app.heartbeats = BodyLimitMiddleware(
        HeartbeatEndpoint(verifier, intake, _validation_message),
        limits=[
            BodyLimit("POST", HEARTBEATS_PATH, settings.max_heartbeat_bytes, "heartbeat_too_large")
        ],
        default_max_bytes=settings.max_heartbeat_bytes,
        chunk_timeout=settings.body_chunk_timeout_s,
        total_timeout=settings.body_total_timeout_s,
    )

    async def post_heartbeat(request: Request) -> Response:
        """Keep a terminal's latest heartbeat; answers with the hall's clock for the offset.

        Described here only: ``HallApp`` serves the path (``hall.heartbeats``) before routing.
        """
        raise RuntimeError("heartbeats are served by HeartbeatEndpoint")

    # Described in the OpenAPI document like every other path (the fuzz test reads it from there),
    # while the handler reads the raw body itself.
    app.add_api_route(
        HEARTBEATS_PATH,
        post_heartbeat,
        methods=["POST"],
        response_class=Response,
        responses={200: {"model": HeartbeatPublic}, **_ERRORS},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": HeartbeatCreate.model_json_schema()}},
            }
        },
    )

    # The current signing key and the retired ones: certificates they signed still verify.
    hall_keys = KeysPublic(
        keys=[
            PublicKeyPublic(kid=kid, public_key_b64=base64.b64encode(raw).decode("ascii"))
            for kid, raw in signing_keys.public_keys()
        ]
    )
    app.state.signing_keys = signing_keys

    @app.get(KEYS_PATH, response_model=KeysPublic)
    def get_keys() -> KeysPublic:
        """Serve the certificate signing keys, for offline verification of certificate QR codes."""
        return hall_keys

    @app.post(SUBMISSIONS_PATH, response_model=SubmissionPublic, status_code=201, responses=_ERRORS)
    async def post_submission(
        request: Request,
        submission: SubmissionCreate,
        response: Response,
        idempotency_key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
    ) -> SubmissionPublic:
        """Take a submission in, idempotently: 201 the first time, 200 with the same body after."""
        _signed_by(request, submission.kiosk_id)
        if idempotency_key is None or not _KEY_PATTERN.match(idempotency_key):
            raise IdempotencyKeyRequiredError(
                f"the {IDEMPOTENCY_HEADER} header is required: 1 to 200 visible ASCII characters"
            )
        stored, created = await submissions.run(service.submit, submission, idempotency_key)
        response.status_code = 201 if created else 200
        return stored

    @app.post(ENROLMENTS_PATH, response_model=EnrolmentPublic, status_code=201, responses=_ERRORS)
    def post_enrolment(enrolment: EnrolmentCreate) -> EnrolmentPublic:
        """Register a terminal's public key with a one-time code; answers with the hall's keys."""
        enrolled = identity.enrol(enrolment.code, enrolment.public_key_b64)
        return EnrolmentPublic(
            kiosk_id=enrolled.kiosk_id,
            site=enrolled.site,
            key_id=enrolled.key_id,
            hall_keys=hall_keys,
        )

    event_service = EventService(db, clock=clock)

    @app.post(EVENTS_PATH, response_model=EventBatchPublic, responses=_ERRORS)
    def post_events(request: Request, batch: EventBatchCreate) -> EventBatchPublic:
        """Take a terminal's events, each once; one result per event (``rejected`` is final)."""
        return event_service.take(request.scope[KIOSK_ID_SCOPE_KEY], batch)

    @app.get(SUBMISSION_PATH, response_model=SubmissionPublic, responses=_ERRORS)
    def get_submission(case_number: StorableText) -> SubmissionPublic:
        """Answer what the hall holds for a case."""
        return service.get_submission(case_number)

    @app.get(PROGRESS_PATH, response_model=CaseProgressPublic, responses=_ERRORS)
    def get_progress(case_number: StorableText) -> CaseProgressPublic:
        """Answer a case's stages and the time spent in each."""
        return service.progress(case_number)

    app.include_router(web.router)
    app.include_router(public_page.router)

    # Added last, so it is the outermost layer: bodies are bounded before anything else runs.
    app.add_middleware(
        BodyLimitMiddleware,
        limits=[
            BodyLimit("POST", SUBMISSIONS_PATH, settings.max_submission_bytes),
            BodyLimit("POST", HEARTBEATS_PATH, settings.max_heartbeat_bytes, "heartbeat_too_large"),
            BodyLimit("POST", EVENTS_PATH, settings.max_events_bytes),
        ],
        default_max_bytes=settings.max_body_bytes,
        chunk_timeout=settings.body_chunk_timeout_s,
        total_timeout=settings.body_total_timeout_s,
    )
    return app


def app_from_environment() -> FastAPI:
    """The app of one ``kiosk-hall serve --workers N`` process: settings from ``HALL_*``."""
    return create_app(HallSettings())
