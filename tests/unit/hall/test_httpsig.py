"""The request signature scheme: RFC 9421's ed25519 vector, round trips, each tamper refused."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hall import httpsig
from hall.httpsig import (
    BadSignatureError,
    DigestMismatchError,
    MalformedSignatureError,
    MissingSignatureError,
    StaleSignatureError,
)

# RFC 9421 appendix B.1.4, test-key-ed25519 (the JWK "d", base64url).
RFC_KEY_SEED = base64.urlsafe_b64decode("n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU=")
RFC_KEY_PUBLIC = base64.urlsafe_b64decode("JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs=")

NOW = 1_700_000_000.0
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KID = httpsig.key_id_for(httpsig.public_key_raw(KEY))
BODY = b'{"kiosk_id": "K-01"}'


def _sign(**overrides: object) -> dict[str, str]:
    args: dict[str, object] = {
        "method": "POST",
        "url_path": "/api/v1/heartbeats",
        "query": "",
        "body": BODY,
        "private_key": KEY,
        "key_id": KID,
        "now": NOW,
    }
    args.update(overrides)
    return httpsig.sign_request(**args)  # type: ignore[arg-type]


def _verify(headers: dict[str, str], **overrides: object) -> httpsig.SignatureParams:
    args: dict[str, object] = {
        "method": "POST",
        "url_path": "/api/v1/heartbeats",
        "query": "",
        "body": BODY,
        "headers": headers,
        "public_key": KEY.public_key(),
        "now": NOW,
    }
    args.update(overrides)
    return httpsig.verify_request(**args)  # type: ignore[arg-type]


def test_rfc9421_b26_ed25519_vector() -> None:
    """Appendix B.2.6: the base builder and Ed25519 reproduce the RFC's signature exactly."""
    key = Ed25519PrivateKey.from_private_bytes(RFC_KEY_SEED)
    assert httpsig.public_key_raw(key) == RFC_KEY_PUBLIC
    components = ("date", "@method", "@path", "@authority", "content-type", "content-length")
    params = httpsig.signature_params_value(
        components, [("created", 1618884473), ("keyid", "test-key-ed25519")]
    )
    assert params == (
        '("date" "@method" "@path" "@authority" "content-type" "content-length")'
        ';created=1618884473;keyid="test-key-ed25519"'
    )
    base = httpsig.signature_base(
        list(
            zip(
                components,
                [
                    "Tue, 20 Apr 2021 02:07:55 GMT",
                    "POST",
                    "/foo",
                    "example.com",
                    "application/json",
                    "18",
                ],
                strict=True,
            )
        ),
        params,
    )
    signature = base64.b64encode(key.sign(base)).decode()
    assert signature == (
        "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=="
    )


def test_rfc9530_content_digest_example() -> None:
    assert (
        httpsig.content_digest(b'{"hello": "world"}')
        == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
    )


def test_round_trip_returns_the_params() -> None:
    headers = _sign(nonce="n" * 22)
    params = _verify(headers)
    assert params.key_id == KID
    assert params.created == int(NOW)
    assert params.nonce == "n" * 22
    assert params.alg == "ed25519"
    assert headers["Signature-Input"].startswith(
        'sig1=("@method" "@path" "@query" "content-digest");created=1700000000;nonce="nnnn'
    )


def test_query_and_empty_body_round_trip() -> None:
    headers = _sign(method="GET", url_path="/api/v1/cases/A%2F1/progress", query="a=1", body=b"")
    _verify(headers, method="get", url_path="/api/v1/cases/A%2F1/progress", query="?a=1", body=b"")


def test_headers_are_found_whatever_their_case() -> None:
    headers = {name.lower(): value for name, value in _sign().items()}
    _verify(headers)


def test_nonces_differ() -> None:
    assert _sign()["Signature-Input"] != _sign()["Signature-Input"]


@pytest.mark.parametrize(
    ("component", "value"),
    [
        ("method", "PUT"),
        ("url_path", "/api/v1/submissions"),
        ("query", "kiosk_id=K-02"),
    ],
)
def test_each_covered_component_tampered_fails(component: str, value: str) -> None:
    with pytest.raises(BadSignatureError):
        _verify(_sign(), **{component: value})


