"""A catalog published without a restart, signed; terminals refuse forged, rolled-back, expired.

The hall is real (``hall_server_each_db``: SQLite and PostgreSQL), publication goes through the
``kiosk-hall catalog publish`` entry point, and the terminal's ``CatalogStore`` talks to the hall
over signed HTTP with the hall key it pinned at enrolment.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import assets
from hall import fleet
from hall.certificates import SigningKey
from hall.cli import main
from hall.db import Database
from hall.fleet import catalog as releases
from hall.fleet.catalog import sign_metadata
from hall.fleet.models import CatalogRelease
from hall.keys import FileKeyProvider, Sealer, SigningKeyRing
from hall.schema import CatalogMetadataPublic, HeartbeatCreate, verify_catalog_metadata
from offline_cache.catalog import CatalogRejectedError, CatalogStore
from offline_cache.hall_client import HallClient
from offline_cache.store import Store
from tests.fixtures.hall import HallUnderTest

TERMINAL_CLOCK: list[Callable[[], dt.datetime]] = [lambda: dt.datetime.now(dt.UTC)]
"""The terminal's clock (a test sets it a week ahead: metadata replayed past its expiry)."""


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def catalog_dir(tmp_path: Path, version: str) -> Path:
    """The shipped catalog's files under another version."""
    folder = tmp_path / f"catalog-{version}"
    shutil.copytree(assets.CATALOG_DIR, folder)
    index = folder / "index.yaml"
    lines = [
        f'version: "{version}"' if line.startswith("version:") else line
        for line in index.read_text("utf-8").splitlines()
    ]
    index.write_text("\n".join(lines) + "\n", "utf-8")
    return folder


@pytest.fixture
def publish(
    hall_server_each_db: HallUnderTest, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Path], int]:
    settings = hall_server_each_db.settings
    monkeypatch.setenv("HALL_SIGNING_KEY_PATH", str(settings.signing_key_path))
    monkeypatch.setenv("HALL_DATA_KEY_PATH", str(settings.data_key_path))

    def run(directory: Path) -> int:
        return main(["catalog", "publish", str(directory), "--database", settings.database_url])

    return run


@pytest.fixture
def terminal(
    hall_server_each_db: HallUnderTest, tmp_path: Path
) -> Iterator[tuple[HallClient, CatalogStore]]:
    identity = hall_server_each_db.enrol(tmp_path / "terminal", "kiosk-001")
    client = HallClient(hall_server_each_db.base_url, identity=identity)
    store = Store(tmp_path / "terminal" / "outbox.db")
    shipped = assets.load_catalog()
    try:
        yield (
            client,
            CatalogStore(
                store, shipped, keys=lambda: identity.hall_keys, clock=lambda: TERMINAL_CLOCK[0]()
            ),
        )
    finally:
        client.close()
        store.close()


def _serving(hall: HallUnderTest, version: str) -> Callable[[], bool]:
    def check() -> bool:
        health = requests.get(hall.base_url + "/healthz", timeout=5).json()
        return bool(health["catalog_version"] == version)

    return check


def _releases(hall: HallUnderTest, change: Callable[[Session], None]) -> None:
    db = hall.database()
    try:
        with db.write() as session:
            change(session)
    finally:
        db.dispose()


