"""The last good catalog, kept in the store so a terminal that starts offline works from it.

The sync worker asks the hall with the ETag of the copy it holds; an unchanged catalog costs a
bodiless 304. A new catalog is checked (the model's own validation, then ``validate``, e.g. "every
item the terminal can show has its materials") before it replaces the last good one: a catalog
that fails is rejected, logged, and the last good one stays.

With the hall's pinned keys (``keys``), a catalog comes with signed metadata (TUF's timestamp and
snapshot roles, ``hall.schema.CatalogMetadataPublic``): the terminal refuses a bad signature,
expired metadata, a release older than the one it holds (rollback) and a body whose SHA-256 is
not the signed one. A catalog whose version is older than the one in use is refused either way
(2020.01.01.1 never replaces 2026.11.22.4). Once a terminal holds a signed release it takes no
unsigned catalog again. Every refusal is kept in :attr:`CatalogStore.problem`, which the heartbeat
reports, until a good catalog arrives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Mapping

from pydantic import ValidationError

from hall.schema import (
    CatalogMetadataError,
    CatalogMetadataPublic,
    CatalogPublic,
    verify_catalog_metadata,
)
from offline_cache.errors import CacheError
from offline_cache.hall_client import HallClient
from offline_cache.store import Store

log = logging.getLogger(__name__)

CATALOG_KEY = "catalog"
CATALOG_ETAG_KEY = "catalog_etag"
CATALOG_METADATA_KEY = "catalog_metadata"
"""The signed metadata of the release in use (absent: an unsigned or the shipped catalog)."""


def version_key(version: str) -> tuple[int, ...]:
    """A catalog version as numbers for ordering (``2026.11.22.4`` > ``2020.01.01.1``)."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


class CatalogRejectedError(CacheError):
    """The hall's catalog failed validation; the last good one is kept."""


def default_validate(catalog: CatalogPublic) -> None:
    """Refuse a catalog a terminal cannot work from: empty, duplicate ids, dangling bundles."""
    ids = [item.id for item in catalog.items]
    if not ids:
        raise CatalogRejectedError(f"catalog {catalog.version} has no items")
    if len(set(ids)) != len(ids):
        raise CatalogRejectedError(f"catalog {catalog.version} repeats an item id")
    known = set(ids)
    for item in catalog.items:
        missing = [part for part in item.bundle_of if part not in known]
        if missing:
            raise CatalogRejectedError(
                f"catalog {catalog.version}: bundle {item.id} names unknown items"
            )


