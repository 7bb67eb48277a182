"""The certificate signing key ring: sealed by the data key provider, a PEM taken in, rotation."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from hall.certificates import SigningKey
from hall.keys import FileKeyProvider, KeyFileError, Sealer, SigningKeyRing


def _sealer(tmp_path: Path) -> Sealer:
    return Sealer(FileKeyProvider.load_or_create(tmp_path / "data-keys.json"))


def test_a_plain_pem_key_is_taken_in_sealed_and_keeps_its_kid(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    old = SigningKey.load_or_create(path)  # what a hall from before sealing left
    ring = SigningKeyRing.load_or_create(path, _sealer(tmp_path))
    assert ring.current.kid == old.kid
    text = path.read_text()
    assert "PRIVATE KEY" not in text
    assert base64.b64encode(old.private_bytes()).decode() not in text
    again = SigningKeyRing.load_or_create(path, _sealer(tmp_path))
    assert again.current.kid == old.kid
    assert again.current.sign(b"x") == old.sign(b"x")  # Ed25519 is deterministic


def test_rotation_retires_the_old_key_to_its_public_half(tmp_path: Path) -> None:
    path = tmp_path / "signing-keys.json"
    ring = SigningKeyRing.load_or_create(path, _sealer(tmp_path))
    first = ring.current
    second_kid = ring.rotate()
    assert ring.current.kid == second_kid != first.kid
    loaded = SigningKeyRing.load_or_create(path, _sealer(tmp_path))
    assert loaded.current.kid == second_kid
    assert loaded.public_keys() == [
        (second_kid, loaded.current.public_key_raw),
        (first.kid, first.public_key_raw),
    ]
    assert base64.b64encode(first.private_bytes()).decode() not in path.read_text()


def test_without_its_data_key_the_ring_does_not_open(tmp_path: Path) -> None:
    path = tmp_path / "signing-keys.json"
    SigningKeyRing.load_or_create(path, _sealer(tmp_path))
    stranger = Sealer(FileKeyProvider.load_or_create(tmp_path / "other" / "data-keys.json"))
    with pytest.raises(Exception, match="data key"):
        SigningKeyRing.load_or_create(path, stranger)
    path.write_text("{not json")
    with pytest.raises(KeyFileError, match="signing key file"):
        SigningKeyRing.load_or_create(path, _sealer(tmp_path))