def test_publish_serves_a_signed_release_at_once_and_terminals_refuse_what_is_not(
    hall_server_each_db: HallUnderTest,
    publish: Callable[[Path], int],
    terminal: tuple[HallClient, CatalogStore],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    hall = hall_server_each_db
    client, catalogs = terminal
    shipped = assets.load_catalog().version
    # A hall that never published: no metadata, its shipped catalog unsigned.
    assert client.catalog_metadata() is None
    catalogs.refresh(client)
    assert (catalogs.version, catalogs.release) == (shipped, None)

    assert publish(catalog_dir(tmp_path, "2026.12.22.1")) == 0
    assert "as release 1" in capsys.readouterr().out
    assert wait_until(_serving(hall, "2026.12.22.1"))  # no restart
    assert catalogs.refresh(client) is True
    assert (catalogs.version, catalogs.release, catalogs.problem) == ("2026.12.22.1", 1, "")
    assert catalogs.refresh(client) is False  # the same release again: nothing to do

    # Publishing an older version is refused at the hall.
    assert publish(catalog_dir(tmp_path, "2020.01.01.1")) == 1
    assert "not newer" in capsys.readouterr().err
    broken = catalog_dir(tmp_path, "2026.12.23.1")
    (broken / "elder-card.yaml").write_text("id: [unclosed\n", "utf-8")
    assert publish(broken) == 1
    assert "elder-card.yaml" in capsys.readouterr().err

    assert publish(catalog_dir(tmp_path, "2026.12.24.1")) == 0
    assert wait_until(_serving(hall, "2026.12.24.1"))
    catalogs.refresh(client)
    assert (catalogs.version, catalogs.release) == ("2026.12.24.1", 2)

    # Metadata past its expiry (a hall frozen a week, or replayed answers): refused.
    TERMINAL_CLOCK[0] = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    try:
        with pytest.raises(CatalogRejectedError, match="expired"):
            catalogs.refresh(client)
    finally:
        TERMINAL_CLOCK[0] = lambda: dt.datetime.now(dt.UTC)

    # Rollback: the hall's database restored from a backup serves release 1 again.
    _releases(hall, lambda s: s.execute(delete(CatalogRelease).where(CatalogRelease.release == 2)))
    assert wait_until(_serving(hall, "2026.12.22.1"))
    with pytest.raises(CatalogRejectedError, match="older than release 2"):
        catalogs.refresh(client)
    assert (catalogs.version, catalogs.release) == ("2026.12.24.1", 2)
    assert "older than release 2" in catalogs.problem

    # A forged release: signed by a key the terminal never pinned, then a tampered signature.
    stranger = SigningKey.generate()
    sealer = Sealer(FileKeyProvider.load_or_create(hall.settings.data_key_path))
    key = SigningKeyRing.load_or_create(hall.settings.signing_key_path, sealer).current
    week = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)

    def forged(session: Session) -> None:
        one = session.scalar(select(CatalogRelease).where(CatalogRelease.release == 1))
        assert one is not None
        signed = CatalogMetadataPublic.model_validate_json(one.metadata_json).signed
        body = one.body.replace('"version":"2026.12.22.1"', '"version":"2026.12.05.1"')
        metadata = sign_metadata(
            stranger,
            signed.model_copy(
                update={
                    "release": 3,
                    "catalog_version": "2026.12.05.1",
                    "catalog_sha256": hashlib.sha256(body.encode()).hexdigest(),
                    "expires": week,
                }
            ),
        )
        session.add(
            CatalogRelease(
                release=3,
                catalog_version="2026.12.05.1",
                body=body,
                metadata_json=metadata.model_dump_json(),
                published_at=dt.datetime.now(dt.UTC),
            )
        )

    _releases(hall, forged)
    assert wait_until(_serving(hall, "2026.12.05.1"))
    with pytest.raises(CatalogRejectedError, match="unknown key"):
        catalogs.refresh(client)

    flipped_b64: list[str] = []

    def tamper(session: Session) -> None:
        row = session.get(CatalogRelease, 3)
        assert row is not None
        metadata = CatalogMetadataPublic.model_validate_json(row.metadata_json)
        good = sign_metadata(key, metadata.signed)
        flipped = bytearray(base64.b64decode(good.signature_b64))
        flipped[0] ^= 1
        flipped_b64.append(base64.b64encode(bytes(flipped)).decode())
        row.metadata_json = good.model_copy(
            update={"signature_b64": flipped_b64[0]}
        ).model_dump_json()

    _releases(hall, tamper)
    assert wait_until(lambda: client.catalog_metadata().signature_b64 == flipped_b64[0])  # type: ignore[union-attr]
    with pytest.raises(CatalogRejectedError, match="bad signature"):
        catalogs.refresh(client)
    assert (catalogs.version, catalogs.release) == ("2026.12.24.1", 2)

    # The terminal says so in its heartbeat, and the fleet shows it degraded with an alert.
    client.heartbeat(
        HeartbeatCreate(
            kiosk_id="kiosk-001",
            sent_at=dt.datetime.now(dt.UTC),
            app_version="1.0",
            outbox_depth=0,
            catalog_version=catalogs.version,
            catalog_release=catalogs.release,
            catalog_problem=catalogs.problem,
        )
    )
    db = hall.database()
    try:
        with db.read() as session:
            [listed] = fleet.list_terminals(session, now=dt.datetime.now(dt.UTC)).terminals
            alerts = [a.kind for a in fleet.open_alerts(session)]
    finally:
        db.dispose()
    assert listed.status == "degraded" and listed.faults == ["catalog_refused"]
    assert listed.heartbeat.catalog_release == 2
    assert "bad signature" in listed.heartbeat.catalog_problem
    assert alerts == ["catalog_refused"]
    # The terminal's last good copy survives a restart.
    reopened = CatalogStore(catalogs._store, assets.load_catalog())
    assert (reopened.version, reopened.release) == ("2026.12.24.1", 2)


def test_metadata_is_re_signed_before_it_expires_and_a_bad_folder_is_refused(
    hall_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(hall_database_url)
    db.migrate()
    key = SigningKey.generate()
    try:
        then = dt.datetime.now(dt.UTC) - dt.timedelta(days=5)
        first = releases.publish(db, key, catalog_dir(tmp_path, "2026.12.22.1"), now=then)
        now = dt.datetime.now(dt.UTC)
        assert releases.resign_if_due(db, key, now=now) is True  # 5 of 7 days gone
        assert releases.resign_if_due(db, key, now=now) is False  # fresh now
        with db.read() as session:
            row = session.get(CatalogRelease, 1)
            assert row is not None
            fresh = CatalogMetadataPublic.model_validate_json(row.metadata_json)
        keys = {key.kid: key.public_key_raw}
        signed = verify_catalog_metadata(fresh, keys, now=now, current_release=1)
        assert signed.expires == now + releases.METADATA_LIFETIME
        assert signed.model_copy(update={"expires": first.signed.expires}) == first.signed
    finally:
        db.dispose()
    assert main(["catalog", "publish", str(tmp_path / "nowhere"), "--database", "sqlite://"]) == 2
    assert "not a catalog folder" in capsys.readouterr().err