def test_tampered_body_fails_on_its_digest() -> None:
    with pytest.raises(DigestMismatchError):
        _verify(_sign(), body=b'{"kiosk_id": "K-02"}')


def test_body_and_digest_both_swapped_fail_on_the_signature() -> None:
    other = b'{"kiosk_id": "K-02"}'
    headers = _sign() | {"Content-Digest": httpsig.content_digest(other)}
    with pytest.raises(BadSignatureError):
        _verify(headers, body=other)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("created=1700000000", "created=1700000001"),
        ('alg="ed25519"', 'alg="ed25519";alg="ed25519"'),
    ],
)
def test_tampered_params_fail(old: str, new: str) -> None:
    headers = _sign()
    headers["Signature-Input"] = headers["Signature-Input"].replace(old, new)
    with pytest.raises((BadSignatureError, MalformedSignatureError)):
        _verify(headers)


def test_tampered_nonce_or_keyid_fails() -> None:
    headers = _sign(nonce="a" * 22)
    for old, new in ((f'nonce="{"a" * 22}"', f'nonce="{"b" * 22}"'), (KID, "0" * 16)):
        tampered = dict(headers)
        tampered["Signature-Input"] = headers["Signature-Input"].replace(old, new)
        with pytest.raises(BadSignatureError):
            _verify(tampered)


def test_another_key_fails() -> None:
    with pytest.raises(BadSignatureError):
        _verify(_sign(), public_key=Ed25519PrivateKey.generate().public_key())


def test_flipped_signature_bit_fails() -> None:
    headers = _sign()
    raw = bytearray(base64.b64decode(headers["Signature"][len("sig1=:") : -1]))
    raw[0] ^= 1
    headers["Signature"] = "sig1=:" + base64.b64encode(bytes(raw)).decode() + ":"
    with pytest.raises(BadSignatureError):
        _verify(headers)


@pytest.mark.parametrize("offset", [301, -301, 86400])
def test_stale_timestamp_either_way_fails(offset: int) -> None:
    with pytest.raises(StaleSignatureError) as caught:
        _verify(_sign(now=NOW + offset))
    assert caught.value.skew == offset


@pytest.mark.parametrize("offset", [300, -300, 0])
def test_timestamp_within_the_window_passes(offset: int) -> None:
    _verify(_sign(now=NOW + offset))


def test_unsigned_request_is_missing() -> None:
    with pytest.raises(MissingSignatureError):
        _verify({})


@pytest.mark.parametrize(
    "mutate",
    [
        lambda h: h.pop("Signature"),
        lambda h: h.pop("Content-Digest"),
        lambda h: h.__setitem__("Signature-Input", h["Signature-Input"].replace("sig1", "sig2")),
        lambda h: h.__setitem__("Signature", h["Signature"].replace("sig1", "sig2")),
        lambda h: h.__setitem__(
            "Signature-Input", h["Signature-Input"].replace(' "content-digest"', "")
        ),
        lambda h: h.__setitem__(
            "Signature-Input", h["Signature-Input"].replace('alg="ed25519"', 'alg="rsa-pss"')
        ),
        lambda h: h.__setitem__(
            "Signature-Input", h["Signature-Input"].replace(";created=1700000000", "")
        ),
        lambda h: h.__setitem__("Signature", "sig1=:AAAA:"),
        lambda h: h.__setitem__("Signature-Input", h["Signature-Input"] + ", sig2=()"),
    ],
)
def test_malformed_headers_fail(mutate: object) -> None:
    headers = _sign()
    mutate(headers)  # type: ignore[operator]
    with pytest.raises(MalformedSignatureError):
        _verify(headers)


def test_errors_carry_stable_reasons() -> None:
    assert MissingSignatureError.reason == "missing_signature"
    assert StaleSignatureError("x", 1.0).reason == "stale_timestamp"
    assert DigestMismatchError.reason == "digest_mismatch"
