"""The hall over real loopback HTTP: catalog, keys, idempotent submissions, decisions, progress."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from hall.embedded import EmbeddedHall
from hall.schema import (
    CATALOG_PATH,
    HEALTH_PATH,
    IDEMPOTENCY_HEADER,
    KEYS_PATH,
    PROGRESS_PATH,
    SUBMISSION_PATH,
    SUBMISSIONS_PATH,
    CaseProgressPublic,
    CatalogPublic,
    ErrorPublic,
    KeysPublic,
    SubmissionCreate,
    SubmissionPublic,
    verify_certificate_qr,
)
from hall.service import Claim, HallService
from offline_cache.identity import SignedAuth, TerminalIdentity
from tests.fixtures.hall import (
    HallUnderTest,
    demo_applicant,
    demo_person,
    hall_settings,
    make_submission,
    new_idempotency_key,
)

TIMEOUT = 10


@pytest.fixture
def hall_server(hall_server_each_db: HallUnderTest) -> HallUnderTest:
    """The hall's API tests run on SQLite and on PostgreSQL."""
    return hall_server_each_db


@pytest.fixture
def http(terminal_identity: TerminalIdentity) -> Iterator[requests.Session]:
    """A session that signs as the enrolled terminal ``kiosk-001``."""
    session = requests.Session()
    session.auth = SignedAuth(terminal_identity)
    yield session
    session.close()


def post(
    http: requests.Session, hall: EmbeddedHall, submission: SubmissionCreate, key: str | None
) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers[IDEMPOTENCY_HEADER] = key
    return http.post(
        hall.base_url + SUBMISSIONS_PATH,
        data=submission.model_dump_json(),
        headers=headers,
        timeout=TIMEOUT,
    )


def submit(
    http: requests.Session, hall: EmbeddedHall, item_id: str, name: str
) -> tuple[SubmissionCreate, SubmissionPublic]:
    submission = make_submission(item_id, demo_applicant(name))
    response = post(http, hall, submission, new_idempotency_key())
    assert response.status_code == 201, response.text
    return submission, SubmissionPublic.model_validate(response.json())


def error_of(response: requests.Response) -> ErrorPublic:
    assert response.headers["content-type"].startswith("application/json")
    return ErrorPublic.model_validate(response.json())


def test_health_catalog_and_keys(hall_server: HallUnderTest, http: requests.Session) -> None:
    assert http.get(hall_server.base_url + HEALTH_PATH, timeout=TIMEOUT).status_code == 200
    catalog = CatalogPublic.model_validate(
        http.get(hall_server.base_url + CATALOG_PATH, timeout=TIMEOUT).json()
    )
    assert {"si-insured-certificate", "elder-card", "sole-proprietor-registration"} <= {
        item.id for item in catalog.items
    }
    assert catalog.item("elder-card").instant
    keys = KeysPublic.model_validate(
        http.get(hall_server.base_url + KEYS_PATH, timeout=TIMEOUT).json()
    )
    served = {key.kid: base64.b64decode(key.public_key_b64) for key in keys.keys}
    assert served == hall_server.public_keys()


@pytest.mark.parametrize("item_id", ["si-insured-certificate", "elder-card"])
def test_wang_xiuying_is_approved_with_a_verifiable_certificate(
    hall_server: HallUnderTest, http: requests.Session, item_id: str
) -> None:
    submission, answer = submit(http, hall_server, item_id, "王秀英")
    assert answer.case_number == submission.case_number
    assert answer.status == "approved"
    assert answer.decision is not None
    assert answer.decision.outcome == "approved"
    certificate = answer.certificate
    assert certificate is not None
    assert certificate.holder_name == "王秀英"
    assert certificate.holder_id_masked == "110105********1221"
    check = verify_certificate_qr(
        certificate.qr_payload, hall_server.public_keys(), dt.date.today()
    )
    assert check.status == "genuine"
    assert check.claims is not None
    assert check.claims.case == submission.case_number
    assert check.claims.cid == certificate.certificate_id
    stored = http.get(
        hall_server.base_url + SUBMISSION_PATH.format(case_number=submission.case_number),
        timeout=TIMEOUT,
    )
    assert stored.status_code == 200
    assert SubmissionPublic.model_validate(stored.json()) == answer


