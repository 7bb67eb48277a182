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
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

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


ItemKind = Literal["instant", "materials", "bundle", "service", "handoff"]
"""What a citizen gets from an item: decided on the spot from shared data (``instant``), a case
with documents checked by OCR (``materials``), several items in one application (``bundle``), a
terminal service that is no application (``service``: progress, collecting, printing), or a
ticket for a staffed window (``handoff``)."""
DecisionRule = Literal["social_insurance_record", "elder_age_60"]
"""The two coded rules of the first catalog; new items declare a :class:`DecisionSpec`."""

BUILTIN_FACTS = ("applicant", "resident", "age", "card")
"""Facts every decision may name without a lookup: the card, the household register entry, the
age in whole years on the decision day, and the card's ``days_left`` of validity."""

FactValue = str | int | float | bool

_FACT_PATH = r"^[a-z][a-z0-9_]{0,31}(\.[a-z][a-z0-9_]{0,31})?$"


class ConditionSpec(_Model):
    """One condition an instant item's applicant must meet, and the refusal when they do not.

    ``fact`` names a register looked up (``housing_fund``) or a field of it
    (``housing_fund.status``), or a built-in fact (:data:`BUILTIN_FACTS`). Exactly one test:
    ``present`` (``true``: a record or value exists; ``false``: none does), ``equals``,
    ``one_of``, ``at_least``, ``at_most``, ``starts_with``. A missing fact fails every test but
    ``present: false``.
    """

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,47}$")
    """The ``reason_code`` of the refusal."""
    fact: str = Field(pattern=_FACT_PATH)
    present: bool | None = None
    equals: FactValue | None = None
    one_of: list[FactValue] | None = Field(default=None, max_length=32)
    at_least: float | None = None
    at_most: float | None = None
    starts_with: str | None = Field(default=None, max_length=64)
    refusal: LocalizedText
    """What the citizen reads when this condition fails: which condition, in plain words."""

    @model_validator(mode="after")
    def _one_test(self) -> ConditionSpec:
        tests = [
            self.present,
            self.equals,
            self.one_of,
            self.at_least,
            self.at_most,
            self.starts_with,
        ]
        if sum(test is not None for test in tests) != 1:
            raise ValueError(f"condition {self.code}: give exactly one test")
        return self

    @property
    def subject(self) -> str:
        """The register or built-in fact the condition reads."""
        return self.fact.split(".", 1)[0]


class DecisionSpec(_Model):
    """An instant item's declarative decision: the registers to look up and the conditions.

    The hall approves when every condition holds, in order; the first that fails refuses with its
    own words. Adding an item with a new decision needs no new Python.
    """

    lookups: list[str] = Field(default_factory=list, max_length=8)
    """Registers (``hall.registers``) to read for the applicant's ID number."""
    conditions: list[ConditionSpec] = Field(default_factory=list, max_length=16)

    @model_validator(mode="after")
    def _facts_looked_up(self) -> DecisionSpec:
        known = set(self.lookups) | set(BUILTIN_FACTS)
        for condition in self.conditions:
            if condition.subject not in known:
                raise ValueError(
                    f"condition {condition.code} reads {condition.subject!r}, not looked up"
                )
        return self


class CertificateLine(_Model):
    """One printed line of a declared certificate: a label and a value template.

    ``value`` holds ``{fact.field}`` places filled from the decision's facts; ``{fact.field|text}``
    prints ``text`` when the fact is missing.
    """

    label: LocalizedText
    value: str = Field(max_length=200)


class CertificateSpec(_Model):
    """A certificate declared in the catalog instead of coded in ``hall.certificates``."""

    title: LocalizedText
    id_prefix: str = Field(pattern=r"^[A-Z]{2}$")
    valid_days: int | None = Field(default=None, ge=1, le=3660)
    lines: list[CertificateLine] = Field(min_length=1, max_length=16)


class CategoryPublic(_Model):
    """A category of the choose screen (社会保障, 医疗保障 ...)."""

    id: str
    name: LocalizedText
    icon: str = "item"
    order: int = 100


