"""Collecting what was approved elsewhere (证照领取), business licences (一企一证), public records.

A certificate or licence approved at a window (or by another system) waits in ``ready_documents``
for its holder. A terminal that has read the holder's card asks for the list (signed, the ID
number in the body), and prints one: the first copy is the collection, recorded once in
``document_collections``; later copies are reprints, limited to :data:`REPRINT_LIMIT` and each
recorded. Each copy is a hall-signed certificate whose QR code any terminal verifies offline.
Business licences are the licences of the enterprises the card holder legally represents
(``enterprises``, the demo market-regulation register); their QR code names the enterprise, whose
public record anyone may look up.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from hall import events, registers
from hall.auth import KIOSK_ID_SCOPE_KEY
from hall.certificates import SigningKey
from hall.collect_schema import (
    COLLECT_QUERY_PATH,
    COLLECTION_PATH,
    ENTERPRISE_PATH,
    REMINDER_DAYS,
    CollectionCreate,
    CollectionPublic,
    CollectQueryCreate,
    DocumentId,
    EnterprisePublic,
    ExpiryReminder,
    ReadyDocumentPublic,
    ReadyDocumentsPublic,
    RegulatorReportPayload,
    Uscc,
    enterprise_qr,
)
from hall.db import Base, Database, UtcDateTime
from hall.errors import HallError, TerminalMismatchError
from hall.events import EventRejected, Received
from hall.keys import Sealer
from hall.schema import (
    CertificateClaims,
    CertificateField,
    CertificatePublic,
    LocalizedText,
    encode_certificate_qr,
    mask_id_number,
)

logger = logging.getLogger(__name__)

REPRINT_LIMIT = 3
"""Copies after the collection, per document (as the terminal's own reprint limit)."""


class DocumentNotFoundError(HallError):
    """No such ready document for this holder (or none at all: the same answer, on purpose)."""

    status_code = 404
    code = "document_not_found"


class ReprintsUsedUpError(HallError):
    """The document was collected and its reprints are used up: the window can help."""

    status_code = 403
    code = "reprints_used_up"


class EnterpriseNotFoundError(HallError):
    """No enterprise with this code in the register."""

    status_code = 404
    code = "enterprise_not_found"


# --- Tables ---------------------------------------------------------------------------------------


class Enterprise(Base):
    """One enterprise of the market-regulation register: public data but for its representative.

    The legal representative's ID number and name are sealed, and found by a keyed hash.
    """

    __tablename__ = "enterprises"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_rep_hash: Mapped[str] = mapped_column(String(64), index=True)
    """The keyed hash of the legal representative's ID number (``hall.registers.holder_key``)."""
    legal_rep: Mapped[dict[str, Any]] = mapped_column(JSON)
    """``{"id_number", "name"}`` of the legal representative, sealed (``legal_rep_context``)."""
    kind: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(Text)
    business_scope: Mapped[str] = mapped_column(Text)
    established: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32))
    licence_valid_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    authority: Mapped[str] = mapped_column(String(200))


class ReadyDocument(Base):
    """A certificate or licence approved elsewhere, waiting to be printed by its holder."""

    __tablename__ = "ready_documents"

    document_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder_hash: Mapped[str] = mapped_column(String(64), index=True)
    """The keyed hash of the holder's ID number (``hall.registers.holder_key``)."""
    personal: Mapped[dict[str, Any]] = mapped_column(JSON)
    """``{"holder_id_number", "holder_name", "fields"}`` sealed (``document_context``); the
    fields are the printed lines, ``[{"zh", "en", "value"}]``."""
    kind: Mapped[str] = mapped_column(String(32))
    """``certificate`` or ``business_license``."""
    item_id: Mapped[str] = mapped_column(String(64))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    issuer_zh: Mapped[str] = mapped_column(String(200))
    issuer_en: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    uscc: Mapped[str | None] = mapped_column(ForeignKey("enterprises.uscc"), nullable=True)
    renew_item_zh: Mapped[str | None] = mapped_column(String(200), nullable=True)
    renew_item_en: Mapped[str | None] = mapped_column(String(200), nullable=True)


