"""Signed requests between terminal and hall: RFC 9421 HTTP Message Signatures with Ed25519.

Part of the wire contract, shared by the terminal (``offline_cache``) and the hall; pure
(``cryptography`` and the standard library only). Every terminal request carries:

* ``Content-Digest: sha-256=:<base64>:`` (RFC 9530) of the body as sent (the empty body too);
* ``Signature-Input: sig1=("@method" "@path" "@query" "content-digest");created=<unix>;``
  ``nonce="<random>";keyid="<key id>";alg="ed25519"``;
* ``Signature: sig1=:<base64 Ed25519 signature of the signature base>:``.

The verifier is strict: exactly the label ``sig1``, exactly these covered components, every
parameter present, ``created`` within ``MAX_SKEW_SECONDS`` of its clock in either direction. The
nonce's single use is the hall's to enforce (it keeps them in its database).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

SIGNATURE_LABEL = "sig1"
COVERED_COMPONENTS = ("@method", "@path", "@query", "content-digest")
ALGORITHM = "ed25519"
MAX_SKEW_SECONDS = 300
"""How far ``created`` may be from the verifier's clock, either way."""

CONTENT_DIGEST_HEADER = "Content-Digest"
SIGNATURE_INPUT_HEADER = "Signature-Input"
SIGNATURE_HEADER = "Signature"

_COVERED_INNER = " ".join(f'"{name}"' for name in COVERED_COMPONENTS)
_NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_INPUT_PATTERN = re.compile(
    r"^(?P<label>[a-z*][a-z0-9_.*-]*)=\((?P<components>[^)]*)\)(?P<params>.*)$"
)
_PARAM_PATTERN = re.compile(
    r';(?P<name>[a-z*][a-z0-9_.*-]*)=(?:"(?P<text>[^"\\]*)"|(?P<int>-?\d{1,15}))'
)
_SIGNATURE_PATTERN = re.compile(r"^(?P<label>[a-z*][a-z0-9_.*-]*)=:(?P<value>[A-Za-z0-9+/=]+):$")


class SignatureError(Exception):
    """A request's signature does not hold; ``reason`` is a stable code (no request data)."""

    reason = "bad_signature"


class MissingSignatureError(SignatureError):
    """The request carries no signature headers at all."""

    reason = "missing_signature"


class MalformedSignatureError(SignatureError):
    """The signature headers do not parse, or do not cover what this scheme requires."""

    reason = "malformed_signature"


class DigestMismatchError(SignatureError):
    """The ``Content-Digest`` header does not match the body received."""

    reason = "digest_mismatch"


class StaleSignatureError(SignatureError):
    """``created`` is more than ``MAX_SKEW_SECONDS`` from the verifier's clock."""

    reason = "stale_timestamp"

    def __init__(self, message: str, skew: float) -> None:
        super().__init__(message)
        self.skew = skew
        """Seconds the signer's ``created`` is ahead of the verifier (negative: behind)."""


class BadSignatureError(SignatureError):
    """The Ed25519 signature does not verify over the signature base."""

    reason = "bad_signature"


@dataclass(frozen=True)
class SignatureParams:
    """The parameters of a parsed ``sig1`` signature."""

    key_id: str
    created: int
    nonce: str
    alg: str
    components: tuple[str, ...]


def content_digest(body: bytes) -> str:
    """Return the RFC 9530 ``Content-Digest`` value of ``body``: ``sha-256=:<base64>:``."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def key_id_for(public_key_raw: bytes) -> str:
    """Return the key id of a raw Ed25519 public key: a hash prefix, hex (16 characters)."""
    return hashlib.sha256(b"gov-kiosk terminal key\x00" + public_key_raw).hexdigest()[:16]


def public_key_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """Return the 32 raw bytes of an Ed25519 public key (or of a private key's public half)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def signature_params_value(
    components: Sequence[str], params: Sequence[tuple[str, str | int]]
) -> str:
    """Serialise ``@signature-params``: the inner list of components, then ``;name=value``."""
    inner = " ".join(f'"{name}"' for name in components)
    rendered = "".join(
        f";{name}={value}" if isinstance(value, int) else f';{name}="{value}"'
        for name, value in params
    )
    return f"({inner}){rendered}"


def signature_base(components: Sequence[tuple[str, str]], params_value: str) -> bytes:
    """Build the RFC 9421 signature base: one ``"name": value`` line each, then the params."""
    lines = [f'"{name}": {value}' for name, value in components]
    lines.append(f'"@signature-params": {params_value}')
    return "\n".join(lines).encode()


def _query_value(query: str) -> str:
    # RFC 9421 2.2.7: the query with its leading "?", and "?" alone when there is none.
    return "?" + query.removeprefix("?")


def _request_components(method: str, path: str, query: str, digest: str) -> list[tuple[str, str]]:
    return [
        ("@method", method.upper()),
        ("@path", path or "/"),
        ("@query", _query_value(query)),
        ("content-digest", digest),
    ]


def new_nonce() -> str:
    """Return a fresh random nonce (22 URL-safe characters, 128 bits)."""
    return secrets.token_urlsafe(16)