class ServiceItem(_Model):
    """One service item with its full guide ("一图可视")."""

    id: str
    kind: ItemKind = "materials"
    """Derived from the other fields when the file does not say (see ``_legacy_kind``)."""
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
    category: str = "general"
    """The id of its :class:`CategoryPublic`."""
    flow: str | None = Field(default=None, max_length=64)
    """For ``service`` items: the terminal journey that serves it (``case-progress``,
    ``certificate-collect``, ``business-license-print``)."""
    decision: DecisionSpec | None = None
    """For ``instant`` items: the register lookups and conditions the hall decides by."""
    certificate: CertificateSpec | None = None
    """A certificate declared here (else ``certificate_template`` names a coded one)."""
    keywords: list[str] = Field(default_factory=list, max_length=64)
    """Synonyms and everyday phrasings for the search (我要开餐馆, 开饭店 ...)."""
    usage_rank: int = Field(default=1000, ge=0)
    """How often it is used here (1: the most): the choose screen lists the most used first."""
    face_match: Literal["required", "optional", "off"] = "off"
    """Face match (人证核验) of the citizen against the card's photo before the item's
    materials: ``required`` (a mismatch after the retries goes to staff), ``optional`` (the
    citizen may skip it) or ``off``."""

    @model_validator(mode="before")
    @classmethod
    def _legacy_kind(cls, data: Any) -> Any:
        # The first catalog had kind "service" (every application) or "progress_query" and no
        # flow; cached copies of it still load, with the kind the other fields imply.
        if not isinstance(data, dict):
            return data
        kind = data.get("kind")
        if kind == "progress_query":
            return {**data, "kind": "service", "flow": data.get("flow") or "case-progress"}
        if kind is None or (kind == "service" and not data.get("flow")):
            if data.get("bundle_of"):
                kind = "bundle"
            elif data.get("instant"):
                kind = "instant"
            else:
                kind = "materials"
            return {**data, "kind": kind}
        return data

    @property
    def takes_submissions(self) -> bool:
        """Whether a citizen applies for it (instant, materials and bundles), not a service."""
        return self.kind in ("instant", "materials", "bundle")


class CatalogPublic(_Model):
    """The versioned catalog the hall serves and terminals cache."""

    version: str
    items: list[ServiceItem]
    categories: list[CategoryPublic] = Field(default_factory=list)
    """The choose screen's categories in order (empty in catalogs older than categories)."""

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
    visit_seconds: float | None = Field(default=None, ge=0, le=86400)
    """Seconds from the citizen's first touch to this submission (the daily table's visit time);
    ``None``: not measured, or sent by a terminal older than this field."""


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
    members: list[MemberResultPublic] = Field(default_factory=list)
    """For a bundle: each member item's own status, decision and certificate, in bundle order."""


class MemberResultPublic(_Model):
    """One member item of a bundle case ("一件事一次办"): decided on its own."""

    item_id: str
    name: LocalizedText
    status: SubmissionStatus
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


NightlyKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
NightlyText = Annotated[str, Field(max_length=120)]


class NightlyReport(_Model):
    """What the terminal's last nightly maintenance did (``[maintenance] window``), step by step.

    Each step's line starts with ``ok``, ``skipped`` or ``failed``; ``self_test`` is the device
    check's status per part (``ok``, ``warn``, ``fail: reason`` ...). No personal data.
    """

    night: dt.date
    """The local date on which the window opened."""
    started_at: dt.datetime
    finished_at: dt.datetime
    steps: dict[NightlyKey, NightlyText] = Field(default_factory=dict, max_length=10)
    self_test: dict[NightlyKey, NightlyText] = Field(default_factory=dict, max_length=16)
    restart: NightlyText = ""
    """Why the app restarted after the window ("" when it did not need to)."""

    def problems(self) -> list[str]:
        """The failed steps and failed parts, as short lines for staff."""
        failed = [
            f"{name}: {line}"
            for name, line in self.steps.items()
            # A failed self-test is said part by part below.
            if line.startswith("failed") and not (name == "self_test" and self.self_test)
        ]
        failed += [
            f"self-test {name}: {line}"
            for name, line in self.self_test.items()
            if line.startswith("fail")
        ]
        return failed


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
    heartbeat_every_s: float | None = Field(default=None, gt=0, le=86400)
    """This terminal's beat interval: the hall marks it offline after three missed."""
    min_free_disk_bytes: int | None = Field(default=None, ge=0)
    """The terminal's own minimum of free disk (maintenance ``min_free_mb``)."""
    config_version: int | None = Field(default=None, ge=0)
    """The version of the hall's desired configuration this terminal has applied."""
    config_problem: str = Field(default="", max_length=200)
    """Why the desired configuration could not be applied in full ("" when it was)."""
    command_acks: list[CommandAck] = Field(default_factory=list, max_length=20)
    """Commands of the hall carried out (or refused) since the last beat went."""
    catalog_release: int | None = Field(default=None, ge=0)
    """The signed catalog release (metadata version) in use; ``None``: the shipped catalog."""
    catalog_problem: str = Field(default="", max_length=200)
    """Why the hall's newest catalog was refused ("" when none was): the last good one is used."""
    out_of_service: str = Field(default="", max_length=200)
    """Why the terminal's app is not running ("" while it runs): sent once by ``kiosk
    out-of-service`` when its start failed repeatedly; the app's next beat clears it."""
    locked: bool = False
    """The terminal shows the out-of-service screen (a ``lock`` command)."""
    updating: str = Field(default="", max_length=64)
    """The release the installer has now ("" when none): the terminal takes no citizen until
    the installer restarts it on that release or it gives the update up."""
    nightly: NightlyReport | None = None
    """The last nightly maintenance (``None``: none ran since this terminal was installed)."""


