"""The wire contract between terminals and the hall: paths, models and the certificate QR format.

This is the only module of ``hall`` that the terminal imports (an import-linter contract enforces
it). It depends on pydantic and cryptography only, so a terminal needs none of the hall's server
packages. Model names follow the FastAPI template: ``...Create`` goes to the hall, ``...Public``
comes back.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hall import rules

API_PREFIX = "/api/v1"
HEALTH_PATH = "/healthz"
CATALOG_PATH = f"{API_PREFIX}/catalog"
KEYS_PATH = f"{API_PREFIX}/keys"
SUBMISSIONS_PATH = f"{API_PREFIX}/submissions"
SUBMISSION_PATH = f"{API_PREFIX}/submissions/{{case_number}}"
PROGRESS_PATH = f"{API_PREFIX}/cases/{{case_number}}/progress"
HEARTBEATS_PATH = f"{API_PREFIX}/heartbeats"
TERMINALS_PATH = f"{API_PREFIX}/terminals"

HEARTBEAT_MAX_BYTES = 8192
"""A heartbeat's encoded JSON body is at most this many bytes (the hall answers 413 above)."""

IDEMPOTENCY_HEADER = "Idempotency-Key"
"""Every submission carries a client-made key; the hall stores the first result per key."""

CASE_NUMBER_PATTERN = r"^[A-Z0-9]{2,12}-\d{8}-\d{5}$"
"""``<KIOSK CODE>-<YYYYMMDD>-<sequence>``: made by the terminal, so offline receipts carry one."""


KIOSK_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""A terminal's id: 1 to 64 letters, digits, dots, dashes and underscores (a column of 64)."""


_SURROGATE = re.compile("[\ud800-\udfff]")
_T = TypeVar("_T")


def storable_text_problem(value: object) -> str | None:
    r"""Why ``value`` (a str, or lists and dicts of them) cannot be stored, or ``None`` when it can.

    Both databases refuse some text: PostgreSQL has no NUL in text, and a lone UTF-16 surrogate
    (JSON ``"\ud800"``) is no character at all, so it cannot be encoded as UTF-8 on the way in
    or out. Such text is refused at the boundary (422), never stored.
    """
    if isinstance(value, str):
        if "\x00" in value:
            return "a NUL character"
        if _SURROGATE.search(value) is not None:
            return "a lone surrogate"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = storable_text_problem(key) or storable_text_problem(item)
            if problem is not None:
                return problem
        return None
    if isinstance(value, list | tuple):
        for item in value:
            problem = storable_text_problem(item)
            if problem is not None:
                return problem
    return None


def _check_storable(value: _T) -> _T:
    """A pydantic after-validator: refuse text holding NUL or a lone surrogate."""
    problem = storable_text_problem(value)
    if problem is not None:
        raise PydanticCustomError("text_not_storable", "text holds {problem}", {"problem": problem})
    return value


StorableText = Annotated[str, AfterValidator(_check_storable)]
"""A string both databases can store: no NUL, no lone surrogate (for path parameters)."""


class _Model(BaseModel):
    # No NaN or infinities: JSON has none, and a stored NaN answers nothing sensible later.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: object) -> object:
        # Every text field, and texts inside lists and dicts: both databases can store them.
        return _check_storable(value)


# --- The catalog --------------------------------------------------------------------------------


class LocalizedText(_Model):
    """Text in Chinese (first) and English."""

    zh: str
    en: str


class TimeLimit(_Model):
    """Statutory and promised time limits in working days (0: on the spot)."""

    statutory_days: int = Field(ge=0)
    promised_days: int = Field(ge=0)


class Fee(_Model):
    """The fee in yuan (0 for free) and what it is for."""

    amount_yuan: float = Field(ge=0)
    note: LocalizedText


MaterialSource = Literal["id_card", "camera"]

DEFAULT_TOLERANCE_DAYS = 5
"""Days to supply a tolerated material when the catalog says only ``tolerable: true``."""


class Tolerance(_Model):
    """How a material may be missing at submission under a written commitment (容缺受理)."""

    days: int = Field(default=DEFAULT_TOLERANCE_DAYS, ge=1, le=60)
    """Calendar days from the submission by which the material must be supplied."""