class CatalogStore:
    """Hold the catalog to show now: the last good one from the store, else ``fallback``.

    ``keys`` gives the hall's pinned Ed25519 keys (key id -> raw key): with it, catalogs are
    checked against the hall's signed metadata.
    """

    def __init__(
        self,
        store: Store,
        fallback: CatalogPublic,
        *,
        validate: Callable[[CatalogPublic], None] = default_validate,
        keys: Callable[[], Mapping[str, bytes]] | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._store = store
        self._validate = validate
        self._keys = keys
        self._clock = clock
        self._lock = threading.Lock()
        self._catalog = self._load() or fallback
        raw_etag = store.get_meta(CATALOG_ETAG_KEY)
        self._etag = None if raw_etag is None else raw_etag.decode()
        self._metadata = self._load_metadata()
        self.problem = ""
        """Why the hall's newest catalog was refused ("" when none was); the heartbeat says it."""

    def _load_metadata(self) -> CatalogMetadataPublic | None:
        raw = self._store.get_meta(CATALOG_METADATA_KEY)
        if not raw:
            return None
        try:
            return CatalogMetadataPublic.model_validate_json(raw)
        except ValidationError:
            log.warning("the saved catalog metadata does not parse")
            return None

    @property
    def release(self) -> int | None:
        """The signed release in use (``None``: an unsigned or the shipped catalog)."""
        metadata = self._metadata
        return None if metadata is None else metadata.signed.release

    def _load(self) -> CatalogPublic | None:
        raw = self._store.get_meta(CATALOG_KEY)
        if raw is None:
            return None
        try:
            return CatalogPublic.model_validate_json(raw)
        except ValidationError:
            log.warning("the saved catalog does not parse; using the shipped one")
            return None

    def __call__(self) -> CatalogPublic:
        """The catalog to show now."""
        with self._lock:
            return self._catalog

    @property
    def version(self) -> str:
        """The version of the catalog in use."""
        return self().version

    @property
    def etag(self) -> str | None:
        """The hall's ETag of the saved catalog, if it came from the hall."""
        return self._etag

    def accept(
        self,
        catalog: CatalogPublic,
        etag: str | None,
        metadata: CatalogMetadataPublic | None = None,
    ) -> bool:
        """Validate and keep ``catalog``; returns whether it replaced the one in use.

        Raises :class:`CatalogRejectedError` (the last good one stays), also for a catalog whose
        version is older than the one in use.
        """
        current = self()
        if version_key(catalog.version) < version_key(current.version):
            raise CatalogRejectedError(
                f"catalog {catalog.version} is older than {current.version} in use (rollback)"
            )
        self._validate(catalog)
        changed = catalog != current
        kept_metadata = metadata if metadata is not None else self._metadata
        if changed or etag != self._etag or metadata != self._metadata:
            with self._store.transaction() as conn:
                for key, value in (
                    (CATALOG_KEY, catalog.model_dump_json().encode()),
                    (CATALOG_ETAG_KEY, (etag or "").encode()),
                    (
                        CATALOG_METADATA_KEY,
                        b"" if kept_metadata is None else kept_metadata.model_dump_json().encode(),
                    ),
                ):
                    conn.execute(
                        "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, "
                        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) ON CONFLICT (key) DO UPDATE "
                        "SET value = excluded.value, updated_at = excluded.updated_at",
                        (key, value),
                    )
        with self._lock:
            self._catalog = catalog
            self._etag = etag or None
            self._metadata = kept_metadata
            self.problem = ""
        if changed:
            log.info("catalog %s is now in use", catalog.version)
        return changed

    def refresh(self, client: HallClient) -> bool:
        """Ask the hall (blocking: worker thread); returns whether the catalog changed.

        Raises :class:`HallUnavailableError` and :class:`CatalogRejectedError`.
        """
        try:
            if self._keys is not None:
                metadata = client.catalog_metadata()
                if metadata is not None:
                    return self._refresh_signed(client, metadata)
                if self.release is not None:
                    raise CatalogRejectedError(
                        f"the hall offers no signed catalog; keeping release {self.release}"
                    )
            fresh, etag = client.catalog_if_changed(self._etag)
            if fresh is None:
                return False
            return self.accept(fresh, etag)
        except CatalogRejectedError as err:
            self.problem = f"{err}; using {self.version}"[:200]
            log.error("rejected the hall's catalog, keeping %s: %s", self.version, err)
            raise

    def _refresh_signed(self, client: HallClient, metadata: CatalogMetadataPublic) -> bool:
        assert self._keys is not None
        try:
            signed = verify_catalog_metadata(
                metadata, self._keys(), now=self._clock(), current_release=self.release
            )
        except CatalogMetadataError as err:
            raise CatalogRejectedError(str(err)) from None
        held = self._metadata
        if held is not None and held.signed.release == signed.release:
            if held.signed.catalog_sha256 != signed.catalog_sha256:
                raise CatalogRejectedError(f"release {signed.release} signed with another body")
            # The same release re-signed with a later expiry: keep the fresher metadata.
            return self.accept(self(), self._etag, metadata)
        body = client.catalog_body()
        if hashlib.sha256(body).hexdigest() != signed.catalog_sha256:
            raise CatalogRejectedError(f"the catalog body is not release {signed.release}'s")
        try:
            catalog = CatalogPublic.model_validate_json(body)
        except ValidationError:
            raise CatalogRejectedError(f"release {signed.release} does not parse") from None
        if catalog.version != signed.catalog_version:
            raise CatalogRejectedError(f"release {signed.release} holds another catalog version")
        return self.accept(catalog, f'"{catalog.version}"', metadata)
