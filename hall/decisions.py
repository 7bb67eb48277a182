"""Instant decisions ("秒批") for items whose catalog entry says ``instant: true``.

Each rule is a pure function of the applicant, the shared-data records the hall found for them and
the decision date, so the rules are tested without a database. Refusals carry a stable
``reason_code`` for the terminal and a plain bilingual reason for the citizen.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Literal, assert_never

from hall.schema import ApplicantCreate, DecisionRule, LocalizedText

ELDER_AGE = 60
"""Older persons are citizens aged sixty or above (Protection of Older Persons law, art. 2)."""


@dataclass(frozen=True)
class ResidentFacts:
    """What the household register says about a resident."""

    id_number: str
    name: str
    gender: str
    birth_date: dt.date
    household_address: str


@dataclass(frozen=True)
class InsuranceFacts:
    """A person's social insurance record in this district."""

    id_number: str
    insured_since: dt.date
    unit: str
    category: str
    insurance_kinds: tuple[str, ...]
    months_paid: int
    status: str

    @property
    def active(self) -> bool:
        """Whether the enrolment is current (employees paying in, or retirees drawing a pension)."""
        return self.status == "active"


@dataclass(frozen=True)
class DecisionResult:
    """A rule's verdict: approved, or refused with a code and a reason in plain words."""

    outcome: Literal["approved", "refused"]
    reason_code: str | None = None
    reason: LocalizedText | None = None

    @property
    def approved(self) -> bool:
        """Whether the case was approved."""
        return self.outcome == "approved"


APPROVED = DecisionResult(outcome="approved")


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Return the whole years of age (周岁) on ``day``.

    Someone born on 29 February turns a year older on 1 March in common years.
    """
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def birth_date_in_id_number(id_number: str) -> dt.date | None:
    """Return the birth date inside an 18-character ID number (characters 7 to 14), if any."""
    if len(id_number) != 18 or not id_number[6:14].isdigit():
        return None
    try:
        return dt.datetime.strptime(id_number[6:14], "%Y%m%d").date()
    except ValueError:
        return None


_IDENTITY_MISMATCH = DecisionResult(
    outcome="refused",
    reason_code="identity_mismatch",
    reason=LocalizedText(
        zh="证件信息与户籍登记信息不一致，无法自动办理，请到人工窗口办理。",
        en="Your card details do not match the household register, so this cannot be done "
        "automatically. Please go to a staffed counter.",
    ),
)


def decide_social_insurance_record(
    applicant: ApplicantCreate, record: InsuranceFacts | None
) -> DecisionResult:
    """Approve when the applicant has an active social insurance record in this district."""
    if record is not None and record.id_number == applicant.id_number and record.active:
        return APPROVED
    if record is None:
        reason = LocalizedText(
            zh="本区社会保险信息系统中没有查到您的参保记录，无法出具参保证明。"
            "如有疑问，请到社保窗口咨询。",
            en="There is no social insurance record for you in this district, so no certificate "
            "can be issued. Please ask at the social insurance counter.",
        )
    else:
        reason = LocalizedText(
            zh="您在本区的参保记录目前不是正常参保状态，无法自动出具参保证明。请到社保窗口咨询。",
            en="Your social insurance record in this district is not currently active, so no "
            "certificate can be issued automatically. Please ask at the social insurance counter.",
        )
    return DecisionResult(outcome="refused", reason_code="no_insurance_record", reason=reason)


def decide_elder_age_60(
    applicant: ApplicantCreate, resident: ResidentFacts | None, today: dt.date
) -> DecisionResult:
    """Approve when the applicant is 60 or older on ``today``.

    The age comes from the card's birth date, cross-checked against the birth date inside the ID
    number and against the household register when it knows the person: any disagreement goes to
    a clerk instead of being decided by the machine.
    """
    birth_date = applicant.birth_date
    encoded = birth_date_in_id_number(applicant.id_number)
    if encoded is not None and encoded != birth_date:
        return _IDENTITY_MISMATCH
    if resident is not None and resident.birth_date != birth_date:
        return _IDENTITY_MISMATCH
    age = age_on(birth_date, today)
    if age >= ELDER_AGE:
        return APPROVED
    return DecisionResult(
        outcome="refused",
        reason_code="under_age",
        reason=LocalizedText(
            zh=f"申请人未满{ELDER_AGE}周岁（当前{age}周岁），暂不符合申领条件。",
            en=f"The applicant is under {ELDER_AGE} (now {age}), so not yet eligible for the card.",
        ),
    )


_NOT_ON_REGISTER = DecisionResult(
    outcome="refused",
    reason_code="not_on_register",
    reason=LocalizedText(
        zh="户籍登记信息中没有查到您的证件号码，无法自动办理，请到人工窗口办理。",
        en="Your ID number is not on the household register, so this cannot be done "
        "automatically. Please go to a staffed counter.",
    ),
)

_CARD_EXPIRED = DecisionResult(
    outcome="refused",
    reason_code="card_expired",
    reason=LocalizedText(
        zh="您的身份证件已过有效期，无法办理。请先到公安机关换领证件，或到人工窗口咨询。",
        en="Your ID card has expired, so this cannot be done. Please renew the card at a police "
        "service office first, or ask at a staffed counter.",
    ),
)


def normalise_name(name: str) -> str:
    """A name as compared with the register: full-width folded (NFKC), spaces and dots dropped.

    The terminal folds names the same way before comparing a material's name with the card's;
    the middle dot of minority and foreign names is written several ways (·, •, ．).
    """
    folded = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "·•.・")


def check_identity(
    applicant: ApplicantCreate, resident: ResidentFacts | None, today: dt.date
) -> DecisionResult | None:
    """The refusal due before any rule runs; ``None`` when the applicant may be decided.

    Refused: an expired card, a number the register does not know, or a name that is not the
    register's for that number.
    """
    valid_until = applicant.valid_until
    if valid_until is not None and valid_until < today:
        return _CARD_EXPIRED
    if resident is None:
        return _NOT_ON_REGISTER
    if normalise_name(resident.name) != normalise_name(applicant.name):
        return _IDENTITY_MISMATCH
    return None


def decide(
    rule: DecisionRule,
    applicant: ApplicantCreate,
    *,
    today: dt.date,
    resident: ResidentFacts | None,
    insurance: InsuranceFacts | None,
) -> DecisionResult:
    """Apply the catalog's ``decision_rule`` to an applicant whose card and register entry agree.

    ``check_identity`` runs first: nothing is approved for an expired card, an ID number the
    register does not know, or a name that is not the register's for that number.
    """
    refused = check_identity(applicant, resident, today)
    if refused is not None:
        return refused
    if rule == "social_insurance_record":
        return decide_social_insurance_record(applicant, insurance)
    if rule == "elder_age_60":
        return decide_elder_age_60(applicant, resident, today)
    assert_never(rule)
