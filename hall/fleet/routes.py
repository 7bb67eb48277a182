"""The fleet's HTTP paths: the paged terminal list, staff calls, log uploads, catalog metadata.

Every path here is signed by a terminal (``hall.auth``); a body naming a terminal must name the
signer. Staff act through ``hall.fleet``'s functions (the dashboard), not through these paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Query, Request, Response

from hall import fleet
from hall.auth import KIOSK_ID_SCOPE_KEY
from hall.db import Database
from hall.errors import TerminalMismatchError
from hall.fleet.catalog import CatalogSource
from hall.fleet.sweep import FleetSweep
from hall.schema import (
    CATALOG_METADATA_PATH,
    STAFF_CALL_PATH,
    STAFF_CALLS_PATH,
    TERMINAL_LOGS_PATH,
    TERMINALS_PATH,
    CatalogMetadataPublic,
    ErrorPublic,
    FleetStatus,
    StaffCallCreate,
    StaffCallPublic,
    StorableText,
    TerminalLogCreate,
    TerminalsPublic,
)

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorPublic} for code in (401, 403, 404, 422)
}

_Text = Annotated[StorableText, Query(max_length=200)]


def _signer(request: Request) -> str:
    kiosk_id = request.scope.get(KIOSK_ID_SCOPE_KEY)
    if not isinstance(kiosk_id, str):
        raise TerminalMismatchError("the request is not signed by a terminal")
    return kiosk_id


def _signed_by(request: Request, kiosk_id: str) -> None:
    if _signer(request) != kiosk_id:
        raise TerminalMismatchError("the request names another terminal than its signer")


def fleet_router(
    db: Database,
    *,
    clock: Callable[[], dt.datetime],
    catalog: CatalogSource,
    sweep: FleetSweep | None = None,
) -> APIRouter:
    """The fleet's routes; with ``sweep``, its loop runs while the app is up."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.get_running_loop().create_task(sweep.loop()) if sweep else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    router = APIRouter(lifespan=lifespan)

    @router.get(TERMINALS_PATH, response_model=TerminalsPublic, responses=_ERRORS)
    def get_terminals(
        request: Request,
        response: Response,
        status: FleetStatus | None = None,
        site: _Text | None = None,
        version: _Text | None = None,
        alert: _Text | None = None,
        cursor: _Text | None = None,
        limit: Annotated[int, Query(ge=1, le=fleet.MAX_LIMIT)] = fleet.DEFAULT_LIMIT,
    ) -> TerminalsPublic:
        """One page of the fleet; the next page's URL is in the ``Link`` header (``rel=next``)."""
        with db.read() as session:
            page = fleet.list_terminals(
                session,
                now=clock(),
                status=status,
                site=site,
                version=version,
                alert=alert,
                cursor=cursor,
                limit=limit,
            )
        if page.next_cursor is not None:
            params = {k: v for k, v in request.query_params.items() if k != "cursor"}
            params["cursor"] = page.next_cursor
            response.headers["Link"] = f'<{TERMINALS_PATH}?{urlencode(params)}>; rel="next"'
        return TerminalsPublic(terminals=page.terminals)

    @router.post(
        STAFF_CALLS_PATH, response_model=StaffCallPublic, status_code=201, responses=_ERRORS
    )
    def post_staff_call(request: Request, call: StaffCallCreate) -> StaffCallPublic:
        """Raise a ``staff_called`` alert; the answer means it is stored (the terminal says so)."""
        _signed_by(request, call.kiosk_id)
        with db.write() as session:
            return fleet.raise_staff_call(session, call.kiosk_id, call.call_id, now=clock())

    @router.get(STAFF_CALL_PATH, response_model=StaffCallPublic, responses=_ERRORS)
    def get_staff_call(request: Request, call_id: StorableText) -> StaffCallPublic:
        """A staff call of the signing terminal as it stands (acknowledged yet?)."""
        with db.read() as session:
            return fleet.staff_call(session, _signer(request), call_id)

    @router.post(TERMINAL_LOGS_PATH, status_code=201, responses=_ERRORS)
    def post_terminal_log(request: Request, log: TerminalLogCreate) -> dict[str, int]:
        """Keep the recent error log a terminal uploads for an ``upload_log`` command."""
        _signed_by(request, log.kiosk_id)
        with db.write() as session:
            log_id = fleet.store_log(session, log.kiosk_id, log.command_id, log.lines, now=clock())
        return {"log_id": log_id}

    @router.get(CATALOG_METADATA_PATH, response_model=CatalogMetadataPublic, responses=_ERRORS)
    def get_catalog_metadata() -> Response:
        """The signed metadata of the catalog being served (404 ``no_catalog_release``)."""
        return Response(
            content=catalog.current().metadata(),
            media_type="application/json",
            headers={"Cache-Control": "no-cache"},
        )

    return router