class DocumentCollection(Base):
    """One printed copy of a ready document: copy 0 is the collection, then reprints."""

    __tablename__ = "document_collections"
    # Two terminals printing the first copy at once: one of them fails, never two collections.
    __table_args__ = (UniqueConstraint("document_id", "copy"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("ready_documents.document_id"), index=True)
    copy: Mapped[int] = mapped_column(Integer)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    printed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class RegulatorReport(Base):
    """A citizen's report or comment on an enterprise, for the market regulator."""

    __tablename__ = "regulator_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(32))
    kiosk_id: Mapped[str] = mapped_column(String(64))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


@events.handles("regulator_report", RegulatorReportPayload)
def take_regulator_report(
    session: Session, terminal_id: str, event: Received[RegulatorReportPayload]
) -> None:
    """Store a report for the regulator; one about an enterprise not in the register is refused."""
    report = event.payload
    if session.get(Enterprise, report.uscc) is None:
        raise EventRejected("enterprise_not_found")
    session.add(
        RegulatorReport(
            event_id=event.event_id,
            kiosk_id=terminal_id,
            uscc=report.uscc,
            category=report.category,
            text=report.text,
            at=event.at,
            received_at=event.received_at,
        )
    )
    logger.info("regulator report (%s) on %s from %s", report.category, report.uscc, terminal_id)


# --- The service ----------------------------------------------------------------------------------


def _copies(session: Session, document_id: str) -> int:
    count = session.scalar(
        select(func.count()).where(DocumentCollection.document_id == document_id)
    )
    return int(count or 0)


def _public(session: Session, row: ReadyDocument) -> ReadyDocumentPublic:
    copies = _copies(session, row.document_id)
    enterprise = session.get(Enterprise, row.uscc) if row.uscc else None
    return ReadyDocumentPublic(
        document_id=row.document_id,
        kind="business_license" if row.kind == "business_license" else "certificate",
        title=LocalizedText(zh=row.title_zh, en=row.title_en),
        issuer=LocalizedText(zh=row.issuer_zh, en=row.issuer_en),
        approved_at=row.approved_at,
        valid_until=row.valid_until,
        collected=copies > 0,
        reprints_left=max(REPRINT_LIMIT - max(copies - 1, 0), 0) if copies else REPRINT_LIMIT,
        enterprise_name=enterprise.name if enterprise else None,
        uscc=row.uscc,
    )


def document_context(document_id: str) -> str:
    """The associated data a ready document's sealed personal part is bound to (its row)."""
    return f"ready_documents.personal:{document_id}"


def legal_rep_context(uscc: str) -> str:
    """The associated data an enterprise's sealed legal representative is bound to (its row)."""
    return f"enterprises.legal_rep:{uscc}"


@dataclass(frozen=True)
class _Personal:
    """A ready document's sealed part, opened."""

    holder_id_number: str
    holder_name: str
    fields: list[dict[str, Any]]


def _seal_personal(
    sealer: Sealer, document_id: str, id_number: str, name: str, fields: list[dict[str, Any]]
) -> dict[str, Any]:
    value = {"holder_id_number": id_number, "holder_name": name, "fields": fields}
    return sealer.seal(value, document_context(document_id))


def _open_personal(sealer: Sealer, row: ReadyDocument) -> _Personal:
    value = sealer.open(row.personal, document_context(row.document_id))
    return _Personal(
        holder_id_number=str(value["holder_id_number"]),
        holder_name=str(value["holder_name"]),
        fields=list(value["fields"]),
    )


def _seal_legal_rep(sealer: Sealer, uscc: str, id_number: str, name: str) -> dict[str, Any]:
    return sealer.seal({"id_number": id_number, "name": name}, legal_rep_context(uscc))


def ready_documents(
    db: Database, sealer: Sealer, query: CollectQueryCreate, today: dt.date
) -> ReadyDocumentsPublic:
    """What is ready for the holder, and which of their documents expire soon."""
    kind = "business_license" if query.purpose == "business_licenses" else "certificate"
    with db.read() as session:
        rows = session.scalars(
            select(ReadyDocument)
            .where(ReadyDocument.holder_hash == registers.holder_key(sealer, query.id_number))
            .order_by(ReadyDocument.approved_at.desc())
        ).all()
        documents = [_public(session, row) for row in rows if row.kind == kind]
        soon = today + dt.timedelta(days=REMINDER_DAYS)
        reminders = [
            ExpiryReminder(
                title=LocalizedText(zh=row.title_zh, en=row.title_en),
                valid_until=row.valid_until,
                renew_item=LocalizedText(zh=row.renew_item_zh, en=row.renew_item_en or ""),
            )
            for row in rows
            if row.valid_until is not None
            and today <= row.valid_until <= soon
            and row.renew_item_zh is not None
        ]
    return ReadyDocumentsPublic(documents=documents, reminders=reminders)


def collect(
    db: Database,
    sealer: Sealer,
    key: SigningKey,
    document_id: str,
    request: CollectionCreate,
    now: dt.datetime,
    today: dt.date,
    *,
    base_url: str,
) -> CollectionPublic:
    """Record one printed copy and sign it; the first is the collection, then limited reprints.

    Like a certificate issued here, every printed value is in the signed claims and the QR is a
    URL of the hall's ``/verify`` page (``base_url``).
    """
    with db.write() as session:
        row = session.get(ReadyDocument, document_id)
        if row is None or row.holder_hash != registers.holder_key(sealer, request.id_number):
            raise DocumentNotFoundError("no such document is ready for this card holder")
        personal = _open_personal(sealer, row)
        copies = _copies(session, document_id)
        if copies > REPRINT_LIMIT:
            raise ReprintsUsedUpError("the reprints of this document are used up")
        session.add(
            DocumentCollection(
                document_id=document_id, copy=copies, kiosk_id=request.kiosk_id, printed_at=now
            )
        )
        masked = mask_id_number(personal.holder_id_number)
        fields = [
            CertificateField(label=LocalizedText(zh=f["zh"], en=f["en"]), value=str(f["value"]))
            for f in personal.fields
        ]
        qr = ""
        if row.kind == "business_license" and row.uscc:
            qr = enterprise_qr(row.uscc)
        else:
            claims = CertificateClaims(
                kid=key.kid,
                cid=document_id,
                case=document_id,
                item=row.item_id,
                name=personal.holder_name,
                idm=masked,
                iat=today,
                exp=row.valid_until,
                ttl=row.title_zh,
                iss=row.issuer_zh,
                f=tuple((f.label.zh, f.value) for f in fields),
            )
            qr = encode_certificate_qr(claims, key.sign, base_url=base_url)
        certificate = CertificatePublic(
            certificate_id=document_id,
            template=row.kind,
            title=LocalizedText(zh=row.title_zh, en=row.title_en),
            holder_name=personal.holder_name,
            holder_id_masked=masked,
            fields=fields,
            issued_at=row.approved_at,
            valid_until=row.valid_until,
            issuer=LocalizedText(zh=row.issuer_zh, en=row.issuer_en),
            qr_payload=qr,
        )
    logger.info("document %s printed (copy %d) at %s", document_id, copies, request.kiosk_id)
    return CollectionPublic(
        document_id=document_id,
        reprint=copies > 0,
        reprints_left=REPRINT_LIMIT - copies,
        certificate=certificate,
    )


def _mask_name(name: str) -> str:
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def enterprise_public(db: Database, sealer: Sealer, uscc: str) -> EnterprisePublic:
    """An enterprise's public record; the legal representative's name masked."""
    with db.read() as session:
        row = session.get(Enterprise, uscc)
        if row is None:
            raise EnterpriseNotFoundError("no enterprise with this code in the register")
        legal_rep = sealer.open(row.legal_rep, legal_rep_context(row.uscc))
        return EnterprisePublic(
            uscc=row.uscc,
            name=row.name,
            legal_representative=_mask_name(str(legal_rep["name"])),
            kind=row.kind,
            address=row.address,
            business_scope=row.business_scope,
            established=row.established,
            status=row.status,
            licence_valid_until=row.licence_valid_until,
            authority=row.authority,
        )


# --- Routes ---------------------------------------------------------------------------------------


def _signed_by(request: Request, kiosk_id: str) -> None:
    if request.scope.get(KIOSK_ID_SCOPE_KEY) != kiosk_id:
        raise TerminalMismatchError("the request names another terminal than its signer")


router = APIRouter()


@router.post(COLLECT_QUERY_PATH, response_model=ReadyDocumentsPublic)
def post_collect_query(request: Request, query: CollectQueryCreate) -> ReadyDocumentsPublic:
    """The documents ready for the card holder (certificates, or their enterprises' licences)."""
    _signed_by(request, query.kiosk_id)
    today = request.app.state.clock().astimezone(request.app.state.service.timezone).date()
    return ready_documents(
        request.app.state.database, request.app.state.service.sealer, query, today
    )


@router.post(COLLECTION_PATH, response_model=CollectionPublic, status_code=201)
def post_collection(
    request: Request, document_id: DocumentId, body: CollectionCreate
) -> CollectionPublic:
    """Print one copy of a ready document: the collection once, then limited reprints."""
    _signed_by(request, body.kiosk_id)
    service = request.app.state.service
    now = request.app.state.clock()
    today = now.astimezone(service.timezone).date()
    return collect(
        request.app.state.database,
        service.sealer,
        service.key,
        document_id,
        body,
        now,
        today,
        base_url=service.public_base_url,
    )


@router.get(ENTERPRISE_PATH, response_model=EnterprisePublic)
def get_enterprise(request: Request, uscc: Uscc) -> EnterprisePublic:
    """An enterprise's public record, for the QR code on its licence."""
    return enterprise_public(request.app.state.database, request.app.state.service.sealer, uscc)


# --- Demo data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DemoEnterprise:
    uscc: str
    name: str
    rep_id: str
    rep_name: str
    kind: str
    address: str
    scope: str
    established: dt.date
    valid_until: dt.date | None


DEMO_ENTERPRISES = (
    _DemoEnterprise(
        "91110108MA01ABCD1E",
        "北京中关村科技有限公司",
        "110108199008213012",
        "李建国",
        "有限责任公司（自然人投资或控股）",
        "北京市海淀区中关村大街27号8层",
        "技术开发、技术咨询、技术服务；软件开发。",
        dt.date(2016, 4, 12),
        None,
    ),
    _DemoEnterprise(
        "92110108MA02EFGH2P",
        "海淀区李记家常菜馆",
        "110108199008213012",
        "李建国",
        "个体工商户",
        "北京市海淀区中关村大街27号底商5号",
        "餐饮服务；食品销售。",
        dt.date(2021, 9, 1),
        None,
    ),
)


def _demo_documents(today: dt.date) -> list[dict[str, Any]]:
    """The demo's documents approved at a window; expiry dates relative to ``today``."""
    approved = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(9, 30), tzinfo=dt.UTC)
    docs: list[dict[str, Any]] = [
        {
            "document_id": "BDC-2026-000123",
            "holder_id_number": "110105195203141221",
            "holder_name": "王秀英",
            "kind": "certificate",
            "item_id": "certificate-collect",
            "title_zh": "不动产权证书",
            "title_en": "Real estate title certificate",
            "issuer_zh": "北京市朝阳区不动产登记中心",
            "issuer_en": "Chaoyang District Real Estate Registration Centre",
            "approved_at": approved,
            "valid_until": None,
            "fields": [
                {"zh": "权利人", "en": "Owner", "value": "王秀英"},
                {"zh": "坐落", "en": "Location", "value": "朝阳区建国路88号院3号楼2单元501室"},
                {
                    "zh": "不动产单元号",
                    "en": "Unit number",
                    "value": "110105 003001 GB00021 F00030501",
                },
                {"zh": "面积", "en": "Area", "value": "86.42 平方米"},
            ],
        },
        {
            "document_id": "YB-2026-004567",
            "holder_id_number": "110105195203141221",
            "holder_name": "王秀英",
            "kind": "certificate",
            "item_id": "certificate-collect",
            "title_zh": "异地就医备案凭证",
            "title_en": "Out-of-area medical treatment filing",
            "issuer_zh": "北京市朝阳区医疗保障局",
            "issuer_en": "Chaoyang District Healthcare Security Bureau",
            "approved_at": approved,
            "valid_until": today + dt.timedelta(days=45),
            "fields": [{"zh": "就医地", "en": "Treated in", "value": "海南省三亚市"}],
            "renew_item_zh": "异地就医备案（续办）",
            "renew_item_en": "Out-of-area medical treatment filing (renewal)",
        },
    ]
    for e in DEMO_ENTERPRISES:
        docs.append(
            {
                "document_id": f"YYZZ-{e.uscc}",
                "holder_id_number": e.rep_id,
                "holder_name": e.rep_name,
                "kind": "business_license",
                "item_id": "business-license-print",
                "title_zh": "营业执照",
                "title_en": "Business licence",
                "issuer_zh": "北京市海淀区市场监督管理局",
                "issuer_en": "Haidian District Administration for Market Regulation",
                "approved_at": approved,
                "valid_until": e.valid_until,
                "uscc": e.uscc,
                "fields": [
                    {"zh": "统一社会信用代码", "en": "Credit code", "value": e.uscc},
                    {"zh": "名称", "en": "Name", "value": e.name},
                    {"zh": "类型", "en": "Type", "value": e.kind},
                    {"zh": "法定代表人", "en": "Legal representative", "value": e.rep_name},
                    {"zh": "经营范围", "en": "Business scope", "value": e.scope},
                    {"zh": "成立日期", "en": "Established", "value": e.established.isoformat()},
                    {"zh": "住所", "en": "Address", "value": e.address},
                ],
            }
        )
    return docs


