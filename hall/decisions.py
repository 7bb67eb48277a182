"""Instant decisions ("秒批") for items whose catalog entry says ``instant: true``.

Each rule is a pure function of the applicant, the shared-data records the hall found for them and
the decision date, so the rules are tested without a database. New items declare their decision
in the catalog (``DecisionSpec``: register lookups and conditions) and :func:`evaluate` applies
it; the two coded rules of the first catalog (:func:`decide`) stay for catalogs that name them.
Refusals carry a stable ``reason_code`` for the terminal and a plain bilingual reason for the
citizen.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, assert_never

from hall.schema import (
    ApplicantCreate,
    CertificateField,
    CertificateSpec,
    ConditionSpec,
    DecisionRule,
    DecisionSpec,
    FactValue,
    LocalizedText,
    mask_id_number,
)

logger = logging.getLogger(__name__)

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


# --- Declared decisions -------------------------------------------------------------------------


def applicant_facts(
    applicant: ApplicantCreate, resident: ResidentFacts | None, today: dt.date
) -> dict[str, Any]:
    """The built-in facts (``hall.schema.BUILTIN_FACTS``) of an applicant on ``today``.

    The ID number itself is not among them: a certificate line prints ``applicant.id_masked``.
    """
    valid_until = applicant.valid_until
    return {
        "applicant": {
            "name": applicant.name,
            "gender": applicant.gender,
            "birth_date": applicant.birth_date.isoformat(),
            "id_masked": mask_id_number(applicant.id_number),
            "card_type": applicant.card_type,
        },
        "resident": None
        if resident is None
        else {
            "name": resident.name,
            "gender": resident.gender,
            "birth_date": resident.birth_date.isoformat(),
            "household_address": resident.household_address,
        },
        "age": age_on(applicant.birth_date, today),
        "card": {"days_left": None if valid_until is None else (valid_until - today).days},
    }


def fact_value(facts: Mapping[str, Any], path: str) -> Any:
    """The value at ``register`` or ``register.field`` (``None`` when missing)."""
    subject, _, field = path.partition(".")
    value = facts.get(subject)
    if not field:
        return value
    return value.get(field) if isinstance(value, Mapping) else None


def _same(value: Any, expected: FactValue) -> bool:
    # JSON's true is not 1: a boolean only equals a boolean.
    if isinstance(value, bool) or isinstance(expected, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value is expected
    return bool(value == expected)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def condition_holds(condition: ConditionSpec, facts: Mapping[str, Any]) -> bool:
    """Whether one declared condition holds (a missing fact fails all but ``present: false``)."""
    value = fact_value(facts, condition.fact)
    if condition.present is not None:
        return (value is not None) is condition.present
    if value is None:
        return False
    if condition.equals is not None:
        return _same(value, condition.equals)
    if condition.one_of is not None:
        return any(_same(value, choice) for choice in condition.one_of)
    if condition.starts_with is not None:
        return isinstance(value, str) and value.startswith(condition.starts_with)
    number = _number(value)
    if number is None:
        return False
    if condition.at_least is not None:
        return number >= condition.at_least
    assert condition.at_most is not None
    return number <= condition.at_most


def evaluate(
    spec: DecisionSpec,
    applicant: ApplicantCreate,
    *,
    today: dt.date,
    resident: ResidentFacts | None,
    registers: Mapping[str, Mapping[str, Any] | None],
) -> tuple[DecisionResult, dict[str, Any]]:
    """Decide an instant item by its declared conditions; returns the result and the facts used.

    The identity checks come first (an expired card, a number the register does not know, a
    name or birth date that is not the register's): the machine decides nothing for a card it
    cannot trust. Then every condition in order; the first that fails refuses with its words.
    """
    refused = check_identity(applicant, resident, today)
    if refused is not None:
        return refused, {}
    encoded = birth_date_in_id_number(applicant.id_number)
    if (encoded is not None and encoded != applicant.birth_date) or (
        resident is not None and resident.birth_date != applicant.birth_date
    ):
        return _IDENTITY_MISMATCH, {}
    facts = applicant_facts(applicant, resident, today)
    for name in spec.lookups:
        facts[name] = registers.get(name)
    for condition in spec.conditions:
        if not condition_holds(condition, facts):
            # The refusal may name the facts it turned on ("now {age}"), never the ID number
            # (not a fact); a missing one reads "—".
            reason = LocalizedText(
                zh=render_line(condition.refusal.zh, facts),
                en=render_line(condition.refusal.en, facts),
            )
            return (
                DecisionResult(outcome="refused", reason_code=condition.code, reason=reason),
                facts,
            )
    return APPROVED, facts


_PLACE = re.compile(r"\{([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)(?:\|([^}]*))?\}")


def placeholders(template: str) -> list[str]:
    """The fact paths a certificate line's value template names."""
    return [match.group(1) for match in _PLACE.finditer(template)]


def render_line(template: str, facts: Mapping[str, Any]) -> str:
    """Fill ``{fact.field}`` places; ``{fact.field|text}`` gives ``text`` for a missing fact."""

    def fill(match: re.Match[str]) -> str:
        value = fact_value(facts, match.group(1))
        if value is None or value == "":
            if match.group(2) is None:
                logger.warning("certificate line names a missing fact %s", match.group(1))
                return "—"
            return match.group(2)
        return str(value)

    return _PLACE.sub(fill, template)


def certificate_fields(spec: CertificateSpec, facts: Mapping[str, Any]) -> list[CertificateField]:
    """The printed lines of a declared certificate for an approved applicant's facts."""
    return [
        CertificateField(label=line.label, value=render_line(line.value, facts))
        for line in spec.lines
    ]
