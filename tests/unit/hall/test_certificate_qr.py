"""The certificate QR format, version 2: a URL of the public page signing every printed value.

Any edit of any printed value fails the check, a forged signature fails, a version 1 code is
recognised and answered "outdated", a newer version "unsupported", and no input makes the check
raise.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import zlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets import load_catalog
from hall.certificates import (
    TEMPLATES,
    SigningKey,
    format_certificate_id,
    issue_certificate,
)
from hall.schema import (
    CERT_QR_PREFIX,
    CERTIFICATE_LABELS_EN,
    CertificateClaims,
    CertificatePublic,
    canonical_json,
    case_number_from_qr,
    certificate_rows,
    encode_certificate_qr,
    is_certificate_qr,
    progress_url,
    read_certificate_claims,
    verify_certificate_qr,
)
from hall.seed import DEMO_PEOPLE
from tests.fixtures.hall import demo_applicant

CATALOG = load_catalog()
TODAY = dt.date(2026, 11, 22)
ISSUED_AT = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
BASE = "https://zwfw.example.gov.cn"
KEY = SigningKey.generate()
KEYS = {KEY.kid: KEY.public_key_raw}


def _issue(item_id: str = "si-insured-certificate", name: str = "李建国") -> CertificatePublic:
    person = next(p for p in DEMO_PEOPLE if p.resident.name == name)
    return issue_certificate(
        certificate_id=format_certificate_id("SB", TODAY, 7),
        case_number="K001-20261122-00007",
        item=CATALOG.item(item_id),
        applicant=demo_applicant(name),
        insurance=person.insurance,
        issued_at=ISSUED_AT,
        today=TODAY,
        key=KEY,
        base_url=BASE,
    )


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _edit(payload: str, change: object) -> str:
    """The payload with its claims JSON changed by ``change(dict)`` and the signature kept."""
    split = urlsplit(payload)
    query = dict(parse_qsl(split.query))
    claims = json.loads(zlib.decompress(_unb64(query["c"]), -15))
    change(claims)  # type: ignore[operator]
    query["c"] = _b64(_deflate(canonical_json(claims)))
    return urlunsplit(split._replace(query=urlencode(query)))


def test_the_code_is_a_url_of_the_public_page_with_every_printed_value() -> None:
    cert = _issue()
    assert cert.qr_payload.startswith(f"{BASE}/verify?v=2&c=")
    check = verify_certificate_qr(cert.qr_payload, KEYS, TODAY)
    assert check.status == "genuine"
    claims = check.claims
    assert claims is not None
    assert claims.ttl == cert.title.zh
    assert claims.iss == cert.issuer.zh
    assert [(f.label.zh, f.value) for f in cert.fields] == list(claims.f)
    assert ("累计缴费月数", "160") in claims.f
    assert read_certificate_claims(cert.qr_payload) == claims
    # Only the masked number travels: the full one is in no part of the code.
    full = demo_applicant("李建国").id_number
    assert full not in json.dumps(claims.model_dump(mode="json"), ensure_ascii=False)


@pytest.mark.parametrize("row", range(8))
def test_an_edit_of_any_printed_row_fails(row: int) -> None:
    cert = _issue()

    def change(claims: dict[str, list[list[str]]]) -> None:
        claims["f"][row][1] = claims["f"][row][1] + "1"

    assert verify_certificate_qr(_edit(cert.qr_payload, change), KEYS, TODAY).status == "tampered"


def test_321_months_paid_does_not_check_as_genuine() -> None:
    cert = _issue()

    def change(claims: dict[str, list[list[str]]]) -> None:
        claims["f"] = [[label, "321" if label == "累计缴费月数" else v] for label, v in claims["f"]]

    check = verify_certificate_qr(_edit(cert.qr_payload, change), KEYS, TODAY)
    assert check.status == "tampered"
    assert check.claims is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ttl", "老年人优待证"),
        ("iss", "市公安局"),
        ("cid", "SB2026112200008"),
        ("case", "K001-20261122-00008"),
        ("iat", "2026-11-23"),
        ("exp", "2099-01-01"),
        ("idm", "110108********3013"),
        ("name", "李建军"),
    ],
)
def test_an_edit_of_the_title_issuer_id_or_dates_fails(name: str, value: str) -> None:
    cert = _issue()

    def change(claims: dict[str, object]) -> None:
        claims[name] = value

    assert verify_certificate_qr(_edit(cert.qr_payload, change), KEYS, TODAY).status == "tampered"


@settings(max_examples=60, deadline=None)
@given(row=st.integers(0, 7), text=st.text(min_size=1, max_size=30))
def test_any_replacement_of_a_value_fails(row: int, text: str) -> None:
    cert = _issue()
    original = verify_certificate_qr(cert.qr_payload, KEYS, TODAY).claims
    assert original is not None
    if original.f[row][1] == text:
        return

    def change(claims: dict[str, list[list[str]]]) -> None:
        claims["f"][row][1] = text

    assert verify_certificate_qr(_edit(cert.qr_payload, change), KEYS, TODAY).status in (
        "tampered",
        "malformed",  # e.g. a value with a NUL the claims model refuses
    )


def test_a_forged_signature_under_the_halls_key_id_fails() -> None:
    impostor = SigningKey.generate()
    claims = verify_certificate_qr(_issue().qr_payload, KEYS, TODAY).claims
    assert claims is not None
    forged = claims.model_copy(update={"f": (*claims.f[:-2], ("参保状态", "正常参保"))})
    payload = encode_certificate_qr(forged, impostor.sign, base_url=BASE)
    assert verify_certificate_qr(payload, KEYS, TODAY).status == "tampered"


def test_any_host_is_checked_by_the_key_not_the_address() -> None:
    payload = _issue().qr_payload.replace(BASE, "http://10.0.0.5:8765")
    assert verify_certificate_qr(payload, KEYS, TODAY).status == "genuine"


def test_expired_and_unknown_key() -> None:
    payload = _issue().qr_payload
    assert verify_certificate_qr(payload, KEYS, TODAY + dt.timedelta(days=91)).status == "expired"
    unknown = verify_certificate_qr(payload, {}, TODAY)
    assert unknown.status == "unknown_key"


def _v1(claims: dict[str, object], key: SigningKey) -> str:
    body = canonical_json(claims)
    return f"{CERT_QR_PREFIX}.{_b64(body)}.{_b64(key.sign(body))}"


V1_CLAIMS: dict[str, object] = {
    "v": 1,
    "kid": KEY.kid,
    "cid": "SB2026112000001",
    "case": "K001-20261120-00001",
    "item": "si-insured-certificate",
    "name": "王秀英",
    "idm": "110105********1221",
    "iat": "2026-11-20",
    "exp": "2027-02-18",
}


def test_an_old_format_code_is_recognised_as_outdated_never_genuine() -> None:
    payload = _v1(V1_CLAIMS, KEY)
    assert is_certificate_qr(payload)
    check = verify_certificate_qr(payload, KEYS, TODAY)
    assert check.status == "outdated"
    assert check.claims is not None and check.claims.cid == "SB2026112000001"
    assert check.claims.f == ()


def test_an_old_format_code_with_a_bad_signature_is_tampered() -> None:
    payload = _v1(V1_CLAIMS, SigningKey.generate())
    assert verify_certificate_qr(payload, KEYS, TODAY).status == "tampered"
    assert verify_certificate_qr("ZWCERT1.abc", KEYS, TODAY).status == "malformed"


def test_a_newer_version_is_unsupported_and_broken_urls_are_malformed() -> None:
    payload = _issue().qr_payload
    assert verify_certificate_qr(payload.replace("v=2", "v=3"), KEYS, TODAY).status == (
        "unsupported"
    )
    for broken in (
        payload.replace("v=2", "v=1"),
        payload.split("&s=")[0],
        payload + "&s=AAAA",  # a repeated parameter is never a choice
        payload.replace("&c=", "&c=%21"),
        f"{BASE}/verify?v=2&c=&s=",
        f"{BASE}/verify",
    ):
        assert verify_certificate_qr(broken, KEYS, TODAY).status == "malformed", broken


def test_a_deflate_bomb_is_refused() -> None:
    bomb = _b64(_deflate(b"{" + b" " * 10_000_000))
    payload = f"{BASE}/verify?v=2&c={bomb}&s=AAAA"
    assert verify_certificate_qr(payload, KEYS, TODAY).status == "malformed"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_no_input_makes_the_check_raise(text: str) -> None:
    for payload in (text, f"{BASE}/verify?{text}", f"{BASE}/verify?v=2&c={text}&s={text}"):
        check = verify_certificate_qr(payload, KEYS, TODAY)
        assert check.status in ("malformed", "unsupported", "tampered", "unknown_key")


def test_receipt_urls_and_bare_case_numbers_name_a_case() -> None:
    url = progress_url(BASE + "/", "K001-20261122-00007")
    assert url == f"{BASE}/verify?case=K001-20261122-00007"
    assert case_number_from_qr(url) == "K001-20261122-00007"
    assert case_number_from_qr("K001-20261122-00007") == "K001-20261122-00007"
    assert not is_certificate_qr(url)
    assert case_number_from_qr(f"{BASE}/verify?case=<script>") is None
    assert case_number_from_qr(url + "&case=K001-20261122-00008") is None
    assert case_number_from_qr("ftp://x/verify?case=K001-20261122-00007") is None
    assert is_certificate_qr(_issue().qr_payload)
    assert not is_certificate_qr("https://example.com/pay?id=1")


def test_rows_as_shown_mask_the_name_and_any_full_id_number() -> None:
    claims = CertificateClaims(
        kid="k",
        cid="c",
        case="K001-20261122-00007",
        item="elder-card",
        name="王秀英",
        idm="110105********1221",
        iat=TODAY,
        f=(("姓名", "王秀英"), ("证件号码", "110105195203141221"), ("新字段", "x")),
    )
    assert certificate_rows(claims) == [
        ("姓名", "Name", "王*英"),
        ("证件号码", "ID number", "110105********1221"),
        ("新字段", "新字段", "x"),
    ]


def test_every_template_label_has_its_english_in_the_wire_vocabulary() -> None:
    for item_id, name in (("si-insured-certificate", "李建国"), ("elder-card", "王秀英")):
        cert = _issue(item_id, name)
        for field in cert.fields:
            assert CERTIFICATE_LABELS_EN[field.label.zh] == field.label.en
    assert set(TEMPLATES) == {"si-insured", "elder-card"}  # a new template: extend this test


def test_the_code_stays_small_enough_for_a_phone() -> None:
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(_issue().qr_payload.encode())
    code.make(fit=True)
    # Version 22 is 105 modules: 0.48 mm each in the certificate's 50 mm square.
    assert code.version <= 22
