"""The hall refuses what it cannot stand behind, over real loopback HTTP.

Impossible fields, names that are not the register's, expired cards, and materials whose bytes
are not what they declare.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from hall.schema import IDEMPOTENCY_HEADER, SUBMISSIONS_PATH, ErrorPublic, SubmissionPublic
from offline_cache.identity import SignedAuth, TerminalIdentity
from tests.fixtures.hall import (
    HallUnderTest,
    demo_applicant,
    make_submission,
    new_idempotency_key,
)

TIMEOUT = 10
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4


@pytest.fixture
def http(terminal_identity: TerminalIdentity) -> Iterator[requests.Session]:
    """A session that signs as the enrolled terminal ``kiosk-001`` (the submissions' terminal)."""
    session = requests.Session()
    session.auth = SignedAuth(terminal_identity)
    yield session
    session.close()


def _body(item_id: str = "elder-card", **applicant: Any) -> dict[str, Any]:
    body = make_submission(item_id, demo_applicant("王秀英")).model_dump(mode="json")
    assert body["applicant"] is not None
    body["applicant"].update(applicant)
    return body


def _post(http: requests.Session, hall: HallUnderTest, body: dict[str, Any]) -> requests.Response:
    return http.post(
        hall.base_url + SUBMISSIONS_PATH,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", IDEMPOTENCY_HEADER: new_idempotency_key()},
        timeout=TIMEOUT,
    )


def _refused_422(response: requests.Response, code: str, hall: HallUnderTest, case: str) -> None:
    assert response.status_code == 422, response.text
    assert ErrorPublic.model_validate(response.json()).code == code
    assert hall.count_submissions(case_number=case) == 0


@pytest.mark.parametrize(
    "applicant",
    [
        {"id_number": "1"},
        {"id_number": "1" * 10_000},
        {"name": ""},
        {"valid_to": "garbage"},
        {"gender": "unknown"},
    ],
    ids=["id-1", "id-10000", "empty-name", "valid-to-garbage", "gender"],
)
def test_impossible_applicants_are_refused_422(
    hall_server: HallUnderTest, http: requests.Session, applicant: dict[str, Any]
) -> None:
    body = _body(**applicant)
    response = _post(http, hall_server, body)
    _refused_422(response, "invalid_request", hall_server, body["case_number"])
    # Nothing of the input is echoed back.
    assert "王秀英" not in response.text


def test_a_ten_thousand_character_kiosk_id_is_refused(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    body = _body()
    body["kiosk_id"] = "k" * 10_000
    _refused_422(
        _post(http, hall_server, body), "invalid_request", hall_server, body["case_number"]
    )


@pytest.mark.parametrize(
    ("item_id", "applicant", "reason_code"),
    [
        ("si-insured-certificate", {"name": "张三"}, "identity_mismatch"),
        ("elder-card", {"id_number": "11010519520314131X"}, "not_on_register"),
        (
            "elder-card",
            {"valid_to": (dt.date.today() - dt.timedelta(days=2)).isoformat()},
            "card_expired",
        ),
    ],
    ids=["name-not-the-registers", "unknown-id-number", "expired-card"],
)
def test_nothing_is_signed_for_an_applicant_the_register_does_not_bear_out(
    hall_server: HallUnderTest,
    http: requests.Session,
    item_id: str,
    applicant: dict[str, Any],
    reason_code: str,
) -> None:
    response = _post(http, hall_server, _body(item_id, **applicant))
    assert response.status_code == 201, response.text
    answer = SubmissionPublic.model_validate(response.json())
    assert answer.status == "refused"
    assert answer.certificate is None
    assert answer.decision is not None
    assert answer.decision.reason_code == reason_code
    assert answer.decision.reason is not None
    assert answer.decision.reason.zh
    assert answer.decision.reason.en


def _material(data: bytes, **overrides: str) -> dict[str, str]:
    material = {
        "material_id": "lease-contract",
        "content_type": "image/jpeg",
        "data_b64": base64.b64encode(data).decode(),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    material.update(overrides)
    return material


@pytest.mark.parametrize(
    ("material", "code"),
    [
        (_material(JPEG, data_b64="not base64!!"), "material_not_base64"),
        (_material(JPEG, sha256=hashlib.sha256(b"other").hexdigest()), "material_digest_mismatch"),
        (_material(b"GIF89a" + JPEG), "material_type_invalid"),
        (_material(JPEG, content_type="application/pdf"), "material_type_invalid"),
    ],
    ids=["bad-base64", "digest", "bytes-not-jpeg", "type"],
)
def test_materials_that_are_not_what_they_declare_are_refused(
    hall_server: HallUnderTest, http: requests.Session, material: dict[str, str], code: str
) -> None:
    body = make_submission("sole-proprietor-registration", None).model_dump(mode="json")
    body["materials"] = [material]
    _refused_422(_post(http, hall_server, body), code, hall_server, body["case_number"])


def test_a_sound_material_is_accepted(hall_server: HallUnderTest, http: requests.Session) -> None:
    body = make_submission("sole-proprietor-registration", None).model_dump(mode="json")
    body["materials"] = [_material(JPEG)]
    response = _post(http, hall_server, body)
    assert response.status_code == 201, response.text
