"""Classifying scanned codes: our case numbers, signed certificates (verified offline), the rest."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hall.schema import CertificateClaims, canonical_json, encode_certificate_qr
from kiosk.services.scans import ScanKind, classify

TODAY = dt.date(2026, 3, 14)
BASE = "https://zwfw.example.gov.cn"


@pytest.fixture(scope="module")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def public_keys(signing_key: Ed25519PrivateKey) -> dict[str, bytes]:
    raw = signing_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"k2026": raw}


def _claims(*, kid: str = "k2026", exp: dt.date | None = dt.date(2031, 3, 13)) -> CertificateClaims:
    return CertificateClaims(
        kid=kid,
        cid="CERT-2026-000042",
        case="DEMO01-20260314-00003",
        item="elder-card",
        name="王秀英",
        idm="110105********1221",
        iat=dt.date(2026, 3, 14),
        exp=exp,
    )


@pytest.mark.parametrize(
    "text", ["DEMO01-20260314-00003", "  DEMO01-20260314-00003\n", "AB-20260101-99999"]
)
def test_case_numbers(text: str) -> None:
    scan = classify(text, {}, TODAY)
    assert scan.kind is ScanKind.CASE
    assert scan.text == text.strip()
    assert scan.check is None


def test_genuine_certificate(signing_key: Ed25519PrivateKey, public_keys: dict[str, bytes]) -> None:
    payload = encode_certificate_qr(_claims(), signing_key.sign, base_url=BASE)
    scan = classify(payload, public_keys, TODAY)
    assert scan.kind is ScanKind.CERTIFICATE
    assert scan.check is not None
    assert scan.check.status == "genuine"
    assert scan.check.claims == _claims()


def test_certificate_valid_on_its_last_day(
    signing_key: Ed25519PrivateKey, public_keys: dict[str, bytes]
) -> None:
    payload = encode_certificate_qr(_claims(exp=TODAY), signing_key.sign, base_url=BASE)
    check = classify(payload, public_keys, TODAY).check
    assert check is not None and check.status == "genuine"


def test_tampered_certificate(
    signing_key: Ed25519PrivateKey, public_keys: dict[str, bytes]
) -> None:
    genuine = encode_certificate_qr(_claims(), signing_key.sign, base_url=BASE)
    forged = encode_certificate_qr(
        _claims().model_copy(update={"name": "李建国"}), signing_key.sign, base_url=BASE
    )
    signature = genuine.split("&s=")[1]
    scan = classify(f"{forged.split('&s=')[0]}&s={signature}", public_keys, TODAY)
    assert scan.kind is ScanKind.CERTIFICATE
    assert scan.check is not None
    assert scan.check.status == "tampered"
    assert scan.check.claims is None


def test_signed_by_another_key_is_tampered(public_keys: dict[str, bytes]) -> None:
    impostor = Ed25519PrivateKey.generate()
    payload = encode_certificate_qr(_claims(), impostor.sign, base_url=BASE)
    check = classify(payload, public_keys, TODAY).check
    assert check is not None and check.status == "tampered"


def test_expired_certificate(signing_key: Ed25519PrivateKey, public_keys: dict[str, bytes]) -> None:
    payload = encode_certificate_qr(
        _claims(exp=TODAY - dt.timedelta(days=1)), signing_key.sign, base_url=BASE
    )
    check = classify(payload, public_keys, TODAY).check
    assert check is not None
    assert check.status == "expired"
    assert check.claims is not None and check.claims.cid == "CERT-2026-000042"


def test_receipt_url_is_its_case(public_keys: dict[str, bytes]) -> None:
    scan = classify(f"{BASE}/verify?case=DEMO01-20260314-00003", public_keys, TODAY)
    assert scan.kind is ScanKind.CASE
    assert scan.text == "DEMO01-20260314-00003"


def test_old_format_certificate_is_outdated(
    signing_key: Ed25519PrivateKey, public_keys: dict[str, bytes]
) -> None:
    body = canonical_json(_claims().model_copy(update={"v": 1}).model_dump(mode="json"))
    payload = f"ZWCERT1.{_b64(body)}.{_b64(signing_key.sign(body))}"
    check = classify(payload, public_keys, TODAY).check
    assert check is not None and check.status == "outdated"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_unknown_key(signing_key: Ed25519PrivateKey, public_keys: dict[str, bytes]) -> None:
    payload = encode_certificate_qr(_claims(kid="k2099"), signing_key.sign, base_url=BASE)
    check = classify(payload, public_keys, TODAY).check
    assert check is not None
    assert check.status == "unknown_key"


@pytest.mark.parametrize(
    "payload",
    ["ZWCERT1.", "ZWCERT1.abc", "ZWCERT1.!!!.???", "ZWCERT1.e30.AAAA", "ZWCERT1.a.b.c"],
)
def test_malformed_certificates(payload: str, public_keys: dict[str, bytes]) -> None:
    scan = classify(payload, public_keys, TODAY)
    assert scan.kind is ScanKind.CERTIFICATE
    assert scan.check is not None
    assert scan.check.status == "malformed"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://example.org/",
        "demo01-20260314-00003",
        "DEMO01-2026031-00003",
        "DEMO01-20260314-00003-1",
        "ZWCERT2.abc.def",
        f"{BASE}/pay?v=2&c=abc&s=def",
        f"{BASE}/verify?case=demo01",
        "hello ZWCERT1.abc.def",
    ],
)
def test_unknown_text(text: str, public_keys: dict[str, bytes]) -> None:
    scan = classify(text, public_keys, TODAY)
    assert scan.kind is ScanKind.UNKNOWN
    assert scan.check is None
