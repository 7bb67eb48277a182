"""Taking submissions in: idempotent acceptance, instant decisions, certificates and case stages.

A submission is taken in two short transactions. The *claim* stores the case under its idempotency
key with a lease and commits, so a second request with the same key sees it at once (409
``in_progress`` while the lease runs, the stored answer once it is done). The *processing* then
decides, issues the certificate and records the stages in one transaction: a crash leaves a claimed
case with nothing half-done, and a retry after the lease takes it over.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, func, insert, inspect, or_, select, update
from sqlalchemy import table as sa_table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session, selectinload

from hall import certificates, collect, registers
from hall.certificates import SigningKey
from hall.db import (
    CaseStage,
    Certificate,
    Database,
    Decision,
    Resident,
    Sequence,
    SocialInsuranceRecord,
    Submission,
    TerminalHeartbeat,
    database_now,
    insert_or_skip,
    utc_now,
)
from hall.decisions import (
    DecisionResult,
    InsuranceFacts,
    certificate_fields,
    decide,
    evaluate,
)
from hall.errors import (
    ApplicantRequiredError,
    CaseNotFoundError,
    CaseNumberConflictError,
    IdempotencyKeyReusedError,
    InProgressError,
    UnknownItemError,
)
from hall.keys import MemoryKeyProvider, Sealer, is_sealed
from hall.materials import check_materials
from hall.schema import (
    ApplicantCreate,
    CaseProgressPublic,
    CatalogPublic,
    CertificatePublic,
    DecisionPublic,
    HeartbeatCreate,
    HeartbeatPublic,
    LocalizedText,
    MemberResultPublic,
    ServiceItem,
    StagePublic,
    SubmissionCreate,
    SubmissionPublic,
    SubmissionStatus,
    TerminalPublic,
    TerminalsPublic,
    payload_hash,
)

logger = logging.getLogger(__name__)

CLAIM_LEASE = dt.timedelta(seconds=30)
"""How long a request may hold an unfinished case before a retry may take it over."""

STAGE_NAMES: dict[str, LocalizedText] = {
    "received": LocalizedText(zh="受理", en="Received"),
    "review": LocalizedText(zh="审查", en="Review"),
    "decision": LocalizedText(zh="决定", en="Decision"),
    "certificate": LocalizedText(zh="制证", en="Certificate issued"),
    "done": LocalizedText(zh="办结", en="Completed"),
}
"""The stages of a case in order, with their names for the progress screen."""


@functools.cache
def process_sealer() -> Sealer:
    """A sealer whose key lives in this process's memory, for services made without one.

    Tests and tools: two services over one database in one process read each other's rows,
    and the registers seeded with it (``seed_demo_data(db, process_sealer())``).
    """
    return Sealer(MemoryKeyProvider())


HOLDER_HASH_PURPOSE = "submissions.holder"
"""What the keyed hash of a submission's ID number is for (``Sealer.lookup_hash``)."""


class _ClaimRaced(Exception):
    """Another request stored the same key or case number first: the claim looks again."""


@dataclass(frozen=True)
class Claim:
    """A case this request has stored and now owns until its lease runs out."""

    submission_id: int
    case_number: str
    item_id: str
    received: _Stage | None = None
    """The ``received`` stage, not written yet: this transaction stores and finishes the case."""


