"""Collecting documents approved elsewhere: the hall's routes through the terminal's signed client.

Runs on SQLite and PostgreSQL (``hall_server_each_db``); the demo register is seeded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from hall.collect import REPRINT_LIMIT, DocumentCollection
from hall.collect_schema import COLLECT_QUERY_PATH, enterprise_from_qr
from hall.schema import verify_certificate_qr
from offline_cache.collect import CollectClient
from offline_cache.errors import HallRejectedError
from offline_cache.hall_client import HallClient
from tests.fixtures.hall import (
    HallUnderTest,
    demo_applicant,
    make_submission,
    new_idempotency_key,
)

ELDER = "110105195203141221"
ADULT = "110108199008213012"
UNINSURED = "440306198511074021"


@pytest.fixture
def hall(hall_server_each_db: HallUnderTest) -> HallUnderTest:
    """The collect tests run on SQLite and on PostgreSQL."""
    return hall_server_each_db


@pytest.fixture
def collect(hall: HallUnderTest, tmp_path: Path) -> Iterator[CollectClient]:
    """The collect client of enrolled terminal ``kiosk-001``."""
    identity = hall.enrol(tmp_path / "terminal")
    client = HallClient(hall.base_url, identity=identity)
    yield CollectClient(client, "kiosk-001")
    client.close()


def test_a_certificate_approved_at_a_window_is_listed_collected_once_then_reprinted(
    hall: HallUnderTest, collect: CollectClient
) -> None:
    ready = collect.ready(ELDER, "certificates")
    titles = {d.title.zh: d for d in ready.documents}
    assert set(titles) == {"不动产权证书", "异地就医备案凭证"}
    deed = titles["不动产权证书"]
    assert not deed.collected and deed.reprints_left == REPRINT_LIMIT

    first = collect.collect(deed.document_id, ELDER)
    assert not first.reprint
    check = verify_certificate_qr(first.certificate.qr_payload, hall.public_keys(), dt.date.today())
    assert check.status == "genuine"
    assert check.claims is not None and check.claims.cid == deed.document_id
    assert first.certificate.holder_id_masked == "110105********1221"

    after = {d.document_id: d for d in collect.ready(ELDER, "certificates").documents}
    assert after[deed.document_id].collected

    copies = [collect.collect(deed.document_id, ELDER) for _ in range(REPRINT_LIMIT)]
    assert all(c.reprint for c in copies)
    assert [c.reprints_left for c in copies] == list(range(REPRINT_LIMIT - 1, -1, -1))
    with pytest.raises(HallRejectedError) as refused:
        collect.collect(deed.document_id, ELDER)
    assert refused.value.code == "reprints_used_up"
    db = hall.database()
    try:
        with db.read() as session:
            n = session.scalar(
                select(func.count()).where(DocumentCollection.document_id == deed.document_id)
            )
        assert n == 1 + REPRINT_LIMIT  # one collection, the reprints, nothing for the refusal
    finally:
        db.dispose()


def test_another_holder_cannot_print_someone_elses_document(collect: CollectClient) -> None:
    deed = collect.ready(ELDER, "certificates").documents[0]
    with pytest.raises(HallRejectedError) as refused:
        collect.collect(deed.document_id, ADULT)
    assert refused.value.code == "document_not_found"
    assert collect.ready(UNINSURED, "certificates").documents == []


def test_the_legal_representative_gets_the_licences_with_their_enterprise_qr(
    collect: CollectClient,
) -> None:
    ready = collect.ready(ADULT, "business_licenses")
    names = sorted(d.enterprise_name or "" for d in ready.documents)
    assert names == ["北京中关村科技有限公司", "海淀区李记家常菜馆"]
    assert collect.ready(ELDER, "business_licenses").documents == []
    licence = collect.collect(ready.documents[0].document_id, ADULT).certificate
    uscc = enterprise_from_qr(licence.qr_payload)
    assert uscc == ready.documents[0].uscc
    record = collect.enterprise(uscc)
    assert record.name == ready.documents[0].enterprise_name
    assert record.legal_representative == "李*国"


def test_a_document_expiring_within_90_days_is_pointed_out_with_its_renewal(
    collect: CollectClient,
) -> None:
    reminders = collect.ready(ELDER, "certificates").reminders
    assert [r.title.zh for r in reminders] == ["异地就医备案凭证"]
    left = (reminders[0].valid_until - dt.date.today()).days
    assert 0 <= left <= 90
    assert "续办" in reminders[0].renew_item.zh


def test_an_unsigned_or_malformed_query_is_refused(hall: HallUnderTest) -> None:
    body = {"kiosk_id": "kiosk-001", "id_number": ELDER, "purpose": "certificates"}
    unsigned = requests.post(hall.base_url + COLLECT_QUERY_PATH, json=body, timeout=5)
    assert unsigned.status_code == 401


def test_an_unknown_enterprise_is_a_clear_not_found(collect: CollectClient) -> None:
    with pytest.raises(HallRejectedError) as missing:
        collect.enterprise("91110108MA01ABCD2Y")
    assert missing.value.code == "enterprise_not_found"


def test_the_card_holders_cases_come_back_newest_first_and_nobody_elses(
    hall: HallUnderTest, collect: CollectClient
) -> None:
    client = HallClient(
        hall.base_url, identity=hall.enrol(hall.settings.data_dir / "t2", "kiosk-002")
    )
    try:
        mine = []
        for item in ("elder-card", "si-insured-certificate"):
            submission = make_submission(item, demo_applicant("王秀英"))
            submission = submission.model_copy(update={"kiosk_id": "kiosk-002"})
            client.submit(submission, new_idempotency_key())
            mine.append(submission.case_number)
        other = make_submission("si-insured-certificate", demo_applicant("李建国"))
        client.submit(other.model_copy(update={"kiosk_id": "kiosk-002"}), new_idempotency_key())
    finally:
        client.close()
    cases = collect.holder_cases(ELDER).cases
    assert sorted(c.case_number for c in cases) == sorted(mine)
    assert all(c.stages for c in cases)
    assert collect.holder_cases(UNINSURED).cases == []
