"""Sealing personal data at rest: the key file, AES-GCM envelopes bound to their row, rotation."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from hall.keys import (
    FileKeyProvider,
    KeyFileError,
    SealedDataError,
    Sealer,
    UnknownDataKeyError,
    is_sealed,
)

APPLICANT = {"name": "王秀英", "id_number": "110101195203150023", "address": "北京市东城区"}


def test_the_key_file_is_made_0600_and_loads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "data-keys.json"
    made = FileKeyProvider.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = FileKeyProvider.load_or_create(path)
    assert loaded.current_kid == made.current_kid
    assert loaded.data_key(made.current_kid) == made.data_key(made.current_kid)
    assert loaded.lookup_key() == made.lookup_key()


def test_a_sealed_value_holds_nothing_readable_and_opens_only_in_its_row(tmp_path: Path) -> None:
    sealer = Sealer(FileKeyProvider.load_or_create(tmp_path / "k.json"))
    sealed = sealer.seal(APPLICANT, "submissions.payload:K001-20261122-00001")
    text = json.dumps(sealed, ensure_ascii=False)
    assert is_sealed(sealed)
    for secret in ("王秀英", "110101195203150023", "北京"):
        assert secret not in text
    assert sealer.open(sealed, "submissions.payload:K001-20261122-00001") == APPLICANT
    with pytest.raises(SealedDataError) as moved:  # copied into another row
        sealer.open(sealed, "submissions.payload:K001-20261122-00002")
    assert "K001" not in str(moved.value)
    tampered = {
        **sealed,
        "ct": sealed["ct"][:-4] + ("AAAA" if sealed["ct"][-4:] != "AAAA" else "BBBB"),
    }
    with pytest.raises(SealedDataError):
        sealer.open(tampered, "submissions.payload:K001-20261122-00001")
    # A value from before sealing is read as it is (and resealed at start).
    assert sealer.open(APPLICANT, "submissions.payload:x") == APPLICANT
    assert sealer.needs_reseal(APPLICANT)
    assert not sealer.needs_reseal(sealed)


def test_rotation_keeps_old_values_readable_and_reseal_moves_them(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    provider = FileKeyProvider.load_or_create(path)
    sealer = Sealer(provider)
    old = sealer.seal(APPLICANT, "ctx")
    first = provider.current_kid
    second = provider.rotate()
    assert second != first and provider.kids() == [first, second]
    # The file on disk has both: a restarted hall still opens the old rows.
    restarted = Sealer(FileKeyProvider.load(path))
    assert restarted.provider.current_kid == second
    assert restarted.open(old, "ctx") == APPLICANT
    assert restarted.needs_reseal(old)
    moved = restarted.reseal(old, "ctx")
    assert moved["kid"] == second and restarted.open(moved, "ctx") == APPLICANT
    # A key the file does not hold is named in the error, nothing else.
    other = Sealer(FileKeyProvider.load_or_create(tmp_path / "other.json"))
    with pytest.raises(UnknownDataKeyError):
        other.open(moved, "ctx")


def test_lookup_hashes_are_keyed_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    sealer = Sealer(FileKeyProvider.load_or_create(path))
    digest = sealer.lookup_hash("110101195203150023", "residents.id_number")
    assert digest == Sealer(FileKeyProvider.load(path)).lookup_hash(
        "110101195203150023", "residents.id_number"
    )
    assert digest != sealer.lookup_hash("110101195203150023", "another purpose")
    other = Sealer(FileKeyProvider.load_or_create(tmp_path / "other.json"))
    assert digest != other.lookup_hash("110101195203150023", "residents.id_number")


@pytest.mark.parametrize(
    "content",
    [b"not json", b'{"current": "x", "keys": {}, "lookup": ""}', b'{"keys": {"a": "!!"}}'],
)
def test_a_bad_key_file_is_refused_with_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "k.json"
    path.write_bytes(content)
    with pytest.raises(KeyFileError, match="data key file"):
        FileKeyProvider.load_or_create(path)
