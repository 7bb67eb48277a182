"""The last good catalog, kept in the store so a terminal that starts offline works from it.

The sync worker asks the hall with the ETag of the copy it holds; an unchanged catalog costs a
bodiless 304. A new catalog is checked (the model's own validation, then ``validate``, e.g. "every
item the terminal can show has its materials") before it replaces the last good one: a catalog
that fails is rejected, logged, and the last good one stays.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from pydantic import ValidationError

from hall.schema import CatalogPublic
from offline_cache.errors import CacheError
from offline_cache.hall_client import HallClient
from offline_cache.store import Store

log = logging.getLogger(__name__)

CATALOG_KEY = "catalog"
CATALOG_ETAG_KEY = "catalog_etag"


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
    """Hold the catalog to show now: the last good one from the store, else ``fallback``."""

    def __init__(
        self,
        store: Store,
        fallback: CatalogPublic,
        *,
        validate: Callable[[CatalogPublic], None] = default_validate,
    ) -> None:
        self._store = store
        self._validate = validate
        self._lock = threading.Lock()
        self._catalog = self._load() or fallback
        raw_etag = store.get_meta(CATALOG_ETAG_KEY)
        self._etag = None if raw_etag is None else raw_etag.decode()

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

    def accept(self, catalog: CatalogPublic, etag: str | None) -> bool:
        """Validate and keep ``catalog``; returns whether it replaced the one in use.

        Raises :class:`CatalogRejectedError` (the last good one stays).
        """
        self._validate(catalog)
        changed = catalog != self()
        if changed or etag != self._etag:
            with self._store.transaction() as conn:
                for key, value in (
                    (CATALOG_KEY, catalog.model_dump_json().encode()),
                    (CATALOG_ETAG_KEY, (etag or "").encode()),
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
        if changed:
            log.info("catalog %s is now in use", catalog.version)
        return changed

    def refresh(self, client: HallClient) -> bool:
        """Ask the hall (blocking: worker thread); returns whether the catalog changed.

        Raises :class:`HallUnavailableError` and :class:`CatalogRejectedError`.
        """
        fresh, etag = client.catalog_if_changed(self._etag)
        if fresh is None:
            return False
        try:
            return self.accept(fresh, etag)
        except CatalogRejectedError as err:
            log.error("rejected the hall's catalog, keeping %s: %s", self.version, err)
            raise
