"""The terminal's HTTP client for the hall, speaking the models of ``hall.schema``.

Every call has a connect and a read timeout. Answers are sorted in two families: come back later
(:class:`HallUnavailableError`: network, timeouts, 5xx, 409, 429) and do not come back
(:class:`HallRejectedError`: any other 4xx, with the hall's error code). A 429 (or 503) with
``Retry-After`` is :class:`HallBusyError`: the client then sends nothing until that time is up.
The hall's error *message* is never kept: a validation message may quote the applicant's fields.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import email.utils
import logging
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import requests
from pydantic import BaseModel, ValidationError
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from hall.schema import (
    CATALOG_METADATA_PATH,
    CATALOG_PATH,
    EVENTS_PATH,
    HEALTH_PATH,
    HEARTBEATS_PATH,
    IDEMPOTENCY_HEADER,
    KEYS_PATH,
    PROGRESS_PATH,
    RELEASE_FILE_PATH,
    RELEASE_OFFER_PATH,
    RELEASE_REPORTS_PATH,
    RELEASE_WHEEL_PATH,
    STAFF_CALL_PATH,
    STAFF_CALLS_PATH,
    SUBMISSION_PATH,
    SUBMISSIONS_PATH,
    TERMINAL_LOGS_PATH,
    CaseProgressPublic,
    CatalogMetadataPublic,
    CatalogPublic,
    ErrorPublic,
    EventBatchCreate,
    EventBatchPublic,
    HeartbeatCreate,
    HeartbeatPublic,
    KeysPublic,
    ReleaseOfferPublic,
    ReleaseReportCreate,
    StaffCallCreate,
    StaffCallPublic,
    SubmissionCreate,
    SubmissionPublic,
    TerminalLogCreate,
)
from offline_cache.errors import HallRejectedError, HallUnavailableError
from offline_cache.identity import SignedAuth, TerminalIdentity

if TYPE_CHECKING:
    from urllib3._base_connection import BaseHTTPConnection

log = logging.getLogger(__name__)

_M = TypeVar("_M", bound=BaseModel)

RETRYABLE_4XX = frozenset({409, 429})
PERMANENT_CONFLICTS = frozenset({"case_number_conflict"})
"""409 codes that no retry can clear (as opposed to ``in_progress``)."""
MAX_RETRY_AFTER_S = 3600.0
"""A ``Retry-After`` longer than this is taken as this (a garbled header must not mute a terminal
for days)."""
IDENTITY_REFUSALS = frozenset({"unauthenticated", "revoked", "terminal_mismatch", "forbidden"})
"""401/403 codes refusing who the terminal is (not enrolled, revoked, skewed clock): "come back
later", so the outbox keeps every submission until staff re-enrol the terminal; nothing dropped."""


class _AbortableAdapter(HTTPAdapter):
    """An adapter that remembers its sockets so another thread can cut a request short.

    A blocked ``recv`` does not notice a flag; shutting the socket down wakes it at once, which
    is what lets the sync worker stop within its deadline while the hall is slow.
    """

    def __init__(self) -> None:
        self._conns_lock = threading.Lock()
        self._conns: weakref.WeakSet[BaseHTTPConnection] = weakref.WeakSet()
        super().__init__()

    def _track(self, conn: BaseHTTPConnection) -> None:
        with self._conns_lock:
            self._conns.add(conn)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Build the pool manager with pools that report each new connection."""
        super().init_poolmanager(*args, **kwargs)
        adapter = self

        class _Pool(HTTPConnectionPool):
            def _new_conn(self) -> Any:
                conn = super()._new_conn()
                adapter._track(conn)
                return conn

        class _TlsPool(HTTPSConnectionPool):
            def _new_conn(self) -> Any:
                conn = super()._new_conn()
                adapter._track(conn)
                return conn

        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}

    def abort(self) -> None:
        """Shut down every open socket of this adapter; blocked reads fail at once."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            sock = getattr(conn, "sock", None)
            if sock is None:
                continue
            # OSError: already closed by its owner, nothing left to wake.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class HallBusyError(HallUnavailableError):
    """The hall asked this terminal to wait (429 or 503 with ``Retry-After``): come back later.

    ``retry_after`` is the seconds to wait from now. Until then the client sends nothing more
    to the hall; each call raises this error again with the time left.
    """

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = when.timestamp() - now
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