class HeartbeatPublic(_Model):
    """The hall's answer to a heartbeat: when it got it, by its own clock, and the shadow.

    The device shadow: the configuration the hall wants this terminal to run (``desired``, with
    its version), the commands waiting for it, and the state of its recent staff calls.
    """

    kiosk_id: str
    received_at: dt.datetime
    server_time: dt.datetime
    desired: DesiredConfigPublic | None = None
    commands: list[CommandPublic] = Field(default_factory=list)
    staff_calls: list[StaffCallPublic] = Field(default_factory=list)


class TerminalPublic(_Model):
    """One terminal as the dashboard sees it: its latest heartbeat."""

    kiosk_id: str
    last_seen_at: dt.datetime
    heartbeat: HeartbeatCreate
    status: FleetStatus = "ok"
    site: str | None = None
    faults: list[str] = Field(default_factory=list)
    """Why the terminal is ``degraded`` (fault codes, see ``FLEET_FAULTS``)."""
    open_alerts: list[str] = Field(default_factory=list)
    """Kinds of the terminal's open alerts."""
    desired_version: int | None = None
    """The desired configuration's version for this terminal; differs from the heartbeat's
    ``config_version`` until the terminal has applied it."""


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


def mask_name(name: str) -> str:
    """A name as a screen or page anyone may see shows it: 王秀英 -> 王*英, 李四 -> 李*."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def canonical_json(data: Any) -> bytes:
    """Serialise JSON-able data the one way both sides hash and sign it."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def payload_hash(submission: SubmissionCreate) -> str:
    """The SHA-256 of a submission's canonical JSON: same key + other hash is a client bug (422)."""
    data = submission.model_dump(mode="json")
    # Fields added later are left out while unset, so a submission queued by an older terminal
    # keeps its hash (the hall compares it on every retry of the same idempotency key).
    for name in ("commitments", "identity", "visit_seconds"):
        if data.get(name) in (None, []):
            data.pop(name, None)
    return hashlib.sha256(canonical_json(data)).hexdigest()


# --- The certificate QR code --------------------------------------------------------------------
#
# Version 2 (current): the QR code is a URL of the hall's public verification page,
#   ``<public base>/verify?v=2&c=<base64url raw-deflate of the claims JSON>&s=<base64url sig>``,
# where the Ed25519 signature covers the claims' canonical JSON (before deflate), and the claims
# carry every value printed on the certificate: title, issuer, each row's labels and value,
# id, dates. A phone opens the page; a terminal recognises the URL and verifies it offline by key
# id, without the network. Version 1 (``ZWCERT1.<claims>.<sig>``) signed only the name, masked
# number, id and dates: such a code is recognised and answered "outdated" (its other printed
# values cannot be checked), never "genuine".

CERT_QR_PREFIX = "ZWCERT1"
"""Version 1: ``ZWCERT1.<base64url claims JSON>.<base64url Ed25519 signature over the claims>``."""
CERT_QR_VERSION: Literal[2] = 2
VERIFY_PATH = "/verify"
"""The hall's public verification page; certificate and receipt QR codes are URLs of it."""
CERT_CLAIMS_MAX_BYTES = 8 * 1024
"""A v2 claims body inflates to at most this: a larger one is refused (no deflate bombs)."""
CERT_PARAM_MAX_CHARS = 4096
"""Longest ``c`` or ``s`` query value read at all."""

_Label = Annotated[str, Field(max_length=40)]
_Value = Annotated[str, Field(max_length=200)]

CERTIFICATE_LABELS_EN: dict[str, str] = {
    "姓名": "Name",
    "性别": "Sex",
    "出生日期": "Date of birth",
    "公民身份号码": "Citizen ID number",
    "证件号码": "ID number",
    "参保单位": "Insured through",
    "参保险种": "Insurance kinds",
    "参保起始年月": "Insured since",
    "累计缴费月数": "Months paid",
    "参保状态": "Status",
    "有效期": "Valid until",
    "有效期至": "Valid until",
}
"""The English of each printed label: the QR code signs the Chinese label and its value only (a
smaller code), and a check shows the label in the reader's language from this vocabulary."""


def certificate_label_en(label_zh: str) -> str:
    """The English of a certificate's printed label; the Chinese one when it is not known."""
    return CERTIFICATE_LABELS_EN.get(label_zh, label_zh)


class CertificateClaims(_Model):
    """What a certificate's QR code asserts, signed by the hall.

    ``v=2`` claims hold every printed value: ``ttl`` (the title), ``iss`` (the issuing body) and
    ``f``, the printed rows as (Chinese label, value), English labels from
    ``CERTIFICATE_LABELS_EN``. The printed certificate is laid out from these claims, so what the
    check shows is exactly what the paper must say.
    """

    v: Literal[1, 2] = CERT_QR_VERSION
    kid: str = Field(max_length=64)
    cid: str = Field(max_length=40)
    """Certificate id."""
    case: str = Field(max_length=40)
    item: str = Field(max_length=80)
    name: str = Field(max_length=80)
    idm: str = Field(max_length=40)
    """Holder's ID number, masked."""
    iat: dt.date
    exp: dt.date | None = None
    ttl: _Label | None = None
    iss: _Label | None = None
    f: tuple[tuple[_Label, _Value], ...] = Field(default=(), max_length=24)