class MaterialSpec(_Model):
    """One material an item needs and where the terminal gets it."""

    id: str
    name: LocalizedText
    source: MaterialSource
    document_type: str | None = None
    """For camera materials: the OCR document type, e.g. ``lease_contract``."""
    required: bool = True
    tolerable: bool | Tolerance = False
    """May be missing at submission with the citizen's written commitment (容缺受理):
    ``true`` (within :data:`DEFAULT_TOLERANCE_DAYS`) or ``{days: N}``."""
    checks: list[str] = Field(default_factory=list)
    hint: LocalizedText | None = None
    document_types: list[str] = Field(default_factory=list)
    """OCR document types accepted for it (empty: ``document_type``); an ``id_card`` material
    lists the card's sides, photographed when no card reader read it."""
    required_fields: list[str] = Field(default_factory=list)
    """Fields that must be read from it for it to pass."""
    must_match: list[FieldMatch] = Field(default_factory=list)
    """Fields that must agree with the applicant or with another material."""

    @property
    def tolerance_days(self) -> int | None:
        """Days to supply it under a commitment; ``None`` when it may not be missing."""
        if isinstance(self.tolerable, Tolerance):
            return self.tolerable.days
        return DEFAULT_TOLERANCE_DAYS if self.tolerable else None


class FieldMatch(_Model):
    """A field of a material that must agree with the applicant's card or another material.

    ``compare`` picks the comparison: ``name`` (width, spaces, marks and script folded),
    ``address`` (the same, and one may leave out leading parts), ``exact``.
    """

    field: str
    applicant: str | None = None
    """An attribute of the applicant read from the ID card (``name``, ``id_number``)."""
    material: str | None = None
    """The id of another material of the same item, whose ``other_field`` must agree."""
    other_field: str | None = None
    compare: Literal["name", "address", "exact"] = "name"


ItemKind = Literal["service", "progress_query"]
DecisionRule = Literal["social_insurance_record", "elder_age_60"]


class ServiceItem(_Model):
    """One service item with its full guide ("一图可视")."""

    id: str
    kind: ItemKind = "service"
    name: LocalizedText
    short_name: LocalizedText | None = None
    department: LocalizedText
    legal_basis: list[LocalizedText] = Field(default_factory=list)
    conditions: list[LocalizedText] = Field(default_factory=list)
    time_limit: TimeLimit
    fee: Fee
    steps: list[LocalizedText] = Field(default_factory=list)
    materials: list[MaterialSpec] = Field(default_factory=list)
    zero_material: bool = False
    instant: bool = False
    """Decided by the hall on the spot ("秒批") against its shared-data tables."""
    decision_rule: DecisionRule | None = None
    certificate_template: str | None = None
    bundle_of: list[str] = Field(default_factory=list)
    """For "一件事一次办" bundles: the ids of the items it is made of."""
    icon: str = "item"
    order: int = 100


class CatalogPublic(_Model):
    """The versioned catalog the hall serves and terminals cache."""

    version: str
    items: list[ServiceItem]

    def item(self, item_id: str) -> ServiceItem:
        """Return the item with this id; ``KeyError`` when the catalog has none."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


# --- Submissions --------------------------------------------------------------------------------


CardType = Literal["resident", "gat_permit", "foreign_permanent_2017", "foreign_permanent_2023"]
PastDate = Annotated[dt.date, AfterValidator(rules.check_past_date)]
"""A birth or issue date: from 1850 to tomorrow."""

SUBMISSION_MAX_MATERIALS = 32
"""Photos one submission may carry."""
MATERIAL_MAX_B64 = 20 * 1024 * 1024
"""Characters of one material's base64 (the body limit of a submission is 20 MB as a whole)."""


