"""What is on each generated document: typed ground-truth fields, the printed strings, defects.

A ``Spec`` is made per document type from a random generator and the applicant (the citizen at
the terminal); invalid documents carry one deliberate defect, named by the same reason codes the
reader's checks report (``id_checksum``, ``uscc_checksum``, ``expired``, ``name_mismatch``).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from stdnum.cn import ric

from bench.docgen import values as v

DOCUMENT_TYPES = (
    "resident_id_front",
    "resident_id_back",
    "business_license",
    "lease_contract",
    "food_business_license",
)

DEFECTS = {
    "resident_id_front": ("id_checksum", "name_mismatch"),
    "resident_id_back": ("expired",),
    "business_license": ("uscc_checksum", "name_mismatch"),
    "lease_contract": ("expired", "name_mismatch"),
    "food_business_license": ("uscc_checksum", "expired"),
}
"""The defects each type can be given: the reader must catch every one."""


@dataclass
class Applicant:
    """The citizen the documents are checked against (read from the ID card on the reader)."""

    name: str
    id_number: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    region: tuple[str, str, str]
    address: str


@dataclass
class Spec:
    """One document: its type, the expected typed fields, what is printed, and its defects."""

    document_type: str
    fields: dict[str, object]
    printed: dict[str, str]
    defects: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Whether the document should pass every check."""
        return not self.defects


def make_applicant(rng: random.Random) -> Applicant:
    """A citizen with a valid ID number."""
    gender = rng.choice("男女")
    birth = v.random_date(rng, dt.date(1950, 1, 1), dt.date(2004, 12, 31))
    # A region code must have existed when the holder was born (浦东新区 dates from 1993):
    # python-stdnum knows the codes' lifetimes and so does the reader's validator.
    regions = list(v.REGIONS)
    rng.shuffle(regions)
    for region in regions:
        number = v.id_number(rng, region[0], birth, gender)
        if ric.is_valid(number):
            break
    else:
        raise AssertionError(f"no region code was valid for a birth on {birth}")
    return Applicant(
        name=v.person_name(rng),
        id_number=number,
        gender=gender,
        ethnicity=rng.choice(v.ETHNICITIES),
        birth_date=birth,
        region=region,
        address=v.street_address(rng, region[1]),
    )


def _iso(day: dt.date) -> str:
    return day.isoformat()


def resident_id_front(rng: random.Random, who: Applicant, defect: str | None) -> Spec:
    """The portrait side of the ID card."""
    name = who.name if defect != "name_mismatch" else v.other_name(rng, who.name)
    number = who.id_number
    if defect == "id_checksum":
        number = v.wrong_check(number, v.ID_CHECK_ALPHABET)
    birth = who.birth_date
    fields: dict[str, object] = {
        "name": name,
        "gender": who.gender,
        "ethnicity": who.ethnicity,
        "birth_date": _iso(birth),
        "address": who.address,
        "id_number": number,
    }
    printed = {
        "name": name,
        "gender": who.gender,
        "ethnicity": who.ethnicity,
        "birth_date": f"{birth.year} 年 {birth.month} 月 {birth.day} 日",
        "address": who.address,
        "id_number": number,
    }
    return Spec("resident_id_front", fields, printed, [defect] if defect else [])


def _lawful_years(birth: dt.date, start: dt.date) -> int | None:
    """Years of validity the law gives a card issued on ``start``; ``None`` for long-term."""
    age = (start - birth).days / 365.25
    if age >= 46:
        return None
    if age >= 26:
        return 20
    if age >= 16:
        return 10
    return 5


def _id_validity(
    rng: random.Random, who: Applicant, expired: bool
) -> tuple[dt.date, dt.date | None]:
    """A validity period fitting the holder's age at issue (居民身份证法 第五条)."""
    if not expired:
        start = v.random_date(
            rng, v.add_years(v.REFERENCE_DATE, -4), v.REFERENCE_DATE - dt.timedelta(days=30)
        )
        years = _lawful_years(who.birth_date, start)
        return start, v.add_years(start, years) if years else None
    for _ in range(50):
        end = v.random_date(
            rng, v.add_years(v.REFERENCE_DATE, -12), v.REFERENCE_DATE - dt.timedelta(days=400)
        )
        for years in (20, 10, 5):
            start = v.add_years(end, -years)
            if _lawful_years(who.birth_date, start) == years:
                return start, end
    # An elderly holder's lawful card never runs out: give an expired 20-year card all the same.
    end = v.REFERENCE_DATE - dt.timedelta(days=500)
    return v.add_years(end, -20), end


def resident_id_back(rng: random.Random, who: Applicant, defect: str | None) -> Spec:
    """The emblem side: issuing authority and the validity period."""
    start, end = _id_validity(rng, who, expired=defect == "expired")
    authority = who.region[2]
    fields: dict[str, object] = {
        "issuing_authority": authority,
        "valid_from": _iso(start),
        "valid_to": _iso(end) if end else "long-term",
    }
    period = f"{start:%Y.%m.%d}-{end:%Y.%m.%d}" if end else f"{start:%Y.%m.%d}-长期"
    printed = {"issuing_authority": authority, "period": period}
    return Spec("resident_id_back", fields, printed, [defect] if defect else [])