CertificateStatus = Literal[
    "genuine", "tampered", "expired", "unknown_key", "malformed", "outdated", "unsupported"
]
"""``outdated``: a version 1 code whose signature holds but does not cover every printed value;
``unsupported``: a code of a newer format than this side knows."""


class CertificateCheck(_Model):
    """The outcome of verifying a certificate QR payload offline.

    ``claims`` is set when the signature checked out (genuine, expired, outdated) and, for
    ``unknown_key``, holds what the code claims (not to be shown as fact).
    """

    status: CertificateStatus
    claims: CertificateClaims | None = None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def _unb64url(text: str) -> bytes:
    if not _B64URL.match(text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _inflate(data: bytes) -> bytes:
    unpacker = zlib.decompressobj(-15)
    out = unpacker.decompress(data, CERT_CLAIMS_MAX_BYTES)
    if unpacker.unconsumed_tail or not unpacker.eof:
        raise ValueError("claims too large or truncated")
    return out


def certificate_claims_bytes(claims: CertificateClaims) -> bytes:
    """The bytes a certificate's signature covers: the claims' canonical JSON."""
    return canonical_json(claims.model_dump(mode="json"))


def encode_certificate_qr(
    claims: CertificateClaims, sign: Callable[[bytes], bytes], *, base_url: str
) -> str:
    """Make the QR payload: a URL of ``base_url``'s verification page carrying signed claims."""
    if claims.v != CERT_QR_VERSION:
        raise ValueError(f"only version {CERT_QR_VERSION} certificate codes are made")
    body = certificate_claims_bytes(claims)
    query = urlencode(
        {"v": CERT_QR_VERSION, "c": _b64url(_deflate(body)), "s": _b64url(sign(body))}
    )
    return f"{base_url.rstrip('/')}{VERIFY_PATH}?{query}"


def progress_url(base_url: str, case_number: str) -> str:
    """The URL a receipt's QR code carries: the public page of the case's progress."""
    return f"{base_url.rstrip('/')}{VERIFY_PATH}?{urlencode({'case': case_number})}"


def _verify_url_query(payload: str) -> dict[str, str] | None:
    """The query of a URL of a verification page, or ``None`` when ``payload`` is not one."""
    text = payload.strip()
    if len(text) > 3 * CERT_PARAM_MAX_CHARS or any(c.isspace() for c in text):
        return None
    try:
        split = urlsplit(text)
    except ValueError:
        return None
    if split.scheme not in ("http", "https") or not split.netloc:
        return None
    if not split.path.rstrip("/").endswith(VERIFY_PATH):
        return None
    return parse_verify_query(split.query)


def parse_verify_query(query: str) -> dict[str, str]:
    """The parameters of a verification page's query string; ``{}`` when it is not a sane one.

    A repeated parameter makes it ``{}`` (malformed), never a choice of one of them.
    """
    if len(query) > 3 * CERT_PARAM_MAX_CHARS:
        return {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=8, strict_parsing=True)
    except ValueError:
        return {}
    params = dict(pairs)
    return params if len(params) == len(pairs) else {}


def is_certificate_qr(payload: str) -> bool:
    """Whether a scanned payload claims to be one of our certificates (any version)."""
    text = payload.strip()
    if text.startswith(CERT_QR_PREFIX + "."):
        return True
    query = _verify_url_query(text)
    return query is not None and "case" not in query


def case_number_from_qr(payload: str) -> str | None:
    """The case number of a receipt's QR code: the bare number (old receipts) or the page URL."""
    text = payload.strip()
    if re.match(CASE_NUMBER_PATTERN, text):
        return text
    query = _verify_url_query(text)
    if query is None or set(query) != {"case"}:
        return None
    case = query["case"]
    return case if re.match(CASE_NUMBER_PATTERN, case) else None


def _verify_signed(
    body: bytes, signature: bytes, version: int, public_keys: Mapping[str, bytes], today: dt.date
) -> CertificateCheck:
    try:
        claims = CertificateClaims.model_validate_json(body)
    except ValidationError:
        return CertificateCheck(status="malformed")
    if claims.v != version:
        return CertificateCheck(status="tampered")
    raw_key = public_keys.get(claims.kid)
    if raw_key is None:
        return CertificateCheck(status="unknown_key", claims=claims)
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, body)
    except (InvalidSignature, ValueError):
        return CertificateCheck(status="tampered")
    if version == 1:
        return CertificateCheck(status="outdated", claims=claims)
    if claims.exp is not None and claims.exp < today:
        return CertificateCheck(status="expired", claims=claims)
    return CertificateCheck(status="genuine", claims=claims)