def seed_collect_data(db: Database, sealer: Sealer, today: dt.date) -> int:
    """Make the demo enterprises and ready documents exist; returns how many rows it added."""
    added = 0
    with db.write() as session:
        for e in DEMO_ENTERPRISES:
            if session.get(Enterprise, e.uscc) is None:
                session.add(
                    Enterprise(
                        uscc=e.uscc,
                        name=e.name,
                        legal_rep_hash=registers.holder_key(sealer, e.rep_id),
                        legal_rep=_seal_legal_rep(sealer, e.uscc, e.rep_id, e.rep_name),
                        kind=e.kind,
                        address=e.address,
                        business_scope=e.scope,
                        established=e.established,
                        status="存续（在营、开业、在册）",
                        licence_valid_until=e.valid_until,
                        authority="北京市海淀区市场监督管理局",
                    )
                )
                added += 1
        session.flush()
        for doc in _demo_documents(today):
            if session.get(ReadyDocument, doc["document_id"]) is None:
                number = doc.pop("holder_id_number")
                name = doc.pop("holder_name")
                fields = doc.pop("fields")
                session.add(
                    ReadyDocument(
                        **doc,
                        holder_hash=registers.holder_key(sealer, number),
                        personal=_seal_personal(sealer, doc["document_id"], number, name, fields),
                    )
                )
                added += 1
    return added