def business_license(rng: random.Random, who: Applicant, defect: str | None) -> Spec:
    """A company's business licence; the applicant is its legal representative."""
    region = rng.choice(v.REGIONS)
    name, scope = v.company_name(rng, v.city_of(region[1]))
    code = v.uscc_code(rng, region[0])
    if defect == "uscc_checksum":
        code = v.wrong_check(code, v.USCC_ALPHABET)
    person = who.name if defect != "name_mismatch" else v.other_name(rng, who.name)
    yuan, capital_text = v.capital(rng)
    established = v.random_date(rng, dt.date(2005, 1, 1), v.REFERENCE_DATE - dt.timedelta(days=60))
    date_style = rng.choice((0, 1))
    fields: dict[str, object] = {
        "uscc": code,
        "name": name,
        "company_type": rng.choice(v.COMPANY_TYPES),
        "legal_representative": person,
        "registered_capital": yuan,
        "established_date": _iso(established),
        "address": v.street_address(rng, region[1]),
        "business_scope": scope,
    }
    printed = {key: str(value) for key, value in fields.items()}
    printed["registered_capital"] = capital_text
    printed["established_date"] = v.format_date(established, date_style)
    if rng.random() < 0.6:
        fields["term_from"] = _iso(established)
        if rng.random() < 0.5:
            fields["term_to"] = "long-term"
            printed["term"] = f"{v.format_date(established, date_style)}至长期"
        else:
            end = v.add_years(established, 30) - dt.timedelta(days=1)
            fields["term_to"] = _iso(end)
            printed["term"] = (
                f"{v.format_date(established, date_style)}至{v.format_date(end, date_style)}"
            )
    printed["authority"] = f"{region[1]}市场监督管理局"
    printed["issued"] = v.format_date(
        v.random_date(rng, established, v.REFERENCE_DATE - dt.timedelta(days=30)), 0
    )
    return Spec("business_license", fields, printed, [defect] if defect else [])


def lease_contract(rng: random.Random, who: Applicant, defect: str | None) -> Spec:
    """A lease of business premises; the applicant is the lessee."""
    region = rng.choice(v.REGIONS)
    if rng.random() < 0.5:
        lessor = v.person_name(rng)
    else:
        lessor = (
            v.company_name(rng, v.city_of(region[1]))[0]
            .replace("有限公司", "物业有限公司")
            .replace("物业管理物业", "物业")
        )
    lessee = who.name if defect != "name_mismatch" else v.other_name(rng, who.name)
    if defect == "expired":
        end = v.random_date(
            rng,
            v.REFERENCE_DATE - dt.timedelta(days=900),
            v.REFERENCE_DATE - dt.timedelta(days=200),
        )
        start = v.add_years(end, -rng.choice((1, 2, 3))) + dt.timedelta(days=1)
    else:
        start = v.random_date(
            rng, v.REFERENCE_DATE - dt.timedelta(days=300), v.REFERENCE_DATE + dt.timedelta(days=60)
        )
        end = v.add_years(start, rng.choice((5, 6, 8, 10))) - dt.timedelta(days=1)
    address = v.street_address(rng, region[1])
    date_style = rng.choice((0, 1, 2))
    fields: dict[str, object] = {
        "lessor": lessor,
        "lessee": lessee,
        "address": address,
        "start_date": _iso(start),
        "end_date": _iso(end),
    }
    printed = {
        "lessor": lessor,
        "lessee": lessee,
        "address": address,
        "start_date": v.format_date(start, date_style),
        "end_date": v.format_date(end, date_style),
        "area": f"{rng.randint(20, 300)}.{rng.randint(0, 9)}",
        "rent": str(rng.choice((3000, 4500, 6000, 8000, 12000, 20000))),
        "signed": v.format_date(start - dt.timedelta(days=rng.randint(3, 20)), date_style),
    }
    return Spec("lease_contract", fields, printed, [defect] if defect else [])


def food_business_license(rng: random.Random, who: Applicant, defect: str | None) -> Spec:
    """A food business licence of a shop the applicant represents."""
    region = rng.choice(v.REGIONS)
    operator = v.company_name(rng, v.city_of(region[1]))[0]
    code = v.uscc_code(rng, region[0])
    if defect == "uscc_checksum":
        code = v.wrong_check(code, v.USCC_ALPHABET)
    if defect == "expired":
        valid_to = v.random_date(
            rng,
            v.REFERENCE_DATE - dt.timedelta(days=900),
            v.REFERENCE_DATE - dt.timedelta(days=200),
        )
    else:
        valid_to = v.random_date(
            rng,
            v.add_years(v.REFERENCE_DATE, 5),
            v.add_years(v.REFERENCE_DATE, 5) + dt.timedelta(days=300),
        )
    address = v.street_address(rng, region[1])
    fields: dict[str, object] = {
        "licence_number": v.licence_number(rng, region[0]),
        "operator_name": operator,
        "uscc": code,
        "legal_representative": who.name,
        "address": address,
        "valid_to": _iso(valid_to),
    }
    printed = {key: str(value) for key, value in fields.items()}
    printed["valid_to"] = v.format_date(valid_to, rng.choice((0, 1)))
    printed["format"] = rng.choice(v.FOOD_FORMATS)
    printed["items"] = rng.choice(v.FOOD_ITEMS)
    printed["authority"] = f"{region[1]}市场监督管理局"
    printed["supervisor"] = f"{region[1][-3:]}市场监督管理所"
    printed["issuer"] = v.person_name(rng)
    printed["issued"] = v.format_date(v.add_years(valid_to, -5), 0)
    return Spec("food_business_license", fields, printed, [defect] if defect else [])


MAKERS = {
    "resident_id_front": resident_id_front,
    "resident_id_back": resident_id_back,
    "business_license": business_license,
    "lease_contract": lease_contract,
    "food_business_license": food_business_license,
}


def make_spec(document_type: str, rng: random.Random, who: Applicant, defect: str | None) -> Spec:
    """The spec of one document of ``document_type``, with ``defect`` (``None``: a valid one)."""
    if defect is not None and defect not in DEFECTS[document_type]:
        raise ValueError(f"{document_type} cannot carry the defect {defect!r}")
    return MAKERS[document_type](rng, who, defect)