def verify_certificate_query(
    query: Mapping[str, str], public_keys: Mapping[str, bytes], today: dt.date
) -> CertificateCheck:
    """Verify the ``v``, ``c`` and ``s`` parameters of a verification page's URL."""
    version = query.get("v", "")
    if version.isdigit() and len(version) < 4 and int(version) > CERT_QR_VERSION:
        return CertificateCheck(status="unsupported")
    if version != str(CERT_QR_VERSION) or set(query) != {"v", "c", "s"}:
        return CertificateCheck(status="malformed")
    packed, signed = query["c"], query["s"]
    if len(packed) > CERT_PARAM_MAX_CHARS or len(signed) > CERT_PARAM_MAX_CHARS:
        return CertificateCheck(status="malformed")
    try:
        body, signature = _inflate(_unb64url(packed)), _unb64url(signed)
    except (binascii.Error, ValueError, zlib.error):
        return CertificateCheck(status="malformed")
    return _verify_signed(body, signature, CERT_QR_VERSION, public_keys, today)


def verify_certificate_qr(
    payload: str, public_keys: Mapping[str, bytes], today: dt.date
) -> CertificateCheck:
    """Verify a certificate QR payload (a v2 URL or a v1 code) with the hall's raw Ed25519 keys."""
    text = payload.strip()
    if text.startswith(CERT_QR_PREFIX + "."):
        parts = text.split(".")
        if len(parts) != 3:
            return CertificateCheck(status="malformed")
        try:
            body, signature = _unb64url(parts[1]), _unb64url(parts[2])
        except (binascii.Error, ValueError):
            return CertificateCheck(status="malformed")
        return _verify_signed(body, signature, 1, public_keys, today)
    query = _verify_url_query(text)
    if query is None:
        return CertificateCheck(status="malformed")
    return verify_certificate_query(query, public_keys, today)


_FULL_ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}")
_NAME_LABELS = frozenset({"姓名"})


def certificate_rows(claims: CertificateClaims) -> list[tuple[str, str, str]]:
    """The signed printed rows as a check shows them: (label zh, label en, value).

    Names are masked (王*英) and any full ID number is masked (first 6, last 4), so a screen or
    a phone's page never shows more than the masked number, whatever a template prints.
    """
    rows = []
    for label, value in claims.f:
        shown = mask_name(value) if label in _NAME_LABELS else value
        shown = _FULL_ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), shown)
        rows.append((label, certificate_label_en(label), shown))
    return rows


def read_certificate_claims(payload: str) -> CertificateClaims | None:
    """The claims a v2 code carries, unverified: what the printed page is laid out from.

    Only for a payload that came from the hall itself (over the signed channel); a scanned code
    is checked with ``verify_certificate_qr``.
    """
    query = _verify_url_query(payload)
    if query is None or query.get("v") != str(CERT_QR_VERSION) or "c" not in query:
        return None
    try:
        return CertificateClaims.model_validate_json(_inflate(_unb64url(query["c"])))
    except (binascii.Error, ValueError, zlib.error, ValidationError):
        return None


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


# --- The fleet: health, device shadow, staff calls, signed catalog ------------------------------

STAFF_CALLS_PATH = f"{API_PREFIX}/staff-calls"
STAFF_CALL_PATH = f"{API_PREFIX}/staff-calls/{{call_id}}"
TERMINAL_LOGS_PATH = f"{API_PREFIX}/terminal-logs"
CATALOG_METADATA_PATH = f"{API_PREFIX}/catalog/metadata"

FleetStatus = Literal["ok", "degraded", "offline"]
FLEET_FAULTS = (
    "device_failed",
    "paper_low",
    "outbox_stale",
    "disk_low",
    "store_full",
    "clock_skew",
    "catalog_refused",
    "out_of_service",
    "nightly_failed",
    "nightly_missed",
)
"""What makes a terminal ``degraded``; each raises an alert of the same kind."""
ALERT_KINDS = (*FLEET_FAULTS, "offline", "staff_called")

CommandKind = Literal[
    "restart", "lock", "unlock", "print_test_page", "refresh_catalog", "upload_log"
]
COMMAND_KINDS: tuple[str, ...] = (
    "restart",
    "lock",
    "unlock",
    "print_test_page",
    "refresh_catalog",
    "upload_log",
)

_ItemId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class DesiredConfig(_Model):
    """The part of a terminal's TOML the hall may set at run time; ``None``: the terminal's own.

    Each bound is the terminal's own (``kiosk.config``), so what validates here applies there.
    """

    idle_warning_s: int | None = Field(default=None, ge=10, le=600)
    idle_countdown_s: int | None = Field(default=None, ge=20, le=120)
    decision_wait_s: float | None = Field(default=None, gt=0, le=60)
    language: Literal["zh", "en"] | None = None
    """The language a new session starts in."""
    enabled_items: list[_ItemId] | None = Field(default=None, max_length=500)
    """Catalog items the terminal offers (``None``: all)."""
    receipt_cut: Literal["partial", "full", "none"] | None = None
    receipt_width_chars: int | None = Field(default=None, ge=24, le=64)
    document_printer_queue: str | None = Field(
        default=None, min_length=1, max_length=127, pattern=r"^[A-Za-z0-9_.-]+$"
    )

    def over(self, base: DesiredConfig) -> DesiredConfig:
        """This configuration's set fields over ``base`` (a terminal's over its group's)."""
        return base.model_copy(update=self.model_dump(exclude_none=True))


