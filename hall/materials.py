"""Checking a submission's materials before the hall stores them: base64, digest, image type.

The checks run before the case is claimed, outside any database transaction: decoding 20 MB of
base64 must not hold the database's write lock. Errors name the material's id, never its content.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable

from hall.errors import (
    MaterialDigestMismatchError,
    MaterialNotBase64Error,
    MaterialTypeInvalidError,
)
from hall.rules import MATERIAL_CONTENT_TYPES
from hall.schema import MaterialCreate

_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
"""The first bytes of each accepted type (JPEG SOI and a marker; the PNG signature)."""

assert set(_MAGIC) == set(MATERIAL_CONTENT_TYPES)


def check_material(material: MaterialCreate) -> bytes:
    """Return a material's bytes once they decode, hash to ``sha256`` and are its declared type.

    Raises ``MaterialTypeInvalidError``, ``MaterialNotBase64Error`` or
    ``MaterialDigestMismatchError`` (all 422).
    """
    signatures = _MAGIC.get(material.content_type)
    if signatures is None:
        raise MaterialTypeInvalidError(
            f"material {material.material_id!r}: content type must be one of "
            + ", ".join(MATERIAL_CONTENT_TYPES)
        )
    try:
        data = base64.b64decode(material.data_b64, validate=True)
    except (binascii.Error, ValueError):
        raise MaterialNotBase64Error(
            f"material {material.material_id!r}: data_b64 is not standard base64"
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    if not hmac.compare_digest(digest, material.sha256):
        raise MaterialDigestMismatchError(
            f"material {material.material_id!r}: bytes do not match the declared sha256"
        )
    if not data.startswith(signatures):
        raise MaterialTypeInvalidError(
            f"material {material.material_id!r}: bytes are not {material.content_type}"
        )
    return data


def check_materials(materials: Iterable[MaterialCreate]) -> None:
    """Check every material of a submission (``check_material``); the first failure raises."""
    for material in materials:
        check_material(material)
