"""Field encryption: AES-256-GCM, key file 0600, key ids, rotation, AAD binding."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from offline_cache.crypto import KEY_BYTES, FieldCipher
from offline_cache.errors import CacheError, DecryptionError

AAD = b"outbox/payload/DEMO01-20250101-00001/key"


def test_key_file_is_created_owner_only_and_reused(key_path: Path) -> None:
    first = FieldCipher.from_key_file(key_path)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert len(key_path.read_bytes()) == KEY_BYTES
    again = FieldCipher.from_key_file(key_path)
    assert again.kid == first.kid
    assert again.decrypt(first.encrypt(b"hello", AAD), AAD) == b"hello"
    # No temp files are left next to the key.
    assert [p.name for p in key_path.parent.iterdir()] == [key_path.name]


def test_loose_key_file_is_tightened(key_path: Path) -> None:
    key_path.parent.mkdir(parents=True)
    key_path.write_bytes(FieldCipher.generate_key())
    key_path.chmod(0o644)
    FieldCipher.from_key_file(key_path)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_truncated_key_file_is_refused(key_path: Path) -> None:
    key_path.parent.mkdir(parents=True)
    key_path.write_bytes(b"short")
    key_path.chmod(0o600)
    with pytest.raises(CacheError, match="32-byte"):
        FieldCipher.from_key_file(key_path)


def test_round_trip_with_fresh_nonces(cipher: FieldCipher) -> None:
    plain = "王秀英 110105195203141223".encode()
    a, b = cipher.encrypt(plain, AAD), cipher.encrypt(plain, AAD)
    assert a != b
    assert plain not in a
    assert cipher.decrypt(a, AAD) == plain == cipher.decrypt(b, AAD)
    assert FieldCipher.key_id_of(a) == cipher.kid


def test_wrong_aad_is_refused(cipher: FieldCipher) -> None:
    sealed = cipher.encrypt(b"secret", AAD)
    with pytest.raises(DecryptionError, match="authentication"):
        cipher.decrypt(sealed, b"outbox/payload/OTHER-20250101-00002/key")


def test_tampered_bytes_are_refused(cipher: FieldCipher) -> None:
    sealed = bytearray(cipher.encrypt(b"secret", AAD))
    sealed[-1] ^= 0x01
    with pytest.raises(DecryptionError):
        cipher.decrypt(bytes(sealed), AAD)
    with pytest.raises(DecryptionError, match="format"):
        cipher.decrypt(b"\x02garbage", AAD)


def test_wrong_key_is_refused(cipher: FieldCipher) -> None:
    other = FieldCipher(FieldCipher.generate_key())
    sealed = cipher.encrypt(b"secret", AAD)
    with pytest.raises(DecryptionError, match="no key with id"):
        other.decrypt(sealed, AAD)


def test_rotation_keeps_old_values_readable(tmp_path: Path) -> None:
    old_path, new_path = tmp_path / "old.key", tmp_path / "new.key"
    old = FieldCipher.from_key_file(old_path)
    sealed_old = old.encrypt(b"from before", AAD)
    rotated = FieldCipher.from_key_file(new_path, old_key_files=[old_path])
    assert rotated.kid != old.kid
    assert rotated.decrypt(sealed_old, AAD) == b"from before"
    sealed_new = rotated.encrypt(b"after", AAD)
    assert FieldCipher.key_id_of(sealed_new) == rotated.kid
    # The old key alone cannot open what the new key sealed.
    with pytest.raises(DecryptionError):
        old.decrypt(sealed_new, AAD)


def test_keys_must_be_256_bit() -> None:
    with pytest.raises(CacheError):
        FieldCipher(b"\x00" * 16)
    with pytest.raises(CacheError):
        FieldCipher(FieldCipher.generate_key(), [b"\x00" * 8])