class DesiredConfigPublic(_Model):
    """The configuration the hall wants a terminal to run, and its version (grows on change)."""

    version: int = Field(ge=0)
    config: DesiredConfig


class CommandPublic(_Model):
    """A command for one terminal; it acknowledges it by id in a later heartbeat."""

    command_id: str = Field(min_length=1, max_length=64)
    kind: CommandKind
    queued_at: dt.datetime


class CommandAck(_Model):
    """A terminal's answer to a command: done, or failed with a short reason (no personal data)."""

    command_id: str = Field(min_length=1, max_length=64)
    status: Literal["done", "failed"]
    detail: str = Field(default="", max_length=200)


class StaffCallCreate(_Model):
    """The citizen pressed 呼叫工作人员: raise a ``staff_called`` alert for this terminal.

    ``call_id`` is made by the terminal, so a repeat is the same call.
    """

    kiosk_id: str = Field(min_length=1, max_length=64)
    call_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
    sent_at: dt.datetime


class StaffCallPublic(_Model):
    """A staff call as the hall holds it: raised, and acknowledged by staff once someone comes."""

    call_id: str
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None = None
    cleared_at: dt.datetime | None = None


class TerminalLogCreate(_Model):
    """The recent error log a terminal uploads on an ``upload_log`` command, ID numbers masked."""

    kiosk_id: str = Field(min_length=1, max_length=64)
    command_id: str = Field(min_length=1, max_length=64)
    lines: list[Annotated[str, Field(max_length=2000)]] = Field(max_length=500)


class CatalogMetadataSigned(_Model):
    """What the hall signs for a catalog release (TUF's timestamp and snapshot roles in one).

    ``release`` grows with each publication: a terminal never goes back to a smaller one
    (rollback). After ``expires`` a terminal refuses the metadata (a frozen or replayed hall).
    """

    type: Literal["catalog-release"] = "catalog-release"
    release: int = Field(ge=1)
    catalog_version: str = Field(min_length=1, max_length=64)
    catalog_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of the catalog body as served by ``GET /api/v1/catalog``."""
    published_at: dt.datetime
    expires: dt.datetime


class CatalogMetadataPublic(_Model):
    """Signed catalog metadata: ``signed`` and an Ed25519 signature over its canonical JSON."""

    signed: CatalogMetadataSigned
    kid: str = Field(min_length=1, max_length=64)
    signature_b64: str = Field(min_length=1, max_length=200)


class CatalogMetadataError(ValueError):
    """Catalog metadata a terminal must refuse: bad signature, rollback, expired, wrong body."""


def catalog_metadata_bytes(signed: CatalogMetadataSigned) -> bytes:
    """The canonical bytes signed for catalog metadata (sorted keys, no spaces, UTF-8)."""
    return json.dumps(
        signed.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def verify_catalog_metadata(
    metadata: CatalogMetadataPublic,
    keys: Mapping[str, bytes],
    *,
    now: dt.datetime,
    current_release: int | None,
) -> CatalogMetadataSigned:
    """Check signed catalog metadata as a terminal must; returns what was signed.

    Raises :class:`CatalogMetadataError` for an unknown key, a bad signature, expired metadata,
    or a release older than ``current_release`` (a rollback).
    """
    raw_key = keys.get(metadata.kid)
    if raw_key is None:
        raise CatalogMetadataError(f"catalog metadata signed by unknown key {metadata.kid}")
    try:
        signature = base64.b64decode(metadata.signature_b64, validate=True)
        Ed25519PublicKey.from_public_bytes(raw_key).verify(
            signature, catalog_metadata_bytes(metadata.signed)
        )
    except (InvalidSignature, ValueError, binascii.Error):
        raise CatalogMetadataError("catalog metadata: bad signature") from None
    signed = metadata.signed
    if signed.expires <= now:
        raise CatalogMetadataError(
            f"catalog release {signed.release} expired at {signed.expires.isoformat()}"
        )
    if current_release is not None and signed.release < current_release:
        raise CatalogMetadataError(
            f"catalog release {signed.release} is older than release {current_release} in use"
        )
    return signed


# --- App releases: signed updates pulled from the hall (TUF's roles, cut down) -------------------

RELEASE_OFFER_PATH = f"{API_PREFIX}/releases/offer"
RELEASE_FILE_PATH = f"{API_PREFIX}/releases/{{version}}/file"
RELEASE_REPORTS_PATH = f"{API_PREFIX}/releases/reports"
RELEASE_WHEEL_PATH = f"{API_PREFIX}/releases/{{version}}/wheels/{{file_name}}"
"""One file of a release's wheelhouse (the locked dependencies, for terminals with no index)."""

