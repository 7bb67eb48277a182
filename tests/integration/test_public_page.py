"""The hall's public verification page over real HTTP: what a phone sees from a QR code.

A certificate issued by the running hall opens as a page of its signed values (masked), an
edited one fails, an old code is called old, a receipt's URL shows the case's progress and
nothing personal, and hostile input is never reflected.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from pydantic import ValidationError

from hall.schema import (
    IDEMPOTENCY_HEADER,
    SUBMISSIONS_PATH,
    CertificateClaims,
    SubmissionPublic,
    canonical_json,
    encode_certificate_qr,
)
from offline_cache.identity import SignedAuth, TerminalIdentity
from tests.fixtures.hall import (
    HallUnderTest,
    demo_applicant,
    hall_settings,
    make_submission,
    new_idempotency_key,
)

TIMEOUT = 10


@pytest.fixture
def signed(terminal_identity: TerminalIdentity) -> Iterator[requests.Session]:
    """A session that signs as the enrolled terminal ``kiosk-001``."""
    session = requests.Session()
    session.auth = SignedAuth(terminal_identity)
    yield session
    session.close()


def _approved(
    signed: requests.Session, hall: HallUnderTest, item: str, name: str
) -> SubmissionPublic:
    submission = make_submission(item, demo_applicant(name))
    response = signed.post(
        hall.base_url + SUBMISSIONS_PATH,
        data=submission.model_dump_json(),
        headers={"Content-Type": "application/json", IDEMPOTENCY_HEADER: new_idempotency_key()},
        timeout=TIMEOUT,
    )
    assert response.status_code == 201, response.text
    return SubmissionPublic.model_validate(response.json())


def _text(page: requests.Response) -> str:
    """The page's visible text, tags stripped and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page.text.split("<body>", 1)[1]))


def _edit(url: str, change: object) -> str:
    split = urlsplit(url)
    query = dict(parse_qsl(split.query))
    claims = json.loads(zlib.decompress(base64.urlsafe_b64decode(query["c"] + "=="), -15))
    change(claims)  # type: ignore[operator]
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(canonical_json(claims)) + packer.flush()
    query["c"] = base64.urlsafe_b64encode(packed).rstrip(b"=").decode()
    return split._replace(query=urlencode(query)).geturl()


def test_a_certificate_code_opens_a_page_of_its_signed_values(
    hall_server: HallUnderTest, signed: requests.Session
) -> None:
    answer = _approved(signed, hall_server, "si-insured-certificate", "李建国")
    assert answer.certificate is not None
    url = answer.certificate.qr_payload
    # The code is a URL of this hall's page (no public base set: its own address).
    assert url.startswith(f"{hall_server.base_url}/verify?v=2&")
    page = requests.get(url, timeout=TIMEOUT)  # a phone: no signature, no cookie
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"].startswith("public, max-age=")
    assert "set-cookie" not in page.headers
    assert "<script" not in page.text.lower()
    assert '<html lang="zh-CN">' in page.text
    text = _text(page)
    assert "真实有效" in text and "Genuine" in text
    for value in (
        "社会保险个人参保证明",
        answer.certificate.certificate_id,
        "区人力资源和社会保障局",
        "北京中关村科技有限公司",
        "累计缴费月数",
        "Months paid",
        "160",
        "正常参保",
        "110108********3012",
        "李*国",
    ):
        assert value in text, value
    assert demo_applicant("李建国").id_number not in page.text
    assert "李建国" not in text


def test_an_edited_value_fails_on_the_page(
    hall_server: HallUnderTest, signed: requests.Session
) -> None:
    answer = _approved(signed, hall_server, "si-insured-certificate", "李建国")
    assert answer.certificate is not None

    def months(claims: dict[str, list[list[str]]]) -> None:
        claims["f"] = [[k, "321" if k == "累计缴费月数" else v] for k, v in claims["f"]]

    page = requests.get(_edit(answer.certificate.qr_payload, months), timeout=TIMEOUT)
    assert page.status_code == 400
    text = _text(page)
    assert "核验未通过" in text and "Failed the check" in text
    assert "321" not in text and "真实有效" not in text


def test_old_newer_and_broken_codes_get_a_clear_answer(hall_server: HallUnderTest) -> None:
    base = hall_server.base_url
    newer = requests.get(f"{base}/verify?v=9&c=abc&s=def", timeout=TIMEOUT)
    assert "暂不支持的版本" in _text(newer) and "Newer format" in _text(newer)
    broken = requests.get(f"{base}/verify?v=2&c=AAAA&s=AAAA", timeout=TIMEOUT)
    assert broken.status_code == 400 and "二维码不完整" in _text(broken)
    empty = requests.get(f"{base}/verify", timeout=TIMEOUT)
    assert empty.status_code == 400 and "二维码不完整" in _text(empty)


HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.mark.parametrize(
    "query",
    [
        {"case": HOSTILE},
        {"v": HOSTILE, "c": HOSTILE, "s": HOSTILE},
        {"v": "2", "c": HOSTILE, "s": "x"},
        {HOSTILE: HOSTILE},
    ],
)
def test_hostile_input_is_never_reflected(
    hall_server: HallUnderTest, query: dict[str, str]
) -> None:
    page = requests.get(f"{hall_server.base_url}/verify", params=query, timeout=TIMEOUT)
    assert page.status_code in (400, 404)
    assert page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text.lower() and "onerror" not in page.text
    assert "alert" not in page.text


def test_a_receipt_url_shows_the_progress_and_nothing_personal(
    hall_server: HallUnderTest, signed: requests.Session
) -> None:
    answer = _approved(signed, hall_server, "elder-card", "王秀英")
    page = requests.get(
        f"{hall_server.base_url}/verify", params={"case": answer.case_number}, timeout=TIMEOUT
    )
    assert page.status_code == 200
    text = _text(page)
    assert answer.case_number in text
    assert "老年人优待证" in text and "已办结" in text and "Approved" in text
    person = demo_applicant("王秀英")
    for personal in (person.name, person.id_number, person.id_number[-4:], "王*英"):
        assert personal not in text
    unknown = requests.get(
        f"{hall_server.base_url}/verify", params={"case": "K001-20261122-99999"}, timeout=TIMEOUT
    )
    assert unknown.status_code == 404 and "暂未查到" in _text(unknown)
    assert "K001-20261122-99999" not in unknown.text


def test_the_page_takes_no_other_method(hall_server: HallUnderTest) -> None:
    response = requests.post(f"{hall_server.base_url}/verify", timeout=TIMEOUT)
    assert response.status_code in (401, 405)


def test_certificates_point_at_the_public_base_url_from_the_settings(tmp_path: Path) -> None:
    settings = hall_settings(tmp_path, public_base_url="https://zwfw.example.gov.cn/")
    assert settings.public_url() == "https://zwfw.example.gov.cn"
    with HallUnderTest(settings) as hall:
        identity = hall.enrol(tmp_path / "terminal")
        session = requests.Session()
        session.auth = SignedAuth(identity)
        try:
            answer = _approved(session, hall, "elder-card", "王秀英")
        finally:
            session.close()
        assert answer.certificate is not None
        url = answer.certificate.qr_payload
        assert url.startswith("https://zwfw.example.gov.cn/verify?v=2&c=")
        # The page of this hall checks it all the same: the key decides, not the address.
        local = url.replace("https://zwfw.example.gov.cn", hall.base_url)
        assert "真实有效" in _text(requests.get(local, timeout=TIMEOUT))


@pytest.mark.parametrize(
    "bad", ["zwfw.example.gov.cn", "https://x/verify?x=1", "ftp://x", "http://"]
)
def test_a_public_base_url_that_is_not_one_is_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValidationError, match="public_base_url"):
        hall_settings(tmp_path, public_base_url=bad)


def test_signed_values_are_escaped_too(hall_server: HallUnderTest) -> None:
    # Even what the hall's own key signed is data, never markup.
    key = hall_server.signing_key()
    claims = CertificateClaims(
        kid=key.kid,
        cid="SB2026112200009",
        case="K001-20261122-00009",
        item="si-insured-certificate",
        name="<b>王</b>秀英",
        idm="110105********1221",
        iat=dt.date.today(),
        ttl="</title><script>alert(1)</script>",
        iss='"><img src=x onerror=alert(2)>',
        f=(("参保单位", "<script>alert(3)</script>"), ("<i>标签</i>", "&amp; 1 < 2")),
    )
    url = encode_certificate_qr(claims, key.sign, base_url=hall_server.base_url)
    page = requests.get(url, timeout=TIMEOUT)
    assert page.status_code == 200
    assert "<script" not in page.text and "<img" not in page.text and "<i>" not in page.text
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page.text
    assert "&amp;amp; 1 &lt; 2" in page.text
    assert "<script>alert(3)</script>" in _text(page)  # shown as the text it is
    head = requests.head(url, timeout=TIMEOUT)
    assert head.status_code == 200 and head.content == b""
