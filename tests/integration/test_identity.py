"""Every terminal request is signed: a real hall over loopback refuses each kind of forgery.

The probes that used to pass (a made-up ``kiosk_id`` approved with a certificate, anyone reading
any case, anyone sending heartbeats for any terminal) are here and now get 401 or 403.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
import time
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hall import cli as hall_cli
from hall import httpsig
from hall.embedded import EmbeddedHall
from hall.identity import IdentityService
from hall.schema import (
    CATALOG_PATH,
    ENROLMENTS_PATH,
    HEALTH_PATH,
    HEARTBEATS_PATH,
    IDEMPOTENCY_HEADER,
    KEYS_PATH,
    PROGRESS_PATH,
    SUBMISSION_PATH,
    SUBMISSIONS_PATH,
    TERMINALS_PATH,
)
from kiosk import cli as kiosk_cli
from offline_cache.errors import HallRejectedError, HallUnavailableError
from offline_cache.hall_client import HallClient
from offline_cache.identity import KEY_FILE, SignedAuth, TerminalIdentity, enrol, load_identity
from tests.fixtures.hall import (
    HallUnderTest,
    demo_applicant,
    hall_settings,
    make_submission,
    new_idempotency_key,
)

TIMEOUT = 10
CASE = "K001-20261122-00077"


def _signed_post(
    hall: HallUnderTest,
    identity: TerminalIdentity,
    path: str,
    body: bytes,
    *,
    now: float | None = None,
    key: Ed25519PrivateKey | None = None,
    extra: dict[str, str] | None = None,
    send_body: bytes | None = None,
) -> requests.Response:
    headers = httpsig.sign_request(
        "POST",
        path,
        "",
        body,
        key or identity.private_key,
        identity.key_id,
        time.time() if now is None else now,
    )
    headers |= {"Content-Type": "application/json", **(extra or {})}
    return requests.post(
        hall.base_url + path,
        data=body if send_body is None else send_body,
        headers=headers,
        timeout=TIMEOUT,
    )


def _submission_body(kiosk_id: str = "kiosk-001") -> bytes:
    submission = make_submission("elder-card", demo_applicant("赵德明"), case_number=CASE)
    return submission.model_copy(update={"kiosk_id": kiosk_id}).model_dump_json().encode()


def _heartbeat_body(kiosk_id: str, sent_at: str = "2026-11-22T09:30:00Z") -> bytes:
    return json.dumps(
        {
            "kiosk_id": kiosk_id,
            "sent_at": sent_at,
            "app_version": "1.0",
            "catalog_version": "2025.1",
            "outbox_depth": 0,
        }
    ).encode()


def _post_submission(
    hall: HallUnderTest, identity: TerminalIdentity, body: bytes, **kwargs: object
) -> requests.Response:
    extra = {IDEMPOTENCY_HEADER: new_idempotency_key()}
    return _signed_post(hall, identity, SUBMISSIONS_PATH, body, extra=extra, **kwargs)  # type: ignore[arg-type]


def _code(response: requests.Response) -> str:
    return str(response.json()["code"])


# --- Who may call what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", CATALOG_PATH),
        ("POST", SUBMISSIONS_PATH),
        ("GET", SUBMISSION_PATH.format(case_number=CASE)),
        ("GET", PROGRESS_PATH.format(case_number=CASE)),
        ("POST", HEARTBEATS_PATH),
        ("GET", TERMINALS_PATH),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/no/such/path"),
    ],
)
def test_unsigned_requests_get_401_before_the_body_is_read(
    hall_server: HallUnderTest, method: str, path: str
) -> None:
    # An invalid body: a 401 (not a 422) shows the check ran before parsing.
    answer = requests.request(
        method, hall_server.base_url + path, data=b"{not json", timeout=TIMEOUT
    )
    assert answer.status_code == 401
    assert _code(answer) == "unauthenticated"
    assert answer.headers["WWW-Authenticate"].startswith("Signature")


def test_health_and_keys_stay_public(hall_server: HallUnderTest) -> None:
    for path in (HEALTH_PATH, KEYS_PATH):
        assert requests.get(hall_server.base_url + path, timeout=TIMEOUT).status_code == 200


def test_probe_made_up_kiosk_id_is_no_longer_approved(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity
) -> None:
    """Before: an unsigned submission naming any kiosk got 201 and a signed certificate."""
    body = _submission_body("MADE-UP-99")
    unsigned = requests.post(
        hall_server.base_url + SUBMISSIONS_PATH,
        data=body,
        headers={"Content-Type": "application/json", IDEMPOTENCY_HEADER: "k-1"},
        timeout=TIMEOUT,
    )
    assert unsigned.status_code == 401
    # Signed by kiosk-001 but naming another terminal: refused, nothing stored.
    mismatched = _post_submission(hall_server, terminal_identity, body)
    assert mismatched.status_code == 403 and _code(mismatched) == "terminal_mismatch"
    assert hall_server.count_submissions(case_number=CASE) == 0


def test_probe_anyone_reading_any_case_is_refused(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity, tmp_path: Path
) -> None:
    """Before: anyone read any case and its progress. Now only enrolled terminals (any of them:
    a citizen may ask at any terminal)."""
    created = _post_submission(hall_server, terminal_identity, _submission_body())
    assert created.status_code == 201, created.text
    for path in (SUBMISSION_PATH, PROGRESS_PATH):
        url = hall_server.base_url + path.format(case_number=CASE)
        assert requests.get(url, timeout=TIMEOUT).status_code == 401
    other = SignedAuth(hall_server.enrol(tmp_path / "other", "kiosk-002"))
    for path in (SUBMISSION_PATH, PROGRESS_PATH):
        url = hall_server.base_url + path.format(case_number=CASE)
        assert requests.get(url, timeout=TIMEOUT, auth=other).status_code == 200


@pytest.mark.parametrize("sent_at", ["2000-01-01T00:00:00Z", "2099-01-01T00:00:00Z"])
def test_probe_heartbeats_for_any_terminal_are_refused(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity, sent_at: str
) -> None:
    url = hall_server.base_url + HEARTBEATS_PATH
    unsigned = requests.post(
        url,
        data=_heartbeat_body("kiosk-001", sent_at),
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert unsigned.status_code == 401
    forged = _signed_post(
        hall_server, terminal_identity, HEARTBEATS_PATH, _heartbeat_body("kiosk-002", sent_at)
    )
    assert forged.status_code == 403 and _code(forged) == "terminal_mismatch"


# --- Forgeries ------------------------------------------------------------------------------


def test_a_signed_heartbeat_passes(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity
) -> None:
    answer = _signed_post(
        hall_server, terminal_identity, HEARTBEATS_PATH, _heartbeat_body("kiosk-001")
    )
    assert answer.status_code == 200, answer.text


def test_a_bad_signature_is_refused(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity
) -> None:
    impostor = Ed25519PrivateKey.generate()
    answer = _signed_post(
        hall_server, terminal_identity, HEARTBEATS_PATH, _heartbeat_body("kiosk-001"), key=impostor
    )
    assert answer.status_code == 401 and _code(answer) == "unauthenticated"


def test_an_unknown_key_is_refused(hall_server: HallUnderTest, tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    kid = httpsig.key_id_for(httpsig.public_key_raw(key))
    stranger = TerminalIdentity("kiosk-001", kid, key, hall_server.base_url, {})
    answer = requests.get(
        hall_server.base_url + CATALOG_PATH, auth=SignedAuth(stranger), timeout=TIMEOUT
    )
    assert answer.status_code == 401


def test_a_replayed_request_is_refused(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity
) -> None:
    body = _submission_body()
    headers = httpsig.sign_request(
        "POST",
        SUBMISSIONS_PATH,
        "",
        body,
        terminal_identity.private_key,
        terminal_identity.key_id,
        time.time(),
    )
    headers |= {"Content-Type": "application/json", IDEMPOTENCY_HEADER: new_idempotency_key()}
    url = hall_server.base_url + SUBMISSIONS_PATH
    first = requests.post(url, data=body, headers=headers, timeout=TIMEOUT)
    assert first.status_code == 201
    again = requests.post(url, data=body, headers=headers, timeout=TIMEOUT)
    assert again.status_code == 401 and _code(again) == "unauthenticated"
    assert "replayed_nonce" in again.json()["message"]


@pytest.mark.parametrize("skew", [301, -301, 86400])
def test_a_stale_timestamp_is_refused_either_way(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity, skew: int
) -> None:
    answer = _signed_post(
        hall_server,
        terminal_identity,
        HEARTBEATS_PATH,
        _heartbeat_body("kiosk-001"),
        now=time.time() + skew,
    )
    assert answer.status_code == 401
    assert "stale_timestamp" in answer.json()["message"]


def test_a_wrong_body_digest_is_refused(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity
) -> None:
    answer = _post_submission(
        hall_server,
        terminal_identity,
        _submission_body(),
        send_body=_submission_body().replace(b"kiosk-001", b"kiosk-002"),
    )
    assert answer.status_code == 401
    assert "digest_mismatch" in answer.json()["message"]
    assert hall_server.count_submissions(case_number=CASE) == 0


def test_a_revoked_terminal_is_refused_at_its_next_request(
    hall_server: HallUnderTest,
    terminal_identity: TerminalIdentity,
    capsys: pytest.CaptureFixture[str],
) -> None:
    auth = SignedAuth(terminal_identity)
    url = hall_server.base_url + CATALOG_PATH
    assert requests.get(url, auth=auth, timeout=TIMEOUT).status_code == 200
    database = ["--database", hall_server.settings.database_url]
    assert hall_cli.main(["terminals", "revoke", "kiosk-001", *database]) == 0
    refused = requests.get(url, auth=auth, timeout=TIMEOUT)
    assert refused.status_code == 403 and _code(refused) == "revoked"
    assert hall_cli.main(["terminals", "list", *database]) == 0
    listed = capsys.readouterr().out
    assert "kiosk-001" in listed and "revoked" in listed
    assert hall_cli.main(["terminals", "revoke", "nobody", *database]) == 1
    # The terminal's client keeps its work for later (the outbox loses nothing).
    with (
        HallClient(hall_server.base_url, identity=terminal_identity) as client,
        pytest.raises(HallUnavailableError),
    ):
        client.catalog()


# --- Enrolment ------------------------------------------------------------------------------


def test_an_enrolment_code_works_once(hall_server: HallUnderTest, tmp_path: Path) -> None:
    code = hall_server.enrolment_code("kiosk-007", site="Hall 2, east entrance")
    identity = enrol(hall_server.base_url, code, tmp_path / "a")
    assert (identity.kiosk_id, identity.site) == ("kiosk-007", "Hall 2, east entrance")
    assert identity.hall_keys == hall_server.public_keys()
    with pytest.raises(HallRejectedError) as caught:
        enrol(hall_server.base_url, code, tmp_path / "b")
    assert (caught.value.status, caught.value.code) == (403, "enrolment_refused")
    assert load_identity(tmp_path / "a").key_id == identity.key_id
    mode = (tmp_path / "a" / KEY_FILE).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_an_expired_enrolment_code_is_refused(hall_server: HallUnderTest, tmp_path: Path) -> None:
    identity: IdentityService = hall_server.app.state.identity
    code = identity.create_code("kiosk-008", ttl=dt.timedelta(0))
    with pytest.raises(HallRejectedError):
        enrol(hall_server.base_url, code, tmp_path / "t")
    unknown = requests.post(
        hall_server.base_url + ENROLMENTS_PATH,
        json={"code": "AAAA-BBBB-CCCC-DDDD", "public_key_b64": "A" * 43 + "="},
        timeout=TIMEOUT,
    )
    assert unknown.status_code == 403


def test_enrol_commands_end_to_end(
    hall_server: HallUnderTest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = hall_server.settings.database_url
    assert hall_cli.main(["enrol-code", "--kiosk-id", "DEMO01", "--database", database]) == 0
    code = capsys.readouterr().out.strip()
    config = tmp_path / "kiosk.toml"
    data = tmp_path / "data"
    config.write_text(
        f'[terminal]\nid = "DEMO01"\n[storage]\ndata_dir = "{data}"\n'
        f'[hall]\nembedded = false\nurl = "{hall_server.base_url}"\n',
        encoding="utf-8",
    )
    assert kiosk_cli.main(["--config", str(config), "enrol", "--code", code]) == 0
    assert "enrolled as terminal DEMO01" in capsys.readouterr().out
    assert kiosk_cli.main(["--config", str(config), "enrol", "--code", code]) == 1
    assert "refused" in capsys.readouterr().err
    assert load_identity(data).kiosk_id == "DEMO01"
    assert hall_cli.main(["enrol-code", "--kiosk-id", "X", "--ttl", "soon"]) == 2


# --- Clock ----------------------------------------------------------------------------------


@pytest.mark.parametrize("skew", [86400, -86400])
def test_a_terminal_clock_a_day_off_still_works(
    hall_server: HallUnderTest, terminal_identity: TerminalIdentity, skew: int
) -> None:
    """The first answer (401) brings the hall's Date; the client corrects and signs again."""
    with HallClient(
        hall_server.base_url,
        identity=terminal_identity,
        wall_clock=lambda: time.time() + skew,
    ) as client:
        assert client.catalog().version
        assert client.clock_offset is not None and abs(client.clock_offset - skew) < 5
        assert client.progress  # and from then on every request goes through at once
        with pytest.raises(HallRejectedError) as caught:
            client.progress("K001-20261122-99999")
        assert caught.value.status == 404


# --- Development flag -----------------------------------------------------------------------


def test_docs_only_in_development(tmp_path: Path) -> None:
    with EmbeddedHall(hall_settings(tmp_path / "dev", dev=True)) as dev:
        assert requests.get(dev.base_url + "/docs", timeout=TIMEOUT).status_code == 200
        assert requests.get(dev.base_url + "/openapi.json", timeout=TIMEOUT).status_code == 200
    prod = EmbeddedHall(hall_settings(tmp_path / "prod"))
    # The schema is still there for tools and tests, only not served.
    assert SUBMISSIONS_PATH in prod.app.openapi()["paths"]