class HallService:
    """The hall's submissions and case queries over its database; safe to call from many threads."""

    def __init__(
        self,
        db: Database,
        catalog: CatalogPublic,
        key: SigningKey,
        *,
        timezone: ZoneInfo,
        clock: Callable[[], dt.datetime] = utc_now,
        lease: dt.timedelta = CLAIM_LEASE,
        sealer: Sealer | None = None,
        public_base_url: str = "http://127.0.0.1:8765",
    ) -> None:
        """``sealer`` seals personal data at rest; without one, this process's in-memory key."""
        self._db = db
        self.sealer = sealer if sealer is not None else process_sealer()
        self.public_base_url = public_base_url
        """Where certificate QR codes point (the hall's public ``/verify`` page)."""
        self.catalog = catalog
        self.key = key
        self.timezone = timezone
        self._clock = clock
        self._lease = lease

    # --- Submissions ---------------------------------------------------------------------------

    def submit(
        self, submission: SubmissionCreate, idempotency_key: str
    ) -> tuple[SubmissionPublic, bool]:
        """Take a submission in; returns the stored answer and whether this call created it.

        Raises ``IdempotencyKeyReusedError``, ``InProgressError``, ``CaseNumberConflictError``,
        ``UnknownItemError`` or ``ApplicantRequiredError``.
        """
        check_materials(submission.materials)
        digest = payload_hash(submission)
        for _attempt in range(3):
            try:
                # Stored, decided and signed in one transaction: one commit, and a hall that dies
                # on the way leaves nothing behind (the terminal's retry starts afresh). A second
                # request with the same key waits for this one's insert, then replays its answer.
                with self._db.write() as session:
                    claimed = self._claim(
                        session, submission, idempotency_key, digest, leased=False
                    )
                    if isinstance(claimed, SubmissionPublic):
                        return claimed, False
                    answer = self._process(session, claimed, submission)
            except (IntegrityError, _ClaimRaced):
                # Another writer stored the same key or case number first, or a certificate
                # serial collided (PostgreSQL): nothing of ours was kept; look again.
                continue
            if answer is None:
                answer = self.get_submission(submission.case_number)
            return answer, True
        raise InProgressError(f"case {submission.case_number} is being stored by another request")

    def claim(self, submission: SubmissionCreate, idempotency_key: str) -> Claim | SubmissionPublic:
        """Store the case under its key and own it; or return the stored answer of a finished one.

        Raises as ``submit`` does, and ``hall.errors.MaterialError`` for a material whose bytes
        are not what it declares.
        """
        check_materials(submission.materials)
        digest = payload_hash(submission)
        for _attempt in range(3):
            try:
                with self._db.write() as session:
                    return self._claim(session, submission, idempotency_key, digest)
            except (IntegrityError, _ClaimRaced):
                # Another writer stored the same key or case number between our read and our
                # insert (possible on PostgreSQL): look again, now we will see theirs.
                continue
        raise InProgressError(f"case {submission.case_number} is being stored by another request")

    def _claim(
        self,
        session: Session,
        submission: SubmissionCreate,
        key: str,
        digest: str,
        *,
        leased: bool = True,
    ) -> Claim | SubmissionPublic:
        """Store the case under its key, or answer why not; ``leased=False`` when it is finished.

        A case finished in this same transaction is never seen unfinished by another request,
        so it needs no lease (nor the database clock's round trip); its ``received`` stage is
        then written with the others at the end (``Claim.received``), else here.
        """
        now = self._clock()
        # One read for both: the row stored under this key, and any row holding this case number.
        found = session.execute(_FIND_CLAIMED, {"key": key, "case": submission.case_number}).all()
        existing = next((r for r in found if r.idempotency_key == key), None)
        if existing is not None:
            if existing.payload_hash != digest:
                raise IdempotencyKeyReusedError(
                    f"idempotency key of case {existing.case_number} reused with another payload"
                )
            if existing.completed_at is not None:
                logger.info("case %s replayed", existing.case_number)
                return self._public(self._load(session, existing.case_number))
            return self._take_over(session, existing)
        item = self._submittable_item(submission.item_id)
        if item.instant and submission.applicant is None:
            raise ApplicantRequiredError(f"item {item.id} needs the applicant's ID card data")
        if item.instant and submission.identity == "photo":
            # An instant decision rests on the chip's data; photos of a card need a clerk.
            raise ApplicantRequiredError(f"item {item.id} needs the ID card read by the reader")
        taken = next((r.idempotency_key for r in found), None)
        if taken is not None:
            raise CaseNumberConflictError(
                f"case number {submission.case_number} belongs to another submission"
            )
        # One statement: a concurrent first request with the same key or case number waits for
        # ours and inserts nothing, instead of failing; then the claim is looked at again.
        submission_id = session.scalar(
            insert_or_skip(session, Submission)
            .values(
                case_number=submission.case_number,
                idempotency_key=key,
                payload_hash=digest,
                kiosk_id=submission.kiosk_id,
                item_id=submission.item_id,
                status="accepted",
                tolerated=submission.commitment,
                holder_hash=(
                    None
                    if submission.applicant is None
                    else self.sealer.lookup_hash(
                        submission.applicant.id_number, HOLDER_HASH_PURPOSE
                    )
                ),
                visit_seconds=submission.visit_seconds,
                payload=self.sealer.seal(
                    submission.model_dump(mode="json"), payload_context(submission.case_number)
                ),
                received_at=now,
                lease_until=database_now(session) + self._lease if leased else None,
            )
            .on_conflict_do_nothing()
            .returning(Submission.id)
        )
        if submission_id is None:
            raise _ClaimRaced
        logger.info("case %s received for item %s", submission.case_number, submission.item_id)
        received = _Stage("received", now)
        if leased:
            # Committed with the claim: the processing (another transaction) reads it back.
            session.connection().execute(_INSERT_STAGES, [received.row(submission.case_number)])
            return Claim(submission_id, submission.case_number, submission.item_id)
        return Claim(submission_id, submission.case_number, submission.item_id, received)

    def _take_over(self, session: Session, row: Any) -> Claim:
        """Own an unfinished case whose lease ran out (``row``: its columns from the claim)."""
        # The database's clock, not the hall's: a restart with a wrong wall clock must neither
        # keep a dead request's claim for a day nor take a live one over early.
        now = database_now(session)
        lease_until = row.lease_until
        if lease_until is not None and lease_until > now:
            raise InProgressError(f"case {row.case_number} is still being processed")
        # Conditional, so two retries racing for an abandoned case cannot both win.
        result = session.execute(
            update(Submission)
            .where(Submission.id == row.id, Submission.lease_until == lease_until)
            .values(lease_until=now + self._lease)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise InProgressError(f"case {row.case_number} is still being processed")
        logger.warning("case %s: unfinished case taken over by a retry", row.case_number)
        return Claim(row.id, row.case_number, row.item_id)

    def process(self, claim: Claim) -> SubmissionPublic:
        """Decide a claimed case when its item is instant, issue its certificate, record stages."""
        answer: SubmissionPublic | None = None
        for attempt in range(3):
            try:
                with self._db.write() as session:
                    answer = self._process(session, claim)
                break
            except IntegrityError:
                # A concurrent takeover finished first (PostgreSQL) or a certificate serial
                # collided: the next round sees the finished case or takes the next serial.
                if attempt == 2:
                    raise
        # The answer built in the transaction that stored it (committed by now); read back only
        # when another request had finished the case.
        return answer if answer is not None else self.get_submission(claim.case_number)

    def _process(
        self, session: Session, claim: Claim, fresh: SubmissionCreate | None = None
    ) -> SubmissionPublic | None:
        """Decide the claimed case; ``fresh``: the submission this transaction just stored.

        What it decides is collected (``_CaseWrites``) and written at the end with prebuilt
        Core statements, a statement per table: the ORM's unit of work was a third of a
        submission's CPU.
        """
        case = _CaseWrites(claim.case_number)
        if fresh is not None and claim.received is not None:
            # Stored by this transaction: nothing to read back or unseal.
            submission, received_at = fresh, claim.received.started_at
            case.stages["received"] = claim.received
        else:
            row = session.execute(_READ_CLAIMED, {"id": claim.submission_id}).first()
            if row is None:
                raise CaseNotFoundError(f"case {claim.case_number} vanished while processing")
            if row.completed_at is not None:
                return None
            submission = SubmissionCreate.model_validate(
                self.sealer.open(row.payload, payload_context(claim.case_number))
            )
            received_at = row.received_at
            for stage in session.execute(_READ_STAGES, {"case": claim.case_number}):
                case.stages[stage.code] = _Stage(
                    stage.code, stage.started_at, stage.finished_at, stage.id
                )
        item = self._submittable_item(claim.item_id)
        now = self._clock()
        received = case.stage("received", now)
        received.finished_at = now
        review = case.stage("review", now)
        members: list[MemberResultPublic] = []
        certificate: CertificatePublic | None = None
        if item.kind == "bundle":
            members = self._decide_bundle(session, claim, item, submission, review, case)
        elif _decidable(item) and submission.applicant is not None:
            certificate = self._decide(session, claim, item, submission, review, case)
        elif item.instant:
            logger.warning("item %s is instant without a decision rule: left accepted", item.id)
        finished = self._clock()
        case.write(session.connection(), claim.submission_id, finished)
        logger.info("case %s for item %s: %s", claim.case_number, claim.item_id, case.status)
        # Built from what was just decided and signed: no reads, no unsealing.
        return self._answer(
            case_number=claim.case_number,
            item_id=claim.item_id,
            status=case.status,
            received_at=received_at,
            decision=None if case.decision is None else self._decision_public(case.decision),
            certificate=certificate,
            members=members,
        )

    def _verdict(
        self, session: Session, item: ServiceItem, applicant: ApplicantCreate, today: dt.date
    ) -> tuple[DecisionResult, dict[str, Any], InsuranceFacts | None]:
        """The decision on one instant item: its declared conditions, or a coded rule."""
        resident = registers.resident(session, self.sealer, applicant.id_number)
        insurance = registers.insurance(session, self.sealer, applicant.id_number)
        if item.decision is not None:
            found = registers.lookup(
                session, self.sealer, item.decision.lookups, applicant.id_number
            )
            result, facts = evaluate(
                item.decision, applicant, today=today, resident=resident, registers=found
            )
            return result, facts, insurance
        assert item.decision_rule is not None
        result = decide(
            item.decision_rule, applicant, today=today, resident=resident, insurance=insurance
        )
        return result, {}, insurance

    def _certificate(
        self,
        session: Session,
        case_number: str,
        item: ServiceItem,
        applicant: ApplicantCreate,
        facts: dict[str, Any],
        insurance: InsuranceFacts | None,
    ) -> CertificatePublic | None:
        """Issue the approved item's certificate (declared or coded), or ``None`` if it has none."""
        issued_at = self._clock()
        local_day = issued_at.astimezone(self.timezone).date()
        if item.certificate is not None:
            serial = _next_serial(session, f"cert-{item.certificate.id_prefix}-{local_day:%Y%m%d}")
            return certificates.issue_declared_certificate(
                certificate_id=certificates.format_certificate_id(
                    item.certificate.id_prefix, local_day, serial
                ),
                case_number=case_number,
                item=item,
                fields=certificate_fields(item.certificate, facts),
                applicant=applicant,
                issued_at=issued_at.astimezone(self.timezone),
                today=local_day,
                key=self.key,
                base_url=self.public_base_url,
            )
        if item.certificate_template is None:
            return None
        template = certificates.template_for(item.certificate_template)
        serial = _next_serial(session, f"cert-{template.id_prefix}-{local_day:%Y%m%d}")
        return certificates.issue_certificate(
            certificate_id=certificates.format_certificate_id(
                template.id_prefix, local_day, serial
            ),
            case_number=case_number,
            item=item,
            applicant=applicant,
            insurance=insurance,
            issued_at=issued_at.astimezone(self.timezone),
            today=local_day,
            key=self.key,
            base_url=self.public_base_url,
        )

    def _decide(
        self,
        session: Session,
        claim: Claim,
        item: ServiceItem,
        submission: SubmissionCreate,
        review: _Stage,
        case: _CaseWrites,
    ) -> CertificatePublic | None:
        """Decide one instant item; returns its certificate when approved and it has one."""
        assert submission.applicant is not None
        applicant = submission.applicant
        now = self._clock()
        today = now.astimezone(self.timezone).date()
        result, facts, insurance = self._verdict(session, item, applicant, today)
        review.finished_at = now
        decided_at = self._clock()
        case.add_stage("decision", now, decided_at)
        case.decision = _Decided(
            outcome=result.outcome,
            reason_code=result.reason_code,
            reason_zh=None if result.reason is None else result.reason.zh,
            reason_en=None if result.reason is None else result.reason.en,
            decided_at=decided_at,
        )
        case.status = result.outcome
        last = decided_at
        certificate = None
        if result.approved:
            certificate = self._certificate(
                session, claim.case_number, item, applicant, facts, insurance
            )
            if certificate is not None:
                case.certificate = {
                    "certificate_id": certificate.certificate_id,
                    "template": certificate.template,
                    "kid": self.key.kid,
                    "issued_at": certificate.issued_at,
                    "valid_until": certificate.valid_until,
                    "body": self.sealer.seal(
                        certificate.model_dump(mode="json"),
                        certificate_context(certificate.certificate_id),
                    ),
                }
                last = self._clock()
                case.add_stage("certificate", certificate.issued_at, last)
                logger.info(
                    "case %s: certificate %s issued", claim.case_number, certificate.certificate_id
                )
        case.add_stage("done", last, last)
        return certificate

    def _decide_bundle(
        self,
        session: Session,
        claim: Claim,
        bundle: ServiceItem,
        submission: SubmissionCreate,
        review: _Stage,
        case: _CaseWrites,
    ) -> list[MemberResultPublic]:
        """One submission, a result per member: instant members decided now, others accepted.

        The case is ``accepted`` while any member waits for a clerk, else ``approved`` when any
        member was approved, else ``refused``; its decision (once every member is decided) names
        the refused members in plain words.
        """
        applicant = submission.applicant
        now = self._clock()
        today = now.astimezone(self.timezone).date()
        results: list[MemberResultPublic] = []
        for member_id in bundle.bundle_of:
            member = self.catalog.item(member_id)
            if not _decidable(member) or applicant is None or submission.identity == "photo":
                results.append(
                    MemberResultPublic(item_id=member.id, name=member.name, status="accepted")
                )
                continue
            result, facts, insurance = self._verdict(session, member, applicant, today)
            certificate = None
            if result.approved:
                certificate = self._certificate(
                    session, claim.case_number, member, applicant, facts, insurance
                )
            results.append(
                MemberResultPublic(
                    item_id=member.id,
                    name=member.name,
                    status=result.outcome,
                    decision=DecisionPublic(
                        outcome=result.outcome,
                        reason_code=result.reason_code,
                        reason=result.reason,
                        decided_at=self._clock().astimezone(self.timezone),
                    ),
                    certificate=certificate,
                )
            )
        for position, member_result in enumerate(results):
            case.members.append(
                {
                    "position": position,
                    "item_id": member_result.item_id,
                    "status": member_result.status,
                    # A member's certificate names the holder: sealed like the case's own.
                    "body": self.sealer.seal(
                        member_result.model_dump(mode="json"),
                        member_context(claim.case_number, position),
                    ),
                }
            )
        statuses = [r.status for r in results]
        decided_at = self._clock()
        if "accepted" in statuses:
            case.status = "accepted"
            return results
        review.finished_at = now
        case.add_stage("decision", now, decided_at)
        refused = [r for r in results if r.status == "refused"]
        outcome = "approved" if len(refused) < len(results) else "refused"
        reason = None
        if refused:
            reasons = [
                (r.name, r.decision.reason if r.decision is not None else None) for r in refused
            ]
            reason = LocalizedText(
                zh="；".join(f"{n.zh}：{why.zh if why else '未通过'}" for n, why in reasons),
                en="; ".join(f"{n.en}: {why.en if why else 'refused'}" for n, why in reasons),
            )
        case.decision = _Decided(
            outcome=outcome,
            reason_code="members_refused" if refused else None,
            reason_zh=None if reason is None else reason.zh,
            reason_en=None if reason is None else reason.en,
            decided_at=decided_at,
        )
        case.status = outcome
        case.add_stage("done", decided_at, decided_at)
        return results

    def _submittable_item(self, item_id: str) -> ServiceItem:
        try:
            item = self.catalog.item(item_id)
        except KeyError:
            raise UnknownItemError(f"no service item {item_id!r} in the catalog") from None
        if not item.takes_submissions:
            raise UnknownItemError(f"item {item_id!r} takes no submissions")
        return item

    # --- Queries -------------------------------------------------------------------------------

    def record_heartbeat(self, heartbeat: HeartbeatCreate) -> HeartbeatPublic:
        """Keep the terminal's latest heartbeat (one row per terminal, overwritten)."""
        now = self.record_heartbeats([heartbeat])
        return HeartbeatPublic(kiosk_id=heartbeat.kiosk_id, received_at=now, server_time=now)

    def record_heartbeats(self, heartbeats: list[HeartbeatCreate]) -> dt.datetime:
        """Keep each terminal's latest heartbeat in one upsert; returns the instant recorded.

        ``INSERT ... ON CONFLICT DO UPDATE``, never read-then-insert: concurrent first beats of a
        new terminal (or the same terminal's beats in two workers) cannot collide. Rows go in
        ``kiosk_id`` order so that two concurrent batches lock their rows in the same order.
        """
        now = self._clock()
        latest = {beat.kiosk_id: beat for beat in heartbeats}  # a repeat in one batch: the last
        rows = [
            {"kiosk_id": kiosk, "received_at": now, "body": latest[kiosk].model_dump(mode="json")}
            for kiosk in sorted(latest)
        ]
        with self._db.write() as session:
            # Core on the session's connection: the ORM's bulk path cost more than the upsert.
            session.connection().execute(self._db.upsert_heartbeats(), rows)
        return now

    def terminals(self) -> TerminalsPublic:
        """Every terminal's latest heartbeat, most recently seen first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(TerminalHeartbeat).order_by(TerminalHeartbeat.received_at.desc())
            ).all()
            terminals = []
            for row in rows:
                # A row stored before the checks at the boundary may hold what the wire cannot
                # carry: leave that terminal out (logged), never fail the fleet's list.
                try:
                    terminal = TerminalPublic(
                        kiosk_id=row.kiosk_id,
                        last_seen_at=row.received_at,
                        heartbeat=HeartbeatCreate.model_validate(row.body),
                    )
                except ValidationError:
                    logger.warning("terminal list: an unreadable stored heartbeat left out")
                    continue
                terminals.append(terminal)
            return TerminalsPublic(terminals=terminals)

    def get_submission(self, case_number: str) -> SubmissionPublic:
        """Return the stored answer for a case; ``CaseNotFoundError`` when there is none."""
        with self._db.read() as session:
            return self._public(self._load(session, case_number))

    def progress(self, case_number: str) -> CaseProgressPublic:
        """Return the case's stages with their clocks; ``CaseNotFoundError`` for an unknown case.

        Stages not reached yet are listed without times while the case is open.
        """
        with self._db.read() as session:
            row = self._load(session, case_number)
            recorded = {stage.code: stage for stage in row.stages}
            status: SubmissionStatus = _status(row.status)
            complete = row.completed_at is not None and status != "accepted"
            item_id = row.item_id
        try:
            item: ServiceItem | None = self.catalog.item(item_id)
        except KeyError:
            item = None
        codes = ["received", "review", "decision"]
        if item is not None and item.certificate_template is not None:
            codes.append("certificate")
        codes.append("done")
        now = self._clock()
        stages = []
        for code in codes:
            stage = recorded.get(code)
            if stage is None:
                if not complete:
                    stages.append(StagePublic(code=code, name=STAGE_NAMES[code]))
                continue
            end = stage.finished_at or now
            stages.append(
                StagePublic(
                    code=code,
                    name=STAGE_NAMES[code],
                    started_at=stage.started_at.astimezone(self.timezone),
                    finished_at=None
                    if stage.finished_at is None
                    else stage.finished_at.astimezone(self.timezone),
                    seconds=max(0.0, (end - stage.started_at).total_seconds()),
                )
            )
        return CaseProgressPublic(
            case_number=case_number,
            item_id=item_id,
            item_name=item.name if item is not None else LocalizedText(zh=item_id, en=item_id),
            status=status,
            promised_days=item.time_limit.promised_days if item is not None else 0,
            stages=stages,
        )

    @staticmethod
    def _load(session: Session, case_number: str) -> Submission:
        row = session.scalar(
            select(Submission)
            .where(Submission.case_number == case_number)
            .options(
                selectinload(Submission.stages),
                selectinload(Submission.decision),
                selectinload(Submission.certificate),
            )
        )
        if row is None:
            raise CaseNotFoundError(f"no case {case_number!r}")
        return row

    def _public(self, row: Submission) -> SubmissionPublic:
        """A stored case's answer, read from its rows (the certificate unsealed)."""
        certificate = None
        if row.certificate is not None:
            certificate = CertificatePublic.model_validate(
                self.sealer.open(
                    row.certificate.body, certificate_context(row.certificate.certificate_id)
                )
            )
        return self._answer(
            case_number=row.case_number,
            item_id=row.item_id,
            status=row.status,
            received_at=row.received_at,
            decision=None if row.decision is None else self._decision_public(row.decision),
            certificate=certificate,
            members=_members(row, self.sealer),
        )

    def _decision_public(self, decided: Decision | _Decided) -> DecisionPublic:
        """A decision's answer: from its stored row, or as just decided."""
        reason = None
        if decided.reason_zh is not None and decided.reason_en is not None:
            reason = LocalizedText(zh=decided.reason_zh, en=decided.reason_en)
        return DecisionPublic(
            outcome="approved" if decided.outcome == "approved" else "refused",
            reason_code=decided.reason_code,
            reason=reason,
            decided_at=decided.decided_at.astimezone(self.timezone),
        )

    def _answer(
        self,
        *,
        case_number: str,
        item_id: str,
        status: str,
        received_at: dt.datetime,
        decision: DecisionPublic | None,
        certificate: CertificatePublic | None,
        members: list[MemberResultPublic],
    ) -> SubmissionPublic:
        return SubmissionPublic(
            case_number=case_number,
            item_id=item_id,
            status=_status(status),
            received_at=received_at.astimezone(self.timezone),
            decision=decision,
            certificate=certificate,
            members=members,
        )


# --- Writing a case (Core) ------------------------------------------------------------------------

_FIND_CLAIMED = select(
    Submission.id,
    Submission.idempotency_key,
    Submission.payload_hash,
    Submission.completed_at,
    Submission.lease_until,
    Submission.case_number,
    Submission.item_id,
).where(
    or_(
        Submission.idempotency_key == bindparam("key"),
        Submission.case_number == bindparam("case"),
    )
)
"""The rows under a submission's idempotency key or case number (``_claim``)."""
_READ_CLAIMED = select(Submission.completed_at, Submission.payload, Submission.received_at).where(
    Submission.id == bindparam("id")
)
_READ_STAGES = select(
    CaseStage.id, CaseStage.code, CaseStage.started_at, CaseStage.finished_at
).where(CaseStage.case_number == bindparam("case"))
# Executed on the session's connection: Core, without the ORM's unit of work or bulk layer.
_INSERT_STAGES = insert(CaseStage)
_FINISH_STAGE = (
    update(CaseStage)
    .where(CaseStage.id == bindparam("stage_id"))
    .values(finished_at=bindparam("stage_finished"))
)
_INSERT_DECISION = insert(Decision)
_INSERT_CERTIFICATE = insert(Certificate)
_INSERT_MEMBERS = insert(registers.BundleMemberResult)
_COMPLETE = (
    update(Submission)
    .where(Submission.id == bindparam("done_id"))
    .values(status=bindparam("done_status"), completed_at=bindparam("done_at"), lease_until=None)
)


@dataclass
class _Stage:
    """A case stage: new (no ``id`` yet, inserted at the end) or stored (updated if finished)."""

    code: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    id: int | None = None
    stored_finished_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        self.stored_finished_at = self.finished_at

    def row(self, case_number: str) -> dict[str, Any]:
        """Its row, for the insert."""
        return {
            "case_number": case_number,
            "code": self.code,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


@dataclass(frozen=True)
class _Decided:
    """A decision as just made: the ``decisions`` row's values, before it is written."""

    outcome: str
    reason_code: str | None
    reason_zh: str | None
    reason_en: str | None
    decided_at: dt.datetime


@dataclass
class _CaseWrites:
    """What the processing of one case writes, collected on the way and written at the end."""

    case_number: str
    status: str = "accepted"
    stages: dict[str, _Stage] = field(default_factory=dict)
    decision: _Decided | None = None
    certificate: dict[str, Any] | None = None
    members: list[dict[str, Any]] = field(default_factory=list)

    def stage(self, code: str, now: dt.datetime) -> _Stage:
        """The stage with this code, stored or new (started now)."""
        found = self.stages.get(code)
        if found is None:
            found = self.stages[code] = _Stage(code, now)
        return found

    def add_stage(self, code: str, started_at: dt.datetime, finished_at: dt.datetime) -> None:
        """A new finished stage (were one with this code stored, the unique key refuses it)."""
        self.stages[code] = _Stage(code, started_at, finished_at)

    def write(self, connection: Connection, submission_id: int, finished: dt.datetime) -> None:
        """The case's rows: its new stages, decision, certificate, members; then it is done."""
        new = [s.row(self.case_number) for s in self.stages.values() if s.id is None]
        if new:
            connection.execute(_INSERT_STAGES, new)
        finished_stages = [
            {"stage_id": s.id, "stage_finished": s.finished_at}
            for s in self.stages.values()
            if s.id is not None and s.finished_at != s.stored_finished_at
        ]
        if finished_stages:
            connection.execute(_FINISH_STAGE, finished_stages)
        if self.decision is not None:
            connection.execute(
                _INSERT_DECISION, {"submission_id": submission_id, **asdict(self.decision)}
            )
        if self.certificate is not None:
            connection.execute(
                _INSERT_CERTIFICATE, {"submission_id": submission_id, **self.certificate}
            )
        if self.members:
            connection.execute(
                _INSERT_MEMBERS, [{"submission_id": submission_id, **m} for m in self.members]
            )
        connection.execute(
            _COMPLETE, {"done_id": submission_id, "done_status": self.status, "done_at": finished}
        )


# --- Sealing at rest ------------------------------------------------------------------------------

RESEAL_BATCH = 200


def payload_context(case_number: str) -> str:
    """The associated data a submission's sealed payload is bound to (its row)."""
    return f"submissions.payload:{case_number}"


def certificate_context(certificate_id: str) -> str:
    """The associated data a certificate's sealed body is bound to (its row)."""
    return f"certificates.body:{certificate_id}"


@dataclass(frozen=True)
class _SealedColumn:
    """A column of sealed values: its table's key (to page by), what names a row, its context."""

    model: Any
    key: Any
    names: tuple[Any, ...]
    column: Any
    context: Callable[..., str]
    join: tuple[Any, Any] | None = None
    """A table the names come from, and how it joins this one."""


def _sealed_columns() -> tuple[_SealedColumn, ...]:
    resident, insurance, record = Resident, SocialInsuranceRecord, registers.RegisterRecord
    member = registers.BundleMemberResult
    document, enterprise = collect.ReadyDocument, collect.Enterprise
    return (
        _SealedColumn(
            Submission,
            Submission.id,
            (Submission.case_number,),
            Submission.payload,
            payload_context,
        ),
        _SealedColumn(
            Certificate,
            Certificate.id,
            (Certificate.certificate_id,),
            Certificate.body,
            certificate_context,
        ),
        _SealedColumn(
            resident,
            resident.id_hash,
            (resident.id_hash,),
            resident.data,
            registers.resident_context,
        ),
        _SealedColumn(
            insurance,
            insurance.id,
            (insurance.id_hash,),
            insurance.data,
            registers.insurance_context,
        ),
        _SealedColumn(
            record,
            record.id,
            (record.register, record.id_hash),
            record.data,
            registers.record_context,
        ),
        _SealedColumn(
            document,
            document.document_id,
            (document.document_id,),
            document.personal,
            collect.document_context,
        ),
        _SealedColumn(
            enterprise,
            enterprise.uscc,
            (enterprise.uscc,),
            enterprise.legal_rep,
            collect.legal_rep_context,
        ),
        _SealedColumn(
            member,
            member.id,
            (Submission.case_number, member.position),
            member.body,
            member_context,
            join=(Submission, Submission.id == member.submission_id),
        ),
    )


def reseal_rows(db: Database, sealer: Sealer, *, plain_only: bool = False) -> int:
    """Seal plain rows, and move rows sealed with an older key to the current one.

    Returns how many rows were written. ``plain_only``: leave rows sealed with older keys alone
    (what a start does; ``kiosk-hall keys rotate`` moves them). Runs in batches of short
    transactions, so a hall may serve meanwhile. Safe in two processes at once: payloads and
    certificate bodies never change once written, so both write the same value sealed anew;
    a register row is rewritten only if it still holds the value read (else the writer that
    changed it sealed it with its own key).

    The registers (``hall.registers``) are covered too; their clear rows from before 0010 are
    sealed by ``hall.registers.seal_legacy_registers``, which a start runs first.
    """
    written = 0
    for spec in _sealed_columns():
        column = spec.column
        sealed_flag = column["sealed"].as_string()
        stale = sealed_flag.is_(None)
        if not plain_only:
            stale = stale | (column["kid"].as_string() != sealer.provider.current_kid)
        after: Any = None
        while True:
            with db.write() as session:
                query = select(spec.key, *spec.names, column).select_from(spec.model)
                if spec.join is not None:
                    query = query.join(*spec.join)
                query = query.where(stale)
                if after is not None:
                    query = query.where(spec.key > after)
                rows = session.execute(query.order_by(spec.key).limit(RESEAL_BATCH)).all()
                for row_key, *row_names, stored in rows:
                    unchanged = spec.key == row_key
                    if is_sealed(stored):  # not rewritten meanwhile (a register row may be)
                        unchanged = unchanged & (column["nonce"].as_string() == stored["nonce"])
                    session.execute(
                        update(spec.model)
                        .where(unchanged)
                        .values({column.key: sealer.reseal(stored, spec.context(*row_names))})
                        .execution_options(synchronize_session=False)
                    )
            if not rows:
                break
            written += len(rows)
            after = rows[-1][0]
    if written:
        logger.info("resealed %d rows with data key %s", written, sealer.provider.current_kid)
    return written


def count_rows_by_key(db: Database) -> dict[str | None, int]:
    """How many sealed values each data key id seals (``None``: values still plain).

    The plain ones include register and document rows an older hall left in clear (``legacy_*``
    tables).
    """
    counts: dict[str | None, int] = {}
    # The documents' and enterprises' rows wait with an empty placeholder: counted as plain below.
    present = set(inspect(db.engine).get_table_names()) & set(registers.LEGACY_TABLES)
    with db.read() as session:
        for table in sorted(present):
            plain = session.scalar(select(func.count()).select_from(sa_table(table)))
            counts[None] = counts.get(None, 0) + int(plain or 0)
        for spec in _sealed_columns():
            kid = spec.column["kid"].as_string()
            for key_id, count in session.execute(select(kid, func.count()).group_by(kid)):
                counts[key_id] = counts.get(key_id, 0) + int(count)
    return counts


def member_context(case_number: str, position: int) -> str:
    """The associated data a bundle member's sealed result is bound to (its case and place)."""
    return f"bundle_member_results.body:{case_number}:{position}"


def _members(row: Submission, sealer: Sealer) -> list[MemberResultPublic]:
    """A bundle case's member results in bundle order (empty for any other case)."""
    session = object_session(row)
    if session is None:
        return []
    stored = session.execute(
        select(registers.BundleMemberResult.position, registers.BundleMemberResult.body)
        .where(registers.BundleMemberResult.submission_id == row.id)
        .order_by(registers.BundleMemberResult.position)
    ).all()
    return [
        MemberResultPublic.model_validate(
            sealer.open(body, member_context(row.case_number, position))
        )
        for position, body in stored
    ]


def _decidable(item: ServiceItem) -> bool:
    """Whether the hall decides this item on the spot (declared conditions or a coded rule)."""
    return item.instant and (item.decision is not None or item.decision_rule is not None)


def _status(value: str) -> SubmissionStatus:
    if value == "approved":
        return "approved"
    if value == "refused":
        return "refused"
    return "accepted"


def _next_serial(session: Session, name: str) -> int:
    """Take the next value of a named counter inside the caller's write transaction (an upsert)."""
    statement = insert_or_skip(session, Sequence).values(name=name, value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[Sequence.name], set_={"value": Sequence.value + 1}
    ).returning(Sequence.value)
    return int(session.scalar(statement))