RELEASE_VERSION_PATTERN = r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$"
"""A release version: up to four dot-separated numbers (``0.3.0``, ``2026.12.1``). Nothing else,
so that "newer" has one meaning on the hall and on every terminal (no pre-release ordering)."""
RELEASE_FILE_PATTERN = r"^gov_kiosk-[0-9][0-9.]{0,40}-py3-none-any\.whl$"
"""The file a release carries: the project's pure-Python wheel, named as pip names it."""
RELEASE_MAX_BYTES = 512 * 1024 * 1024
"""The largest release file a terminal downloads (the signed length must be under it)."""
RELEASE_WHEELHOUSE_FILE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,199}\.(whl|tar\.gz|zip)$"
"""A dependency's distribution file as pip names it (a wheel, or an sdist): no folders."""
RELEASE_WHEELHOUSE_MAX_FILES = 400
RELEASE_OUTCOMES = ("installed", "failed", "rolled_back")
"""What a terminal reports of a release: running it, not installed (download, verification,
build), or installed and then switched back (no READY, or its self-test failed)."""
ReleaseOutcome = Literal["installed", "failed", "rolled_back"]


def release_file_digest(path: Path) -> tuple[int, str]:
    """A release or wheelhouse file's length and SHA-256 (hex), as its signed targets name them."""
    digest = hashlib.sha256()
    length = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            length += len(chunk)
    return length, digest.hexdigest()