class HallClient:
    """Talk to the hall at ``base_url`` with bounded waits.

    ``session`` may carry the caller's auth; the client mounts its own adapter for ``base_url``
    on it so that :meth:`abort` can interrupt a request. With ``identity`` every request is signed
    (``hall.httpsig``) with the hall's time as estimated from :attr:`clock_offset`; a 401 after
    which that offset moved is retried once with the corrected time. ``wall_clock`` is this
    terminal's clock (Unix seconds; tests skew it).
    """

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        session: requests.Session | None = None,
        identity: TerminalIdentity | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = (connect_timeout, read_timeout)
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._adapter = _AbortableAdapter()
        self._session.mount(self.base_url + "/", self._adapter)
        self._aborted = threading.Event()
        self._clock_offset: float | None = None
        self._wall_clock = wall_clock
        self._auth = None if identity is None else SignedAuth(identity, self.hall_time)
        self._quiet_until = 0.0
        """``time.monotonic()`` before which nothing is sent: the hall's last ``Retry-After``."""

    def set_identity(self, identity: TerminalIdentity | None) -> None:
        """Sign as ``identity`` from now on (enrolled while running, from maintenance mode)."""
        self._auth = None if identity is None else SignedAuth(identity, self.hall_time)

    @property
    def signed(self) -> bool:
        """Whether requests go out signed (the terminal is enrolled)."""
        return self._auth is not None

    @property
    def clock_offset(self) -> float | None:
        """Seconds this terminal's clock is ahead of the hall's (negative: behind), or ``None``.

        Taken from the hall's ``Date`` header on every answer (whole seconds) and, more
        precisely, from the ``server_time`` of a heartbeat answer.
        """
        return self._clock_offset

    def hall_time(self) -> float:
        """The hall's clock as this terminal estimates it (Unix seconds)."""
        return self._wall_clock() - (self._clock_offset or 0.0)

    # --- Submissions ----------------------------------------------------------------------------

    def submit(self, submission: SubmissionCreate, idempotency_key: str) -> SubmissionPublic:
        """POST a submission with its idempotency key; the hall answers the same for a repeat."""
        response = self._request(
            "POST",
            SUBMISSIONS_PATH,
            data=submission.model_dump_json().encode(),
            headers={"Content-Type": "application/json", IDEMPOTENCY_HEADER: idempotency_key},
        )
        return self._parse(response, SubmissionPublic)

    def get_submission(self, case_number: str) -> SubmissionPublic:
        """Ask what the hall holds for a case (unknown case: :class:`HallRejectedError` 404)."""
        path = SUBMISSION_PATH.format(case_number=quote(case_number, safe=""))
        return self._parse(self._request("GET", path), SubmissionPublic)

    def progress(self, case_number: str) -> CaseProgressPublic:
        """Ask for a case's stages with their clocks."""
        path = PROGRESS_PATH.format(case_number=quote(case_number, safe=""))
        return self._parse(self._request("GET", path), CaseProgressPublic)

    # --- Reference data -------------------------------------------------------------------------

    def catalog(self) -> CatalogPublic:
        """Fetch the hall's current catalog."""
        return self._parse(self._request("GET", CATALOG_PATH), CatalogPublic)

    def catalog_if_changed(self, etag: str | None) -> tuple[CatalogPublic | None, str | None]:
        """Fetch the catalog unless the hall's ETag still equals ``etag``.

        Returns ``(catalog, etag)``, with ``catalog`` ``None`` when unchanged (a bodiless 304).
        """
        headers = {} if etag is None else {"If-None-Match": etag}
        response = self._request("GET", CATALOG_PATH, headers=headers)
        new_etag = response.headers.get("ETag")
        if response.status_code == 304:
            return None, new_etag or etag
        return self._parse(response, CatalogPublic), new_etag

    def heartbeat(self, heartbeat: HeartbeatCreate) -> HeartbeatPublic:
        """POST a heartbeat; the answer's ``server_time`` refines :attr:`clock_offset`."""
        sent = self._wall_clock()
        response = self._request(
            "POST",
            HEARTBEATS_PATH,
            data=heartbeat.model_dump_json().encode(),
            headers={"Content-Type": "application/json"},
        )
        answer = self._parse(response, HeartbeatPublic)
        midpoint = (sent + self._wall_clock()) / 2
        self._clock_offset = midpoint - answer.server_time.timestamp()
        return answer

    def post_events(self, batch: EventBatchCreate) -> EventBatchPublic:
        """POST a batch of events; one result per event (``rejected`` ones are final)."""
        response = self._request(
            "POST",
            EVENTS_PATH,
            data=batch.model_dump_json().encode(),
            headers={"Content-Type": "application/json"},
        )
        return self._parse(response, EventBatchPublic)

    # --- The fleet -----------------------------------------------------------------------------

    def catalog_metadata(self) -> CatalogMetadataPublic | None:
        """The hall's signed catalog metadata, or ``None`` when it has published no release."""
        try:
            response = self._request("GET", CATALOG_METADATA_PATH)
        except HallRejectedError as err:
            if err.status == 404 and err.code == "no_catalog_release":
                return None
            raise
        return self._parse(response, CatalogMetadataPublic)

    def catalog_body(self) -> bytes:
        """The catalog's body as served, byte for byte (its SHA-256 is in the signed metadata)."""
        response = self._request("GET", CATALOG_PATH)
        if response.status_code != 200:
            raise HallUnavailableError(f"hall answered HTTP {response.status_code}")
        return response.content

    def call_staff(self, call: StaffCallCreate) -> StaffCallPublic:
        """Raise a staff call; the answer means the hall stored it (a repeat: the same call)."""
        response = self._request(
            "POST",
            STAFF_CALLS_PATH,
            data=call.model_dump_json().encode(),
            headers={"Content-Type": "application/json"},
        )
        return self._parse(response, StaffCallPublic)

    def staff_call(self, call_id: str) -> StaffCallPublic:
        """A staff call of this terminal as it stands (acknowledged yet?)."""
        path = STAFF_CALL_PATH.format(call_id=quote(call_id, safe=""))
        return self._parse(self._request("GET", path), StaffCallPublic)

    def upload_log(self, log_upload: TerminalLogCreate) -> None:
        """Upload the recent error log an ``upload_log`` command asked for."""
        self._request(
            "POST",
            TERMINAL_LOGS_PATH,
            data=log_upload.model_dump_json().encode(),
            headers={"Content-Type": "application/json"},
        )

    # --- App releases --------------------------------------------------------------------------

    def release_offer(self) -> ReleaseOfferPublic:
        """The hall's signed answer to "what should this terminal run" (checked by the caller)."""
        return self._parse(self._request("GET", RELEASE_OFFER_PATH), ReleaseOfferPublic)

    def release_chunks(self, version: str, chunk_bytes: int = 1 << 16) -> Iterator[bytes]:
        """The release file of ``version``, streamed in chunks (the caller counts and hashes).

        404 ``no_release`` (not offered to this terminal) is :class:`HallRejectedError`; a cut
        connection midway is :class:`HallUnavailableError`.
        """
        path = RELEASE_FILE_PATH.format(version=quote(version, safe=""))
        return self._download(path, chunk_bytes)

    def release_wheel_chunks(
        self, version: str, file_name: str, chunk_bytes: int = 1 << 16
    ) -> Iterator[bytes]:
        """One file of the release's wheelhouse, streamed like :meth:`release_chunks`."""
        path = RELEASE_WHEEL_PATH.format(
            version=quote(version, safe=""), file_name=quote(file_name, safe="")
        )
        return self._download(path, chunk_bytes)

    def _download(self, path: str, chunk_bytes: int) -> Iterator[bytes]:
        response = self._request("GET", path, stream=True)
        try:
            if response.status_code != 200:
                raise HallUnavailableError(f"hall answered HTTP {response.status_code}")
            try:
                yield from response.iter_content(chunk_bytes)
            except requests.RequestException as err:
                why = "aborted" if self._aborted.is_set() else type(err).__name__
                raise HallUnavailableError(f"GET {path}: download cut short ({why})") from err
        finally:
            response.close()

    def report_release(self, report: ReleaseReportCreate) -> None:
        """Tell the hall what became of a release here (installed, failed, rolled back)."""
        self._request(
            "POST",
            RELEASE_REPORTS_PATH,
            data=report.model_dump_json().encode(),
            headers={"Content-Type": "application/json"},
        )

    def keys(self) -> dict[str, bytes]:
        """Fetch the hall's certificate signing keys: key id -> raw Ed25519 public key."""
        published = self._parse(self._request("GET", KEYS_PATH), KeysPublic)
        try:
            return {
                k.kid: base64.b64decode(k.public_key_b64, validate=True) for k in published.keys
            }
        except binascii.Error as err:
            raise HallUnavailableError("hall sent a malformed public key") from err

    def health(self) -> bool:
        """Whether the hall answers its health check with 200 right now."""
        try:
            response = self._request("GET", HEALTH_PATH)
        except HallUnavailableError:
            return False
        return response.status_code == 200

    def call(self, method: str, path: str, answer: type[_M], body: BaseModel | None = None) -> _M:
        """Send ``body`` (JSON) to ``path``, parse the answer as ``answer``; signed like every call.

        For the hall's routes that live outside ``hall.schema`` (e.g. ``hall.collect_schema``);
        errors sort into the same two families as the other calls.
        """
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs["data"] = body.model_dump_json().encode()
            kwargs["headers"] = {"Content-Type": "application/json"}
        return self._parse(self._request(method, path, **kwargs), answer)

    # --- Lifecycle ------------------------------------------------------------------------------

    def abort(self) -> None:
        """Cut short any request in flight (it raises :class:`HallUnavailableError`).

        Used by the sync worker's ``stop``. A connect in progress still ends by its own timeout.
        """
        self._aborted.set()
        self._adapter.abort()

    def close(self) -> None:
        """Release the connection pool (and the session, when the client made it)."""
        self._adapter.close()
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> HallClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- Plumbing -------------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        used = self._clock_offset or 0.0
        response = self._send(method, path, **kwargs)
        moved = self._clock_offset is not None and abs(self._clock_offset - used) > 1.0
        if response.status_code == 401 and self._auth is not None and moved:
            # Most likely our clock: the Date header has just corrected the offset; once more.
            log.info("%s %s: 401 with a corrected clock offset; signing again", method, path)
            response = self._send(method, path, **kwargs)
        status = response.status_code
        if status in (429, 503):
            wait = parse_retry_after(response.headers.get("Retry-After"), self._wall_clock())
            if wait is not None:
                self._quiet_until = max(self._quiet_until, time.monotonic() + wait)
                code = _error_code(response)
                log.info(
                    "%s %s: hall asks to wait %.0f s (HTTP %d %s)", method, path, wait, status, code
                )
                raise HallBusyError(
                    f"{method} {path}: hall busy (HTTP {status} {code}), retry after {wait:.0f} s",
                    wait,
                )
        refused = status in (401, 403) and _error_code(response) in IDENTITY_REFUSALS
        if status >= 500 or status in RETRYABLE_4XX or refused:
            code = _error_code(response)
            if code in PERMANENT_CONFLICTS:
                # Another submission already owns this case number (two terminals sharing a
                # code, or a reset database): retrying can never succeed, so staff must look.
                raise HallRejectedError(status, code)
            if refused:
                log.warning(
                    "%s %s: hall refused this terminal (HTTP %d %s)", method, path, status, code
                )
            raise HallUnavailableError(f"{method} {path}: hall busy (HTTP {status} {code})")
        if 400 <= status < 500:
            raise HallRejectedError(status, _error_code(response))
        return response

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        left = self._quiet_until - time.monotonic()
        if left > 0:
            raise HallBusyError(f"{method} {path}: not sent, the hall asked to wait", left)
        self._aborted.clear()
        if self._auth is not None:
            kwargs["auth"] = self._auth
        sent = self._wall_clock()
        try:
            response = self._session.request(
                method, self.base_url + path, timeout=self._timeout, **kwargs
            )
        except requests.Timeout as err:
            raise HallUnavailableError(f"{method} {path}: hall timed out") from err
        except requests.RequestException as err:
            why = "aborted" if self._aborted.is_set() else type(err).__name__
            raise HallUnavailableError(f"{method} {path}: hall unreachable ({why})") from err
        self._note_date(response, sent)
        return response

    def _note_date(self, response: requests.Response, sent: float) -> None:
        """Bound the clock offset by the answer's ``Date`` header (sent at ``sent``, our clock).

        The hall's clock read the header's whole second, or up to a second more, at some moment
        while the request was out: so the offset lies between ``sent`` less that second's end
        and now less its start. A finer figure (a heartbeat's) inside those bounds stands; one
        outside them, or none, becomes their middle. Taking "now" less the header, as before, a
        slow answer (a hall starting, a busy line) moved a right offset by the answer's time.
        """
        header = response.headers.get("Date")
        if not header:
            return
        try:
            server = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return
        if server.tzinfo is None:
            server = server.replace(tzinfo=dt.UTC)
        stamped = server.timestamp()
        low, high = sent - (stamped + 1.0), self._wall_clock() - stamped
        if self._clock_offset is None or not low <= self._clock_offset <= high:
            self._clock_offset = (low + high) / 2

    @staticmethod
    def _parse(response: requests.Response, model: type[_M]) -> _M:
        if response.status_code not in (200, 201):
            raise HallUnavailableError(f"hall answered HTTP {response.status_code}")
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            # A garbled answer is treated as "try again": the hall repeats the stored result.
            raise HallUnavailableError(f"hall sent a malformed {model.__name__}") from None


def _error_code(response: requests.Response) -> str:
    """Return the hall's stable error code, or a fallback when the body is not ErrorPublic."""
    try:
        return ErrorPublic.model_validate_json(response.content).code
    except ValidationError:
        pass
    try:
        body = response.json()
    except ValueError:
        return "unknown"
    # FastAPI's own errors (e.g. a 422 before our handler) carry "detail" instead.
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        return str(body["code"])
    return "unknown"