class ApplicantCreate(_Model):
    """The applicant as read from the ID card. Personal data: encrypted at rest on the terminal.

    Checked as the terminal's card reader checks a card (``hall.rules``): the number's format and
    GB 11643 check character for the card type, plausible dates, ``valid_to`` a date or
    ``long-term`` not before ``valid_from``, bounded lengths.
    """

    card_type: CardType
    name: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(rules.check_not_blank)]
    gender: Annotated[str, AfterValidator(rules.check_gender)]
    """男, 女, 未知 or 未说明, as printed."""
    ethnicity: str = Field(max_length=32)
    birth_date: PastDate
    address: str = Field(max_length=200)
    id_number: str = Field(min_length=15, max_length=18)
    issuing_authority: str = Field(max_length=64)
    valid_from: PastDate
    valid_to: Annotated[str, Field(max_length=10), AfterValidator(rules.check_valid_to)]
    """ISO date or ``long-term``."""

    @model_validator(mode="after")
    def _card_rules(self) -> ApplicantCreate:
        rules.check_card_number(self.card_type, self.id_number)
        end = rules.parse_valid_to(self.valid_to)
        if end is not None and end <= self.valid_from:
            raise ValueError("valid_to is not after valid_from")
        return self

    @property
    def valid_until(self) -> dt.date | None:
        """The card's last day of validity; ``None`` for a long-term card."""
        return rules.parse_valid_to(self.valid_to)


class MaterialCreate(_Model):
    """One captured material: a photo of a document, base64 in JSON.

    The hall checks the bytes against ``sha256`` and ``content_type`` (``hall.materials``).
    """

    material_id: str = Field(min_length=1, max_length=64)
    content_type: str = Field(max_length=64)
    """``image/jpeg`` or ``image/png`` (:data:`hall.rules.MATERIAL_CONTENT_TYPES`)."""
    data_b64: str = Field(max_length=MATERIAL_MAX_B64)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Lower-case hex SHA-256 of the decoded bytes."""


class CommitmentCreate(_Model):
    """The citizen's written promise to supply a tolerated material by a date (容缺受理)."""

    material_id: str = Field(min_length=1, max_length=64)
    deadline: dt.date
    text: LocalizedText
    """The promise exactly as the screen showed it and the citizen confirmed it."""


IdentitySource = Literal["card_reader", "photo"]
"""How the applicant was identified: the chip read by the card reader, or photos of the card's
two sides (a clerk must verify those before the case is decided)."""


class SubmissionCreate(_Model):
    """A citizen's submission, made on the terminal and delivered through the outbox."""

    case_number: str = Field(pattern=CASE_NUMBER_PATTERN)
    kiosk_id: str = Field(pattern=KIOSK_ID_PATTERN)
    item_id: str = Field(min_length=1, max_length=64)
    created_at: dt.datetime
    applicant: ApplicantCreate | None = None
    materials: list[MaterialCreate] = Field(
        default_factory=list, max_length=SUBMISSION_MAX_MATERIALS
    )
    form: dict[Annotated[str, Field(max_length=128)], Annotated[str, Field(max_length=4000)]] = (
        Field(default_factory=dict, max_length=256)
    )
    commitment: bool = False
    """The citizen's written commitment for tolerated missing materials (容缺受理)."""
    commitments: list[CommitmentCreate] = Field(
        default_factory=list, max_length=SUBMISSION_MAX_MATERIALS
    )
    """What was promised for each tolerated material, and by when."""
    identity: IdentitySource | None = None
    """How the applicant was identified (``None``: sent by a terminal older than this field)."""


DecisionOutcome = Literal["approved", "refused"]
SubmissionStatus = Literal["accepted", "approved", "refused"]


class DecisionPublic(_Model):
    """The hall's decision on a case, with the reason in plain words when refused."""

    outcome: DecisionOutcome
    reason_code: str | None = None
    reason: LocalizedText | None = None
    decided_at: dt.datetime


class CertificateField(_Model):
    """One printed line of a certificate."""

    label: LocalizedText
    value: str


class CertificatePublic(_Model):
    """A certificate the hall issued; ``qr_payload`` is signed and verifiable offline."""

    certificate_id: str
    template: str
    title: LocalizedText
    holder_name: str
    holder_id_masked: str
    fields: list[CertificateField]
    issued_at: dt.datetime
    valid_until: dt.date | None = None
    issuer: LocalizedText
    qr_payload: str