def sign_request(
    method: str,
    url_path: str,
    query: str,
    body: bytes,
    private_key: Ed25519PrivateKey,
    key_id: str,
    now: float,
    *,
    nonce: str | None = None,
) -> dict[str, str]:
    """Sign a request; returns the ``Content-Digest``, ``Signature-Input`` and ``Signature``.

    ``url_path`` is the path as sent (percent-encoded), ``query`` the query string without or
    with its ``?`` (empty: none), ``now`` the signer's idea of the hall's clock (Unix seconds).
    """
    digest = content_digest(body)
    params = signature_params_value(
        COVERED_COMPONENTS,
        [
            ("created", int(now)),
            ("nonce", nonce or new_nonce()),
            ("keyid", key_id),
            ("alg", ALGORITHM),
        ],
    )
    base = signature_base(_request_components(method, url_path, query, digest), params)
    signature = base64.b64encode(private_key.sign(base)).decode()
    return {
        CONTENT_DIGEST_HEADER: digest,
        SIGNATURE_INPUT_HEADER: f"{SIGNATURE_LABEL}={params}",
        SIGNATURE_HEADER: f"{SIGNATURE_LABEL}=:{signature}:",
    }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    if value is None:
        wanted = name.lower()
        for key, candidate in headers.items():
            if key.lower() == wanted:
                return candidate
    return value


def parse_signature(headers: Mapping[str, str]) -> tuple[SignatureParams, str]:
    """Parse ``Signature-Input`` and ``Signature``; returns the params and the params' text.

    Raises ``MissingSignatureError`` when neither header is there, ``MalformedSignatureError``
    when they do not follow this scheme exactly.
    """
    raw_input = _header(headers, SIGNATURE_INPUT_HEADER)
    raw_signature = _header(headers, SIGNATURE_HEADER)
    if raw_input is None and raw_signature is None:
        raise MissingSignatureError("the request is not signed")
    if raw_input is None or raw_signature is None:
        raise MalformedSignatureError("Signature-Input and Signature go together")
    match = _INPUT_PATTERN.match(raw_input.strip())
    if match is None or match["label"] != SIGNATURE_LABEL:
        raise MalformedSignatureError(f"Signature-Input needs exactly one {SIGNATURE_LABEL}")
    components = COVERED_COMPONENTS
    if match["components"] != _COVERED_INNER:
        raise MalformedSignatureError("the signature must cover " + " ".join(COVERED_COMPONENTS))
    params_text = match["params"]
    found: dict[str, str | int] = {}
    consumed = 0
    for param in _PARAM_PATTERN.finditer(params_text):
        if param.start() != consumed or param["name"] in found:
            raise MalformedSignatureError("Signature-Input parameters do not parse")
        found[param["name"]] = param["text"] if param["int"] is None else int(param["int"])
        consumed = param.end()
    if consumed != len(params_text) or set(found) != {"created", "nonce", "keyid", "alg"}:
        raise MalformedSignatureError("Signature-Input needs created, nonce, keyid and alg")
    created, nonce, key_id, alg = found["created"], found["nonce"], found["keyid"], found["alg"]
    if not isinstance(created, int) or not isinstance(nonce, str) or not isinstance(key_id, str):
        raise MalformedSignatureError("created is an integer, nonce and keyid are strings")
    if alg != ALGORITHM:
        raise MalformedSignatureError(f"alg must be {ALGORITHM}")
    if not _NONCE_PATTERN.match(nonce) or not _KEY_ID_PATTERN.match(key_id):
        raise MalformedSignatureError("nonce or keyid has the wrong form")
    sig_match = _SIGNATURE_PATTERN.match(raw_signature.strip())
    if sig_match is None or sig_match["label"] != SIGNATURE_LABEL:
        raise MalformedSignatureError(f"Signature needs exactly one {SIGNATURE_LABEL}")
    params = SignatureParams(key_id, created, nonce, alg, components)
    return params, f"({match['components']}){params_text}"


def _signature_bytes(headers: Mapping[str, str]) -> bytes:
    raw = _header(headers, SIGNATURE_HEADER) or ""
    match = _SIGNATURE_PATTERN.match(raw.strip())
    if match is None:
        raise MalformedSignatureError(f"Signature needs exactly one {SIGNATURE_LABEL}")
    try:
        value = base64.b64decode(match["value"], validate=True)
    except binascii.Error as err:
        raise MalformedSignatureError("Signature is not base64") from err
    if len(value) != 64:
        raise MalformedSignatureError("an Ed25519 signature has 64 bytes")
    return value


def verify_request(
    method: str,
    url_path: str,
    query: str,
    body: bytes,
    headers: Mapping[str, str],
    public_key: Ed25519PublicKey,
    now: float,
    *,
    max_skew: float = MAX_SKEW_SECONDS,
) -> SignatureParams:
    """Verify a signed request against ``public_key``; returns its parameters.

    Checks, in order: the headers' form, the body's digest, the signature, then the timestamp
    (so a stale error is only ever reported for a genuine signature). Raises a
    ``SignatureError`` subclass. The nonce's single use is left to the caller.
    """
    params, params_value = parse_signature(headers)
    digest_header = _header(headers, CONTENT_DIGEST_HEADER)
    digest = content_digest(body)
    if digest_header is None:
        raise MalformedSignatureError("the request needs a Content-Digest")
    if not hmac.compare_digest(digest_header.strip(), digest):
        raise DigestMismatchError("Content-Digest does not match the body")
    signature = _signature_bytes(headers)
    base = signature_base(_request_components(method, url_path, query, digest), params_value)
    try:
        public_key.verify(signature, base)
    except InvalidSignature as err:
        raise BadSignatureError("the signature does not verify") from err
    skew = params.created - now
    if abs(skew) > max_skew:
        raise StaleSignatureError(f"created is {skew:+.0f} s from the hall's clock", skew)
    return params
