"""Catalog releases: validated, published into the database, signed, served without a restart.

``publish`` stores a catalog as the next release with Ed25519-signed metadata (release number,
catalog version, SHA-256 of the body as served, expiry): TUF's snapshot and timestamp roles in
one document. Every hall process serves the newest release (``CatalogSource`` looks at most every
``check_every_s``); the sweep re-signs the newest metadata before it expires. A hall that has
never published serves its shipped catalog, unsigned (metadata: 404 ``no_catalog_release``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

import assets
from hall.certificates import SigningKey
from hall.db import Database
from hall.errors import HallError
from hall.fleet.models import CatalogRelease
from hall.schema import (
    CatalogMetadataPublic,
    CatalogMetadataSigned,
    CatalogPublic,
    catalog_metadata_bytes,
)

logger = logging.getLogger(__name__)

METADATA_LIFETIME = dt.timedelta(days=7)
"""Signed metadata expires this long after signing; re-signed when half of it has passed."""


class NoCatalogReleaseError(HallError):
    """This hall has published no signed catalog yet (it serves its shipped one)."""

    status_code = 404
    code = "no_catalog_release"


class CatalogPublishError(HallError):
    """A catalog that cannot be published: it fails validation or is not newer."""

    status_code = 422
    code = "catalog_rejected"


def version_key(version: str) -> tuple[int, ...]:
    """A catalog version as numbers for ordering (``2026.11.22.4`` > ``2020.01.01.1``)."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


def check_catalog(catalog: CatalogPublic) -> None:
    """Refuse what no terminal can work from: no items, a repeated id, a bundle of unknown items."""
    ids = [item.id for item in catalog.items]
    if not ids:
        raise CatalogPublishError(f"catalog {catalog.version} has no items")
    if len(set(ids)) != len(ids):
        raise CatalogPublishError(f"catalog {catalog.version} repeats an item id")
    for item in catalog.items:
        unknown = [part for part in item.bundle_of if part not in set(ids)]
        if unknown:
            raise CatalogPublishError(f"bundle {item.id} names unknown items: {', '.join(unknown)}")
    if not version_key(catalog.version):
        raise CatalogPublishError(f"catalog version {catalog.version!r} has no number in it")


def sign_metadata(key: SigningKey, signed: CatalogMetadataSigned) -> CatalogMetadataPublic:
    """Sign catalog metadata with the hall's key (the key terminals pinned at enrolment)."""
    signature = key.sign(catalog_metadata_bytes(signed))
    return CatalogMetadataPublic(
        signed=signed, kid=key.kid, signature_b64=base64.b64encode(signature).decode()
    )


def publish(
    db: Database, key: SigningKey, directory: Path, *, now: dt.datetime
) -> CatalogMetadataPublic:
    """Validate the catalog in ``directory`` and publish it as the next release.

    Raises ``CatalogPublishError`` (or ``ValueError`` from the item loader, naming the file) for
    a catalog that fails validation or whose version is not newer than the newest release's.
    """
    catalog = assets.load_catalog(directory)
    check_catalog(catalog)
    body = catalog.model_dump_json()
    with db.write() as session:
        newest = session.scalar(
            select(CatalogRelease).order_by(CatalogRelease.release.desc()).limit(1)
        )
        if newest is not None and version_key(catalog.version) <= version_key(
            newest.catalog_version
        ):
            raise CatalogPublishError(
                f"catalog {catalog.version} is not newer than published {newest.catalog_version}"
            )
        release = int(session.scalar(select(func.max(CatalogRelease.release))) or 0) + 1
        metadata = sign_metadata(
            key,
            CatalogMetadataSigned(
                release=release,
                catalog_version=catalog.version,
                catalog_sha256=hashlib.sha256(body.encode()).hexdigest(),
                published_at=now,
                expires=now + METADATA_LIFETIME,
            ),
        )
        session.add(
            CatalogRelease(
                release=release,
                catalog_version=catalog.version,
                body=body,
                metadata_json=metadata.model_dump_json(),
                published_at=now,
            )
        )
    logger.info("published catalog %s as release %d", catalog.version, release)
    return metadata


def resign_if_due(db: Database, key: SigningKey, *, now: dt.datetime) -> bool:
    """Re-sign the newest release's metadata with a fresh expiry once half its life has passed."""
    with db.write() as session:
        newest = session.scalar(
            select(CatalogRelease).order_by(CatalogRelease.release.desc()).limit(1)
        )
        if newest is None:
            return False
        current = CatalogMetadataPublic.model_validate_json(newest.metadata_json)
        if current.signed.expires - now > METADATA_LIFETIME / 2:
            return False
        fresh = current.signed.model_copy(update={"expires": now + METADATA_LIFETIME})
        newest.metadata_json = sign_metadata(key, fresh).model_dump_json()
    logger.info("re-signed the metadata of catalog release %d", current.signed.release)
    return True


@dataclass(frozen=True)
class Served:
    """The catalog a hall serves now: the model, its body and ETag, its signed metadata."""

    catalog: CatalogPublic
    body: bytes
    etag: str
    release: int | None
    metadata_json: bytes | None

    def metadata(self) -> bytes:
        """The signed metadata; ``NoCatalogReleaseError`` when none was published."""
        if self.metadata_json is None:
            raise NoCatalogReleaseError("this hall has published no signed catalog")
        return self.metadata_json


def _served(catalog: CatalogPublic, release: int | None, metadata: str | None, body: str) -> Served:
    return Served(
        catalog=catalog,
        body=body.encode(),
        etag=f'"{catalog.version}"',
        release=release,
        metadata_json=None if metadata is None else metadata.encode(),
    )


class CatalogSource:
    """The newest published release, else the shipped catalog; ``on_change`` hears of a new one."""

    def __init__(
        self,
        db: Database,
        shipped: CatalogPublic,
        *,
        check_every_s: float = 2.0,
        on_change: Callable[[CatalogPublic], None] | None = None,
    ) -> None:
        self._db = db
        self._shipped = _served(shipped, None, None, shipped.model_dump_json())
        self._served = self._shipped
        self._check_every_s = check_every_s
        self._next_check = 0.0
        self._on_change = on_change
        self._lock = threading.Lock()

    def current(self) -> Served:
        """What to serve now (the database is asked at most every ``check_every_s``)."""
        with self._lock:
            if time.monotonic() >= self._next_check:
                self._next_check = time.monotonic() + self._check_every_s
                self._refresh()
            return self._served

    def _refresh(self) -> None:
        try:
            with self._db.read() as session:
                head = session.execute(
                    select(CatalogRelease.release, CatalogRelease.metadata_json)
                    .order_by(CatalogRelease.release.desc())
                    .limit(1)
                ).first()
                if head is None:
                    return
                release, metadata = head
                if release == self._served.release:
                    if metadata.encode() != self._served.metadata_json:
                        self._served = _served(
                            self._served.catalog, release, metadata, self._served.body.decode()
                        )
                    return
                body = session.scalar(
                    select(CatalogRelease.body).where(CatalogRelease.release == release)
                )
        except SQLAlchemyError as err:
            logger.warning(
                "catalog releases unreadable (%s): serving the last one", type(err).__name__
            )
            return
        assert body is not None
        try:
            catalog = CatalogPublic.model_validate_json(body)
        except ValueError:
            logger.error("catalog release %d does not parse: still serving the last one", release)
            return
        self._served = _served(catalog, release, metadata, body)
        logger.info("now serving catalog %s (release %d)", catalog.version, release)
        if self._on_change is not None:
            self._on_change(catalog)