class SubmissionPublic(_Model):
    """What the hall holds for a case: status, decision and certificate when there is one."""

    case_number: str
    item_id: str
    status: SubmissionStatus
    received_at: dt.datetime
    decision: DecisionPublic | None = None
    certificate: CertificatePublic | None = None


class StagePublic(_Model):
    """One stage of a case with its own clock ("环节分段计时")."""

    code: str
    name: LocalizedText
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    seconds: float | None = None
    """Time spent in the stage; still running when ``finished_at`` is ``None``."""


class CaseProgressPublic(_Model):
    """A case's stages, for the progress query."""

    case_number: str
    item_id: str
    item_name: LocalizedText
    status: SubmissionStatus
    promised_days: int
    stages: list[StagePublic]


class PublicKeyPublic(_Model):
    """One of the hall's certificate signing keys."""

    kid: str
    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key_b64: str
    """The raw 32-byte Ed25519 public key, standard base64."""


class KeysPublic(_Model):
    """The hall's current and past certificate signing keys."""

    keys: list[PublicKeyPublic]


# --- Heartbeats ---------------------------------------------------------------------------------


class HeartbeatCreate(_Model):
    """A terminal's periodic health report; at most :data:`HEARTBEAT_MAX_BYTES` as JSON.

    No personal data: counts, ages, versions and device states only.
    """

    kiosk_id: str = Field(min_length=1, max_length=64)
    sent_at: dt.datetime
    app_version: str = Field(max_length=64)
    catalog_version: str | None = Field(default=None, max_length=64)
    outbox_depth: int = Field(ge=0)
    """Submissions not yet delivered (pending and sending)."""
    outbox_failed: int = Field(default=0, ge=0)
    oldest_pending_age_s: float | None = None
    print_queue_depth: int = Field(default=0, ge=0)
    print_uncertain: int = Field(default=0, ge=0)
    last_sync_at: dt.datetime | None = None
    free_disk_bytes: int | None = None
    wal_bytes: int | None = None
    store_full: bool = False
    """The last enqueue failed for lack of space: staff must free the disk."""
    clock_offset_s: float | None = None
    """Terminal clock minus hall clock, from the hall's last answer (positive: terminal ahead)."""
    devices: dict[str, str] = Field(default_factory=dict)
    """Device name -> short status (``ok``, ``paper_out``, ``offline`` ...)."""
    detail: str = ""
    """Free text for staff, truncated by the terminal to keep the size bound."""


class HeartbeatPublic(_Model):
    """The hall's answer to a heartbeat: when it got it, by its own clock."""

    kiosk_id: str
    received_at: dt.datetime
    server_time: dt.datetime


class TerminalPublic(_Model):
    """One terminal as the dashboard sees it: its latest heartbeat."""

    kiosk_id: str
    last_seen_at: dt.datetime
    heartbeat: HeartbeatCreate


class TerminalsPublic(_Model):
    """Every terminal that ever sent a heartbeat, latest first."""

    terminals: list[TerminalPublic]


class ErrorPublic(_Model):
    """Every error answer of the hall: a stable code and a message for logs."""

    code: str
    message: str


def mask_id_number(id_number: str) -> str:
    """An ID number as it may leave a terminal or the hall: first 6 and last 4 characters kept.

    One rule for the screen, the receipt, the certificate and its QR claims (``idm``), so the
    citizen sees the same masked number everywhere.
    """
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def canonical_json(data: Any) -> bytes:
    """Serialise JSON-able data the one way both sides hash and sign it."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def payload_hash(submission: SubmissionCreate) -> str:
    """The SHA-256 of a submission's canonical JSON: same key + other hash is a client bug (422)."""
    data = submission.model_dump(mode="json")
    # Fields added later are left out while unset, so a submission queued by an older terminal
    # keeps its hash (the hall compares it on every retry of the same idempotency key).
    for name in ("commitments", "identity"):
        if data.get(name) in (None, []):
            data.pop(name, None)
    return hashlib.sha256(canonical_json(data)).hexdigest()


# --- The certificate QR code --------------------------------------------------------------------

CERT_QR_PREFIX = "ZWCERT1"
"""``ZWCERT1.<base64url claims JSON>.<base64url Ed25519 signature over the claims bytes>``."""