# --- Documents from before sealing ----------------------------------------------------------------

LEGACY_TABLES = ("legacy_ready_documents", "legacy_enterprises")
"""Where migration 0011 left the clear personal columns of an older hall, for the next start."""


def seal_legacy_documents(db: Database, sealer: Sealer) -> int:
    """Seal the holders and representatives an older hall kept in clear (0011); rows converted."""
    return registers.convert_legacy(db, sealer, LEGACY_TABLES, _convert, "document rows")


def _convert(session: Session, sealer: Sealer, present: set[str]) -> int:
    connection = session.connection()
    converted = 0
    if "legacy_enterprises" in present:
        rows = connection.execute(
            text("SELECT uscc, legal_rep_id_number, legal_rep_name FROM legacy_enterprises")
        ).all()
        for uscc, number, name in rows:
            row = session.get(Enterprise, str(uscc))
            if row is not None:
                row.legal_rep_hash = registers.holder_key(sealer, str(number))
                row.legal_rep = _seal_legal_rep(sealer, row.uscc, str(number), str(name))
                converted += 1
    if "legacy_ready_documents" in present:
        rows = connection.execute(
            text(
                "SELECT document_id, holder_id_number, holder_name, fields"
                " FROM legacy_ready_documents"
            )
        ).all()
        for document_id, number, name, fields in rows:
            document = session.get(ReadyDocument, str(document_id))
            if document is not None:
                document.holder_hash = registers.holder_key(sealer, str(number))
                document.personal = _seal_personal(
                    sealer, document.document_id, str(number), str(name), registers.as_json(fields)
                )
                converted += 1
    return converted
