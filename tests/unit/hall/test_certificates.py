"""Certificates: the signing key file, the templates' fields, and QR payloads verified offline."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import stat
import zlib
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from assets import load_catalog
from hall.certificates import (
    SigningKey,
    format_certificate_id,
    issue_certificate,
    key_id,
)
from hall.errors import CertificateError, SigningKeyError
from hall.schema import CertificatePublic, mask_id_number, verify_certificate_qr
from hall.seed import DEMO_PEOPLE
from tests.fixtures.hall import demo_applicant

CATALOG = load_catalog()
TODAY = dt.date(2026, 11, 22)
ISSUED_AT = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
BASE_URL = "https://zwfw.example.gov.cn"


def issue(key: SigningKey, item_id: str, name: str) -> CertificatePublic:
    person = next(p for p in DEMO_PEOPLE if p.resident.name == name)
    return issue_certificate(
        certificate_id=format_certificate_id("SB", TODAY, 1),
        case_number="K001-20261122-00001",
        item=CATALOG.item(item_id),
        applicant=demo_applicant(name),
        insurance=person.insurance,
        issued_at=ISSUED_AT,
        today=TODAY,
        key=key,
        base_url=BASE_URL,
    )


def test_key_file_is_created_owner_only_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "signing-key.pem"
    first = SigningKey.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = SigningKey.load_or_create(path)
    assert again.kid == first.kid
    assert again.public_key_raw == first.public_key_raw
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_key_id_is_sha256_prefix_of_raw_public_key() -> None:
    key = SigningKey.generate()
    assert len(key.public_key_raw) == 32
    assert key.kid == hashlib.sha256(key.public_key_raw).hexdigest()[:16]
    assert key_id(key.public_key_raw) == key.kid
    public = key.public()
    assert public.kid == key.kid
    assert base64.b64decode(public.public_key_b64) == key.public_key_raw


def test_unreadable_key_file_raises_signing_key_error(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    path.write_text("not a key")
    with pytest.raises(SigningKeyError):
        SigningKey.load_or_create(path)


def test_mask_keeps_first_six_and_last_four() -> None:
    assert mask_id_number("110105195203141221") == "110105********1221"
    assert mask_id_number("1234567890") == "**********"


def test_certificate_id_is_readable() -> None:
    assert format_certificate_id("SB", TODAY, 1) == "SB2026112200001"
    assert format_certificate_id("YD", TODAY, 123) == "YD2026112200123"


def test_si_insured_certificate_fields() -> None:
    cert = issue(SigningKey.generate(), "si-insured-certificate", "李建国")
    labels = [field.label.zh for field in cert.fields]
    assert labels == [
        "姓名",
        "公民身份号码",
        "参保单位",
        "参保险种",
        "参保起始年月",
        "累计缴费月数",
        "参保状态",
        "有效期至",
    ]
    values = {field.label.zh: field.value for field in cert.fields}
    assert values["姓名"] == "李建国"
    assert values["公民身份号码"] == "110108********3012"
    assert values["参保单位"] == "北京中关村科技有限公司"
    assert values["参保起始年月"] == "2013-07"
    assert values["累计缴费月数"] == "160"
    assert values["参保状态"] == "正常参保"
    assert values["有效期至"] == "2027-02-20"
    assert cert.template == "si-insured"
    assert cert.holder_id_masked == "110108********3012"
    assert cert.issuer.zh == "区人力资源和社会保障局"
    assert cert.valid_until == TODAY + dt.timedelta(days=90)


def test_elder_card_fields_are_long_term() -> None:
    cert = issue(SigningKey.generate(), "elder-card", "王秀英")
    values = {field.label.zh: field.value for field in cert.fields}
    assert values == {
        "姓名": "王秀英",
        "性别": "女",
        "出生日期": "1952-03-14",
        "证件号码": "110105********1221",
        "有效期": "长期",
    }
    assert cert.valid_until is None
    assert cert.title.zh == "老年人优待证"


def test_si_insured_needs_an_insurance_record() -> None:
    with pytest.raises(CertificateError):
        issue(SigningKey.generate(), "si-insured-certificate", "陈美玲")


def test_qr_payload_verifies_with_the_public_key() -> None:
    key = SigningKey.generate()
    cert = issue(key, "elder-card", "赵德明")
    check = verify_certificate_qr(cert.qr_payload, {key.kid: key.public_key_raw}, TODAY)
    assert check.status == "genuine"
    assert check.claims is not None
    assert check.claims.kid == key.kid
    assert check.claims.cid == cert.certificate_id
    assert check.claims.case == "K001-20261122-00001"
    assert check.claims.item == "elder-card"
    assert check.claims.name == "赵德明"
    assert check.claims.idm == "310115********2530"
    assert check.claims.iat == TODAY
    assert check.claims.exp is None


def _tamper_name(payload: str, name: str) -> str:
    split = urlsplit(payload)
    query = dict(parse_qsl(split.query))
    claims = json.loads(zlib.decompress(_unb64(query["c"]), -15))
    claims["name"] = name
    raw = json.dumps(claims, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(raw) + packer.flush()
    query["c"] = base64.urlsafe_b64encode(packed).decode().rstrip("=")
    return urlunsplit(split._replace(query=urlencode(query)))


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_tampered_claims_are_detected() -> None:
    key = SigningKey.generate()
    cert = issue(key, "si-insured-certificate", "王秀英")
    forged = _tamper_name(cert.qr_payload, "李四")
    check = verify_certificate_qr(forged, {key.kid: key.public_key_raw}, TODAY)
    assert check.status == "tampered"
    assert check.claims is None


def test_other_key_or_unknown_kid_or_expiry_is_reported() -> None:
    key, other = SigningKey.generate(), SigningKey.generate()
    cert = issue(key, "si-insured-certificate", "王秀英")
    assert (
        verify_certificate_qr(cert.qr_payload, {key.kid: other.public_key_raw}, TODAY).status
        == "tampered"
    )
    assert verify_certificate_qr(cert.qr_payload, {}, TODAY).status == "unknown_key"
    late = TODAY + dt.timedelta(days=91)
    assert (
        verify_certificate_qr(cert.qr_payload, {key.kid: key.public_key_raw}, late).status
        == "expired"
    )