def release_version_key(version: str) -> tuple[int, ...]:
    """A release version as numbers for ordering; ``ValueError`` for one that is not a version."""
    if not re.fullmatch(RELEASE_VERSION_PATTERN, version):
        raise ValueError(f"{version!r} is not a release version (numbers and dots: 0.3.0)")
    parts = [int(part) for part in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()  # 0.3 == 0.3.0
    return tuple(parts)


class ReleaseWheel(_Model):
    """One file of a release's wheelhouse: its name, length and SHA-256 (TUF's target entry)."""

    file_name: str = Field(pattern=RELEASE_WHEELHOUSE_FILE_PATTERN)
    length: int = Field(ge=1, le=RELEASE_MAX_BYTES)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ReleaseTargetsSigned(_Model):
    """TUF's targets role for one release: which file, how long, its SHA-256, and its version.

    Signed once at publication. ``release`` counts publications (1, 2, ...): a terminal never
    accepts a smaller one than it has seen, so old metadata replayed is refused even when signed.
    """

    type: Literal["kiosk-release-targets"] = "kiosk-release-targets"
    release: int = Field(ge=1)
    version: str = Field(pattern=RELEASE_VERSION_PATTERN)
    file_name: str = Field(pattern=RELEASE_FILE_PATTERN)
    length: int = Field(ge=1, le=RELEASE_MAX_BYTES)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    published_at: dt.datetime
    wheelhouse: list[ReleaseWheel] = Field(
        default_factory=list, max_length=RELEASE_WHEELHOUSE_MAX_FILES
    )
    """The distribution files of the release's locked dependencies, when it was published with
    them (``kiosk-hall release publish --wheelhouse DIR``): the terminal downloads the ones it
    does not hold yet and installs with no package index. Empty: the terminal's index serves
    them."""

    @model_validator(mode="after")
    def _one_file_per_name(self) -> ReleaseTargetsSigned:
        names = [wheel.file_name for wheel in self.wheelhouse]
        if len(set(names)) != len(names):
            raise ValueError("the wheelhouse names a file twice")
        return self


class ReleaseTimestampSigned(_Model):
    """TUF's timestamp role for one terminal's question: what the hall offers it now.

    Signed at every answer with a short expiry, so a frozen mirror (or a hall whose answers are
    held back) is noticed: ``issued_at`` never goes back, ``expires`` is hours away. It names the
    terminal (another terminal's answer is no use) and the newest release published (so an
    offer withheld from a terminal that is not in a rollout is told apart from a freeze).
    """

    type: Literal["kiosk-release-timestamp"] = "kiosk-release-timestamp"
    kiosk_id: str = Field(min_length=1, max_length=64)
    issued_at: dt.datetime
    expires: dt.datetime
    newest_release: int | None = Field(default=None, ge=1)
    targets_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of the offered targets' canonical bytes (``None``: nothing offered)."""


class ReleaseTargetsPublic(_Model):
    """Signed release targets: ``signed`` and an Ed25519 signature over its canonical JSON."""

    signed: ReleaseTargetsSigned
    kid: str = Field(min_length=1, max_length=64)
    signature_b64: str = Field(min_length=1, max_length=200)


class ReleaseTimestampPublic(_Model):
    """A signed release timestamp."""

    signed: ReleaseTimestampSigned
    kid: str = Field(min_length=1, max_length=64)
    signature_b64: str = Field(min_length=1, max_length=200)


class ReleaseOfferPublic(_Model):
    """The hall's answer to ``GET /api/v1/releases/offer``: a timestamp and maybe a release."""

    timestamp: ReleaseTimestampPublic
    targets: ReleaseTargetsPublic | None = None


class ReleaseReportCreate(_Model):
    """A terminal's outcome of a release; the same terminal, version and outcome is one report."""

    kiosk_id: str = Field(min_length=1, max_length=64)
    version: str = Field(pattern=RELEASE_VERSION_PATTERN)
    outcome: ReleaseOutcome
    detail: str = Field(default="", max_length=200)
    """Why it failed or was rolled back (no personal data)."""
    running_version: str = Field(max_length=64)
    """The app version running when the report was sent."""
    at: dt.datetime


class ReleaseMetadataError(ValueError):
    """Release metadata a terminal must refuse; the message says why, for the log and the hall."""


def canonical_bytes(model: BaseModel) -> bytes:
    """The canonical bytes signed for a metadata document (sorted keys, no spaces, UTF-8)."""
    return json.dumps(
        model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def _check_signature(
    what: str, signed: BaseModel, kid: str, signature_b64: str, keys: Mapping[str, bytes]
) -> None:
    raw_key = keys.get(kid)
    if raw_key is None:
        raise ReleaseMetadataError(f"{what} signed by unknown key {kid}")
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, canonical_bytes(signed))
    except (InvalidSignature, ValueError, binascii.Error):
        raise ReleaseMetadataError(f"{what}: bad signature") from None


def verify_release_targets(
    targets: ReleaseTargetsPublic,
    keys: Mapping[str, bytes],
    *,
    running_version: str,
    seen_release: int | None,
    allow_running: bool = False,
) -> ReleaseTargetsSigned:
    """Check signed targets as a terminal must before it downloads or installs a release.

    Raises :class:`ReleaseMetadataError` for an unknown key, a bad signature, a release number
    below the highest one seen (old metadata replayed), or a version not newer than the one
    running (no rollback to an older version, and no reinstall of the same one; with
    ``allow_running`` the running version itself passes: the terminal is up to date).
    """
    _check_signature("release targets", targets.signed, targets.kid, targets.signature_b64, keys)
    signed = targets.signed
    if seen_release is not None and signed.release < seen_release:
        raise ReleaseMetadataError(
            f"release {signed.release} ({signed.version}) is older than release {seen_release} "
            "already seen (replayed metadata, or an older release offered after a halt: "
            "publish a newer one)"
        )
    try:
        running = release_version_key(running_version)
    except ValueError:
        running = ()
    offered = release_version_key(signed.version)
    if offered < running or (offered == running and not allow_running):
        raise ReleaseMetadataError(
            f"version {signed.version} is not newer than {running_version} running (rollback)"
        )
    if f"-{signed.version}-" not in signed.file_name:
        raise ReleaseMetadataError(f"file {signed.file_name} is not version {signed.version}")
    return signed


def verify_release_offer(
    offer: ReleaseOfferPublic,
    keys: Mapping[str, bytes],
    *,
    kiosk_id: str,
    now: dt.datetime,
    running_version: str,
    seen_release: int | None,
    seen_issued_at: dt.datetime | None,
    clock_tolerance: dt.timedelta = dt.timedelta(seconds=60),
) -> ReleaseTargetsSigned | None:
    """Check the hall's offer as a terminal must; returns the release offered, or ``None``.

    The release returned may be the version running (the terminal is up to date); an older
    one is refused.

    The timestamp: a pinned key's good signature, this terminal's id, not expired, not issued
    before the last one accepted (a replay; ``clock_tolerance`` allows for the clocks of a
    hall's several hosts behind one address). The targets, when offered: the timestamp's hash
    of them, then :func:`verify_release_targets`. Raises :class:`ReleaseMetadataError`.
    """
    stamp = offer.timestamp
    _check_signature("release timestamp", stamp.signed, stamp.kid, stamp.signature_b64, keys)
    signed = stamp.signed
    if signed.kiosk_id != kiosk_id:
        raise ReleaseMetadataError(f"release timestamp is for terminal {signed.kiosk_id}")
    if signed.expires <= now:
        raise ReleaseMetadataError(
            f"release timestamp expired at {signed.expires.isoformat()} (a frozen hall or mirror)"
        )
    if seen_issued_at is not None and signed.issued_at < seen_issued_at - clock_tolerance:
        raise ReleaseMetadataError(
            f"release timestamp issued {signed.issued_at.isoformat()}, before the one accepted "
            f"at {seen_issued_at.isoformat()} (replayed metadata)"
        )
    if seen_release is not None and (signed.newest_release or 0) < seen_release:
        raise ReleaseMetadataError(
            f"the hall's newest release is {signed.newest_release}, older than release "
            f"{seen_release} already seen (a rolled-back hall or replayed metadata)"
        )
    if offer.targets is None:
        if signed.targets_sha256 is not None:
            raise ReleaseMetadataError("release timestamp names targets the hall did not send")
        return None
    digest = hashlib.sha256(canonical_bytes(offer.targets.signed)).hexdigest()
    if signed.targets_sha256 != digest:
        raise ReleaseMetadataError("release targets are not the ones the timestamp signed")
    return verify_release_targets(
        offer.targets,
        keys,
        running_version=running_version,
        seen_release=seen_release,
        allow_running=True,
    )


# The heartbeat models name the fleet's models defined after them.
HeartbeatCreate.model_rebuild()
HeartbeatPublic.model_rebuild()
TerminalPublic.model_rebuild()
TerminalsPublic.model_rebuild()
