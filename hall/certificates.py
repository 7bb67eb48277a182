"""Certificates: the hall's Ed25519 signing key and the certificates it issues for approved cases.

A certificate's QR code is a URL of the hall's public verification page carrying signed claims of
every printed value (``hall.schema.encode_certificate_qr``): a phone opens the page, any terminal
verifies it offline with the keys from ``GET /api/v1/keys``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hall.decisions import InsuranceFacts
from hall.errors import CertificateError, SigningKeyError
from hall.schema import (
    ApplicantCreate,
    CertificateClaims,
    CertificateField,
    CertificatePublic,
    LocalizedText,
    PublicKeyPublic,
    ServiceItem,
    encode_certificate_qr,
    mask_id_number,
)

logger = logging.getLogger(__name__)


def key_id(raw_public_key: bytes) -> str:
    """Return the key id: the first 16 hex digits of the SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


class SigningKey:
    """The hall's certificate signing key (Ed25519)."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.public_key_raw = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.kid = key_id(self.public_key_raw)

    @classmethod
    def generate(cls) -> SigningKey:
        """Make a fresh key held in memory only."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKey:
        """Load the PKCS#8 PEM key at ``path``; make one readable by the owner only when missing.

        Raises ``SigningKeyError`` when the file cannot be read, written or parsed.
        """
        try:
            return cls._load(path)
        except FileNotFoundError:
            pass
        key = cls.generate()
        try:
            key._write_new(path)
        except FileExistsError:
            # Another process made it between our read and our write: use theirs.
            return cls._load(path)
        except OSError as err:
            raise SigningKeyError(f"cannot write the signing key file {path}") from err
        logger.info("created signing key %s at %s", key.kid, path)
        return key

    @classmethod
    def _load(cls, path: Path) -> SigningKey:
        data = path.read_bytes()
        try:
            private_key = serialization.load_pem_private_key(data, password=None)
        except ValueError as err:
            raise SigningKeyError(f"the signing key file {path} is not a PEM key") from err
        if not isinstance(private_key, Ed25519PrivateKey):
            raise SigningKeyError(f"the signing key file {path} holds no Ed25519 key")
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            logger.warning("signing key file %s is readable by others: chmod 600 it", path)
        return cls(private_key)

    def _write_new(self, path: Path) -> None:
        pem = self._private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Write a temporary file and link it into place: never a half-written key under the real
        # name, and the link fails if someone else created the key meanwhile.
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
            os.link(temp, path)
        finally:
            temp.unlink(missing_ok=True)

    def private_bytes(self) -> bytes:
        """The raw 32-byte private key: for ``hall.keys.SigningKeyRing`` to seal it."""
        return self._private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` (64-byte Ed25519 signature)."""
        return self._private_key.sign(data)

    def public(self) -> PublicKeyPublic:
        """Return the public half, as the keys endpoint serves it."""
        return PublicKeyPublic(
            kid=self.kid, public_key_b64=base64.b64encode(self.public_key_raw).decode("ascii")
        )


@dataclass(frozen=True)
class CertificateTemplate:
    """What the hall needs to know about one certificate template."""

    code: str
    id_prefix: str
    """Two letters before the date in the certificate id, e.g. ``SB`` (社保)."""
    title: LocalizedText
    valid_days: int | None
    """Days of validity from the issue date; ``None`` for long-term."""


TEMPLATES: dict[str, CertificateTemplate] = {
    "si-insured": CertificateTemplate(
        code="si-insured",
        id_prefix="SB",
        title=LocalizedText(
            zh="社会保险个人参保证明", en="Certificate of Social Insurance Enrolment"
        ),
        # The record shows one moment: a printed proof is accepted for three months.
        valid_days=90,
    ),
    "elder-card": CertificateTemplate(
        code="elder-card",
        id_prefix="YD",
        title=LocalizedText(zh="老年人优待证", en="Senior Citizen's Preferential Card"),
        valid_days=None,
    ),
}

_INSURANCE_STATUS = {
    ("active", "employee"): "正常参保",
    ("active", "retiree"): "正常（退休，享受养老保险待遇）",
    ("suspended", "employee"): "暂停参保",
    ("suspended", "retiree"): "暂停发放",
    ("terminated", "employee"): "终止参保",
    ("terminated", "retiree"): "终止",
}


def template_for(code: str) -> CertificateTemplate:
    """Return the template with this code; ``CertificateError`` when there is none."""
    try:
        return TEMPLATES[code]
    except KeyError:
        raise CertificateError(f"unknown certificate template {code!r}") from None


def format_certificate_id(prefix: str, day: dt.date, serial: int) -> str:
    """Make a readable certificate id: prefix, date, daily serial (``SB2026112200001``)."""
    return f"{prefix}{day:%Y%m%d}{serial:05d}"


def _field(zh: str, en: str, value: str) -> CertificateField:
    # A check shows English labels from the wire contract's vocabulary (certificate_label_en):
    # a new label goes there too (a test holds the two in step).
    return CertificateField(label=LocalizedText(zh=zh, en=en), value=value)


def _si_insured_fields(
    applicant: ApplicantCreate, insurance: InsuranceFacts | None
) -> list[CertificateField]:
    if insurance is None:
        raise CertificateError("si-insured certificate without an insurance record")
    status = _INSURANCE_STATUS.get((insurance.status, insurance.category), insurance.status)
    return [
        _field("姓名", "Name", applicant.name),
        _field("公民身份号码", "Citizen ID number", mask_id_number(applicant.id_number)),
        _field("参保单位", "Insured through", insurance.unit),
        _field("参保险种", "Insurance kinds", "、".join(insurance.insurance_kinds)),
        _field("参保起始年月", "Insured since", f"{insurance.insured_since:%Y-%m}"),
        _field("累计缴费月数", "Months paid", str(insurance.months_paid)),
        _field("参保状态", "Status", status),
    ]


def _elder_card_fields(applicant: ApplicantCreate) -> list[CertificateField]:
    return [
        _field("姓名", "Name", applicant.name),
        _field("性别", "Sex", applicant.gender),
        _field("出生日期", "Date of birth", applicant.birth_date.isoformat()),
        _field("证件号码", "ID number", mask_id_number(applicant.id_number)),
        _field("有效期", "Valid until", "长期"),
    ]


def issue_certificate(
    *,
    certificate_id: str,
    case_number: str,
    item: ServiceItem,
    applicant: ApplicantCreate,
    insurance: InsuranceFacts | None,
    issued_at: dt.datetime,
    today: dt.date,
    key: SigningKey,
    base_url: str,
) -> CertificatePublic:
    """Make and sign the certificate of an approved case with the item's certificate template.

    ``today`` is the issue date in the hall's time zone. Raises ``CertificateError`` when the item
    has no known template or the shared data the template prints is missing. ``base_url`` is
    the hall's public address: the QR code is a URL of its verification page (``/verify``).
    """
    if item.certificate_template is None:
        raise CertificateError(f"item {item.id} has no certificate template")
    template = template_for(item.certificate_template)
    if template.code == "si-insured":
        fields = _si_insured_fields(applicant, insurance)
    else:
        fields = _elder_card_fields(applicant)
    valid_until = (
        None if template.valid_days is None else today + dt.timedelta(days=template.valid_days)
    )
    if valid_until is not None:
        fields.append(_field("有效期至", "Valid until", valid_until.isoformat()))
    masked = mask_id_number(applicant.id_number)
    # Every value the certificate prints is in the signed claims: the terminal lays the paper out
    # from them and a check shows them back, so an edited printout no longer matches its code.
    claims = CertificateClaims(
        kid=key.kid,
        cid=certificate_id,
        case=case_number,
        item=item.id,
        name=applicant.name,
        idm=masked,
        iat=today,
        exp=valid_until,
        ttl=template.title.zh,
        iss=item.department.zh,
        f=tuple((f.label.zh, f.value) for f in fields),
    )
    return CertificatePublic(
        certificate_id=certificate_id,
        template=template.code,
        title=template.title,
        holder_name=applicant.name,
        holder_id_masked=masked,
        fields=fields,
        issued_at=issued_at,
        valid_until=valid_until,
        issuer=item.department,
        qr_payload=encode_certificate_qr(claims, key.sign, base_url=base_url),
    )


def issue_declared_certificate(
    *,
    certificate_id: str,
    case_number: str,
    item: ServiceItem,
    fields: list[CertificateField],
    applicant: ApplicantCreate,
    issued_at: dt.datetime,
    today: dt.date,
    key: SigningKey,
    base_url: str,
) -> CertificatePublic:
    """Make and sign the certificate an item declares in the catalog (``item.certificate``).

    ``fields`` are its lines filled from the decision's facts (``hall.decisions``); like a coded
    template's, every printed value is in the signed claims, and the QR is a ``/verify`` URL.
    """
    spec = item.certificate
    if spec is None:
        raise CertificateError(f"item {item.id} declares no certificate")
    valid_until = None if spec.valid_days is None else today + dt.timedelta(days=spec.valid_days)
    masked = mask_id_number(applicant.id_number)
    if valid_until is not None and not any(f.label.zh == "有效期至" for f in fields):
        fields = [*fields, _field("有效期至", "Valid until", valid_until.isoformat())]
    claims = CertificateClaims(
        kid=key.kid,
        cid=certificate_id,
        case=case_number,
        item=item.id,
        name=applicant.name,
        idm=masked,
        iat=today,
        exp=valid_until,
        ttl=spec.title.zh,
        iss=item.department.zh,
        f=tuple((f.label.zh, f.value) for f in fields),
    )
    return CertificatePublic(
        certificate_id=certificate_id,
        template=item.id,
        title=spec.title,
        holder_name=applicant.name,
        holder_id_masked=masked,
        fields=fields,
        issued_at=issued_at,
        valid_until=valid_until,
        issuer=item.department,
        qr_payload=encode_certificate_qr(claims, key.sign, base_url=base_url),
    )