class CertificateClaims(_Model):
    """What a certificate's QR code asserts, signed by the hall."""

    v: Literal[1] = 1
    kid: str
    cid: str
    """Certificate id."""
    case: str
    item: str
    name: str
    idm: str
    """Holder's ID number, masked."""
    iat: dt.date
    exp: dt.date | None = None


CertificateStatus = Literal["genuine", "tampered", "expired", "unknown_key", "malformed"]


class CertificateCheck(_Model):
    """The outcome of verifying a certificate QR payload offline."""

    status: CertificateStatus
    claims: CertificateClaims | None = None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_certificate_qr(claims: CertificateClaims, sign: Callable[[bytes], bytes]) -> str:
    """Make the QR payload: the claims' canonical JSON and ``sign(claims_bytes)``."""
    body = canonical_json(claims.model_dump(mode="json"))
    return f"{CERT_QR_PREFIX}.{_b64url(body)}.{_b64url(sign(body))}"


def is_certificate_qr(payload: str) -> bool:
    """Whether a scanned payload claims to be one of our certificates."""
    return payload.startswith(CERT_QR_PREFIX + ".")


def verify_certificate_qr(
    payload: str, public_keys: Mapping[str, bytes], today: dt.date
) -> CertificateCheck:
    """Verify a certificate QR payload with the hall's raw Ed25519 public keys, by key id."""
    parts = payload.strip().split(".")
    if len(parts) != 3 or parts[0] != CERT_QR_PREFIX:
        return CertificateCheck(status="malformed")
    try:
        body, signature = _unb64url(parts[1]), _unb64url(parts[2])
        claims = CertificateClaims.model_validate_json(body)
    except (binascii.Error, ValueError, ValidationError):
        return CertificateCheck(status="malformed")
    raw_key = public_keys.get(claims.kid)
    if raw_key is None:
        return CertificateCheck(status="unknown_key", claims=claims)
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, body)
    except (InvalidSignature, ValueError):
        return CertificateCheck(status="tampered")
    if claims.exp is not None and claims.exp < today:
        return CertificateCheck(status="expired", claims=claims)
    return CertificateCheck(status="genuine", claims=claims)


# --- Terminal identity --------------------------------------------------------------------------

ENROLMENTS_PATH = f"{API_PREFIX}/enrolments"
"""Where a terminal trades a one-time code for its registration (no signature: the code is it)."""


class EnrolmentCreate(_Model):
    """A terminal registering its Ed25519 public key with a one-time code."""

    code: str = Field(min_length=8, max_length=64)
    public_key_b64: str = Field(min_length=40, max_length=64)
    """The raw 32-byte Ed25519 public key, standard base64."""


class EnrolmentPublic(_Model):
    """The hall's answer to an enrolment: the terminal's id and key id, and the hall's keys."""

    kiosk_id: str
    site: str | None
    key_id: str
    hall_keys: KeysPublic
    """The hall's certificate keys, which the terminal pins."""


EVENTS_PATH = f"{API_PREFIX}/events"
"""Where a terminal delivers its events (ratings, reports, ...), signed, in batches."""
MAX_EVENTS_PER_BATCH = 50


class EventCreate(_Model):
    """One event as a terminal queued it; the hall validates ``payload`` by ``kind``."""

    event_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    """Made by the terminal (a UUID4's hex); the hall keeps the first delivery of each."""
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    at: dt.datetime
    """When the terminal queued it (the terminal's clock, timezone-aware)."""
    payload: dict[str, Any]

    @field_validator("at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise PydanticCustomError("naive_datetime", "the time needs a timezone offset")
        return value


class EventBatchCreate(_Model):
    """Events a terminal delivers in one request (oldest first)."""

    events: list[EventCreate] = Field(min_length=1, max_length=MAX_EVENTS_PER_BATCH)


EventStatus = Literal["accepted", "duplicate", "rejected"]


class EventResultPublic(_Model):
    """What the hall did with one event: ``rejected`` is for good (``code`` says why)."""

    event_id: str
    status: EventStatus
    code: str | None = None


class EventBatchPublic(_Model):
    """One result per delivered event, in the order they came."""

    results: list[EventResultPublic]