def test_li_jianguo_is_refused_the_elder_card_with_a_reason(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    _, answer = submit(http, hall_server, "elder-card", "李建国")
    assert answer.status == "refused"
    assert answer.certificate is None
    assert answer.decision is not None
    assert answer.decision.reason_code == "under_age"
    assert answer.decision.reason is not None
    assert answer.decision.reason.zh.startswith("申请人未满60周岁（当前")
    assert "under 60" in answer.decision.reason.en


def test_chen_meiling_is_refused_the_insurance_certificate(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    _, answer = submit(http, hall_server, "si-insured-certificate", "陈美玲")
    assert answer.status == "refused"
    assert answer.certificate is None
    assert answer.decision is not None
    assert answer.decision.reason_code == "no_insurance_record"
    assert answer.decision.reason is not None
    assert answer.decision.reason.zh
    assert answer.decision.reason.en


def test_replay_returns_the_same_case_and_stores_one_row(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    submission = make_submission("si-insured-certificate", demo_applicant("赵德明"))
    key = new_idempotency_key()
    first = post(http, hall_server, submission, key)
    second = post(http, hall_server, submission, key)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == first.json()
    assert hall_server.count_submissions(case_number=submission.case_number) == 1
    assert hall_server.count_submissions(idempotency_key=key) == 1


def test_concurrent_duplicates_make_one_case(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    submission = make_submission("elder-card", demo_applicant("赵德明"))
    key = new_idempotency_key()
    statuses: list[int] = []
    lock = threading.Lock()
    gate = threading.Barrier(6)

    def send() -> None:
        with requests.Session() as own:
            own.auth = http.auth
            gate.wait(timeout=TIMEOUT)
            status = post(own, hall_server, submission, key).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert len(statuses) == 6
    assert statuses.count(201) == 1
    assert set(statuses) <= {200, 201, 409}
    assert hall_server.count_submissions(idempotency_key=key) == 1
    final = post(http, hall_server, submission, key)
    assert final.status_code == 200
    assert final.json()["certificate"]["certificate_id"].startswith("YD")


def test_same_key_with_other_payload_is_422(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    key = new_idempotency_key()
    submission = make_submission("elder-card", demo_applicant("王秀英"))
    assert post(http, hall_server, submission, key).status_code == 201
    changed = submission.model_copy(update={"form": {"note": "changed"}})
    response = post(http, hall_server, changed, key)
    assert response.status_code == 422
    assert error_of(response).code == "idempotency_key_reused"
    assert hall_server.count_submissions(idempotency_key=key) == 1


def test_same_case_number_under_another_key_is_409(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    submission = make_submission("elder-card", demo_applicant("王秀英"))
    assert post(http, hall_server, submission, new_idempotency_key()).status_code == 201
    response = post(http, hall_server, submission, new_idempotency_key())
    assert response.status_code == 409
    assert error_of(response).code == "case_number_conflict"


def test_request_still_in_progress_is_409(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    # A first request has stored the case and is still deciding it: claim it the way the hall
    # does, through a second service on the same database.
    submission = make_submission("si-insured-certificate", demo_applicant("李建国"))
    key = new_idempotency_key()
    db = hall_server.database()
    try:
        first = HallService(
            db,
            hall_server.app.state.service.catalog,
            hall_server.app.state.service.key,
            timezone=hall_server.app.state.service.timezone,
            sealer=hall_server.app.state.service.sealer,
        )
        claim = first.claim(submission, key)
        assert isinstance(claim, Claim)
        response = post(http, hall_server, submission, key)
        assert response.status_code == 409
        assert error_of(response).code == "in_progress"
        first.process(claim)
    finally:
        db.dispose()
    done = post(http, hall_server, submission, key)
    assert done.status_code == 200
    assert done.json()["status"] == "approved"


def test_missing_header_unknown_item_and_bad_body_are_error_json(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    submission = make_submission("elder-card", demo_applicant("王秀英"))
    missing = post(http, hall_server, submission, None)
    assert missing.status_code == 400
    assert error_of(missing).code == "idempotency_key_required"
    assert hall_server.count_submissions(case_number=submission.case_number) == 0

    unknown = post(
        http, hall_server, make_submission("no-such-item", demo_applicant("王秀英")), "k-unknown"
    )
    assert unknown.status_code == 422
    assert error_of(unknown).code == "unknown_item"

    body: dict[str, Any] = submission.model_dump(mode="json")
    body["case_number"] = "not a case number"
    invalid = http.post(
        hall_server.base_url + SUBMISSIONS_PATH,
        json=body,
        headers={IDEMPOTENCY_HEADER: "k-invalid"},
        timeout=TIMEOUT,
    )
    assert invalid.status_code == 422
    error = error_of(invalid)
    assert error.code == "invalid_request"
    assert "case_number" in error.message
    assert "王秀英" not in invalid.text

    not_found = http.get(
        hall_server.base_url + SUBMISSION_PATH.format(case_number="K001-20261122-99999"),
        timeout=TIMEOUT,
    )
    assert not_found.status_code == 404
    assert error_of(not_found).code == "case_not_found"
    no_route = http.get(hall_server.base_url + "/api/v1/nothing-here", timeout=TIMEOUT)
    assert no_route.status_code == 404
    assert error_of(no_route).code == "not_found"


def test_progress_of_instant_and_standard_cases(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    instant, _ = submit(http, hall_server, "elder-card", "王秀英")
    standard, accepted = submit(http, hall_server, "sole-proprietor-registration", "李建国")
    assert accepted.status == "accepted"
    assert accepted.decision is None

    def progress(case_number: str) -> CaseProgressPublic:
        response = http.get(
            hall_server.base_url + PROGRESS_PATH.format(case_number=case_number),
            timeout=TIMEOUT,
        )
        assert response.status_code == 200
        return CaseProgressPublic.model_validate(response.json())

    done = progress(instant.case_number)
    assert done.status == "approved"
    assert [stage.code for stage in done.stages] == [
        "received",
        "review",
        "decision",
        "certificate",
        "done",
    ]
    for stage in done.stages:
        assert stage.started_at is not None
        assert stage.finished_at is not None
        assert stage.seconds is not None
        assert stage.seconds >= 0

    open_case = progress(standard.case_number)
    assert open_case.status == "accepted"
    assert open_case.item_name.zh == "个体工商户设立登记"
    assert open_case.promised_days == 1
    stages = {stage.code: stage for stage in open_case.stages}
    assert stages["received"].finished_at is not None
    review = stages["review"]
    assert review.name.zh == "审查"
    assert review.started_at is not None
    assert review.finished_at is None
    assert review.seconds is not None
    assert review.seconds >= 0
    later = progress(standard.case_number)
    later_review = next(stage for stage in later.stages if stage.code == "review")
    assert later_review.seconds is not None
    assert later_review.seconds >= review.seconds


def test_stop_and_restart_on_the_same_port_keeps_data(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    submission, answer = submit(http, hall_server, "elder-card", "赵德明")
    port = hall_server.port
    began = time.monotonic()
    hall_server.stop()
    assert time.monotonic() - began < 2.0
    assert not hall_server.running
    http.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(hall_server.base_url + HEALTH_PATH, timeout=TIMEOUT)
    hall_server.start()
    assert hall_server.port == port
    again = requests.get(
        hall_server.base_url + SUBMISSION_PATH.format(case_number=submission.case_number),
        timeout=TIMEOUT,
        auth=http.auth,
    )
    assert again.status_code == 200
    assert SubmissionPublic.model_validate(again.json()) == answer
    assert hall_server.count_submissions(case_number=submission.case_number) == 1


def test_no_personal_data_in_log_lines(
    hall_server: HallUnderTest, http: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    person = demo_person("王秀英").resident
    submission, _ = submit(http, hall_server, "si-insured-certificate", "王秀英")
    submit(http, hall_server, "elder-card", "李建国")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert submission.case_number in text
    for secret in (person.name, person.id_number, person.household_address, "李建国"):
        assert secret not in text


def test_embedded_hall_context_manager_with_port_zero(tmp_path: Path) -> None:
    settings = hall_settings(tmp_path, seed_demo_data=False)
    with EmbeddedHall(settings) as hall:
        assert hall.port != 0
        assert hall.base_url == f"http://127.0.0.1:{hall.port}"
        assert requests.get(hall.base_url + HEALTH_PATH, timeout=TIMEOUT).status_code == 200
    assert not hall.running


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_python_m_hall_serve_runs_until_interrupted(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "HALL_DATA_DIR": str(tmp_path)}
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate = subprocess.run(
        [sys.executable, "-m", "hall", "migrate", "--database", database],
        env=env,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert migrate.returncode == 0, migrate.stderr.decode()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hall",
            "serve",
            "--port",
            str(port),
            "--database",
            database,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        healthy = False
        while time.monotonic() < deadline and process.poll() is None:
            try:
                healthy = (
                    requests.get(f"http://127.0.0.1:{port}{HEALTH_PATH}", timeout=1).status_code
                    == 200
                )
            except requests.ConnectionError:
                healthy = False
            if healthy:
                break
            threading.Event().wait(0.05)
        assert healthy
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert (tmp_path / "signing-key.pem").exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        if process.stderr is not None:
            process.stderr.close()


# --- Catalog ETag, heartbeats and the dashboard's terminal list ---------------------------------


def test_an_unchanged_catalog_costs_a_bodiless_304(
    hall_server: HallUnderTest, http: requests.Session
) -> None:
    first = http.get(hall_server.base_url + CATALOG_PATH, timeout=TIMEOUT)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    version = CatalogPublic.model_validate(first.json()).version
    assert etag == f'"{version}"'
    again = http.get(
        hall_server.base_url + CATALOG_PATH, headers={"If-None-Match": etag}, timeout=TIMEOUT
    )
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", etag)
    other = http.get(
        hall_server.base_url + CATALOG_PATH,
        headers={"If-None-Match": '"older-version"'},
        timeout=TIMEOUT,
    )
    assert (
        other.status_code == 200 and CatalogPublic.model_validate(other.json()).version == version
    )


def heartbeat_body(kiosk_id: str, depth: int, **extra: Any) -> dict[str, Any]:
    return {
        "kiosk_id": kiosk_id,
        "sent_at": dt.datetime.now(dt.UTC).isoformat(),
        "app_version": "0.1.0",
        "outbox_depth": depth,
        **extra,
    }


def as_terminal(hall: HallUnderTest, tmp_path: Path, kiosk_id: str) -> SignedAuth:
    """Enrol another terminal and return the auth that signs as it."""
    return SignedAuth(hall.enrol(tmp_path / kiosk_id, kiosk_id))


def test_heartbeats_keep_the_latest_per_terminal(
    hall_server: HallUnderTest, http: requests.Session, tmp_path: Path
) -> None:
    from hall.schema import HEARTBEATS_PATH, TERMINALS_PATH, HeartbeatPublic, TerminalsPublic

    url = hall_server.base_url + HEARTBEATS_PATH
    k1, k2 = as_terminal(hall_server, tmp_path, "K001"), as_terminal(hall_server, tmp_path, "K002")
    before = dt.datetime.now(dt.UTC)
    answer = http.post(url, json=heartbeat_body("K001", 3), timeout=TIMEOUT, auth=k1)
    assert answer.status_code == 200, answer.text
    public = HeartbeatPublic.model_validate(answer.json())
    assert public.kiosk_id == "K001" and public.server_time >= before - dt.timedelta(seconds=1)
    http.post(url, json=heartbeat_body("K002", 0), timeout=TIMEOUT, auth=k2).raise_for_status()
    http.post(url, json=heartbeat_body("K001", 1, store_full=True), timeout=TIMEOUT, auth=k1)
    listed = TerminalsPublic.model_validate(
        http.get(hall_server.base_url + TERMINALS_PATH, timeout=TIMEOUT).json()
    )
    assert [t.kiosk_id for t in listed.terminals] == ["K001", "K002"]
    latest = listed.terminals[0].heartbeat
    assert (latest.outbox_depth, latest.store_full) == (1, True)


def test_an_oversized_or_malformed_heartbeat_is_refused(
    hall_server: HallUnderTest, http: requests.Session, tmp_path: Path
) -> None:
    from hall.schema import HEARTBEAT_MAX_BYTES, HEARTBEATS_PATH, TERMINALS_PATH

    url = hall_server.base_url + HEARTBEATS_PATH
    http.auth = as_terminal(hall_server, tmp_path, "K001")
    big = heartbeat_body("K001", 0, detail="x" * HEARTBEAT_MAX_BYTES)
    refused = http.post(url, json=big, timeout=TIMEOUT)
    assert refused.status_code == 413 and error_of(refused).code == "heartbeat_too_large"
    bad = http.post(url, json={"kiosk_id": "K001"}, timeout=TIMEOUT)
    assert bad.status_code == 422 and error_of(bad).code == "invalid_request"
    assert http.get(hall_server.base_url + TERMINALS_PATH, timeout=TIMEOUT).json() == {
        "terminals": []
    }
