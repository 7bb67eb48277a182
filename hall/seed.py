"""Demo shared data: the residents on the terminal simulator's demo ID cards.

The people, their sex, birth dates, addresses and ID numbers are the same as the simulator's cards
(``devices/idcard/demo_cards.py``); change both together or the demo's decisions stop matching.
Everything here is invented; the ID numbers carry valid GB 11643 check characters.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from hall import registers
from hall.collect import seed_collect_data
from hall.db import Database
from hall.decisions import InsuranceFacts, ResidentFacts
from hall.keys import Sealer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoPerson:
    """One demo resident and their social insurance record, if they have one here."""

    resident: ResidentFacts
    insurance: InsuranceFacts | None


_RETIREE_KINDS = ("退休人员基本养老保险", "职工基本医疗保险（退休）")

DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        ResidentFacts(
            id_number="110105195203141221",
            name="王秀英",
            gender="女",
            birth_date=dt.date(1952, 3, 14),
            household_address="北京市朝阳区建国路88号院3号楼2单元501室",
        ),
        InsuranceFacts(
            id_number="110105195203141221",
            insured_since=dt.date(1975, 7, 1),
            unit="北京市朝阳区退休人员社会化管理服务中心",
            category="retiree",
            insurance_kinds=_RETIREE_KINDS,
            months_paid=321,
            status="active",
        ),
    ),
    DemoPerson(
        ResidentFacts(
            id_number="110108199008213012",
            name="李建国",
            gender="男",
            birth_date=dt.date(1990, 8, 21),
            household_address="北京市海淀区中关村大街27号",
        ),
        InsuranceFacts(
            id_number="110108199008213012",
            insured_since=dt.date(2013, 7, 1),
            unit="北京中关村科技有限公司",
            category="employee",
            insurance_kinds=("企业职工基本养老保险", "职工基本医疗保险", "失业保险", "工伤保险"),
            months_paid=160,
            status="active",
        ),
    ),
    DemoPerson(
        ResidentFacts(
            id_number="440306198511074021",
            name="陈美玲",
            gender="女",
            birth_date=dt.date(1985, 11, 7),
            household_address="广东省深圳市福田区福华路100号",
        ),
        # No social insurance record in this district: the si-insured certificate is refused.
        None,
    ),
    DemoPerson(
        ResidentFacts(
            id_number="310115194806052530",
            name="赵德明",
            gender="男",
            birth_date=dt.date(1948, 6, 5),
            household_address="上海市浦东新区世纪大道200号",
        ),
        InsuranceFacts(
            id_number="310115194806052530",
            insured_since=dt.date(1968, 9, 1),
            unit="上海市浦东新区退休人员社会化管理服务中心",
            category="retiree",
            insurance_kinds=_RETIREE_KINDS,
            months_paid=478,
            status="active",
        ),
    ),
)


DEMO_REGISTERS: dict[str, dict[str, registers.Facts]] = {
    # 王秀英, 74, retired in Chaoyang: medical insurance as a retiree, her flat, her marriage.
    "110105195203141221": {
        "medical_insurance": {
            "scheme": "城镇职工基本医疗保险（退休）",
            "since": "1975-07",
            "status": "active",
        },
        "housing_fund": {
            "unit": "北京市朝阳区纺织品公司",
            "opened": "1995-03-01",
            "monthly_yuan": 0,
            "status": "closed",
        },
        "property": {"count": 1, "address": "北京市朝阳区建国路88号院3号楼2单元501室"},
        "marriage": {"kind": "结婚登记", "date": "1975-05-01", "office": "北京市朝阳区民政局"},
    },
    # 李建国, 36, employed in Haidian: every employee register, no property, income tax paid.
    "110108199008213012": {
        "medical_insurance": {
            "scheme": "城镇职工基本医疗保险",
            "since": "2013-07",
            "status": "active",
        },
        "housing_fund": {
            "unit": "北京中关村科技有限公司",
            "opened": "2013-07-15",
            "monthly_yuan": 3200,
            "status": "normal",
        },
        "tax": {"year": 2025, "paid_yuan": 18640.5, "withholder": "北京中关村科技有限公司"},
    },
    # 陈美玲, 41, from Shenzhen, living here on a residence permit (due for its endorsement);
    # no insurance here: the si-insured and medical certificates are refused.
    "440306198511074021": {
        "residence_permit": {
            "permit_number": "110105202400012345",
            "address": "北京市朝阳区朝外大街22号",
            "issued": "2024-01-15",
            "status": "valid",
            "residence_registered": True,
        },
        "tax": {"year": 2025, "paid_yuan": 2310.0, "withholder": "北京朝外餐饮管理有限公司"},
    },
    # 赵德明, 78, from Shanghai, retired here: a grade-2 physical disability certificate.
    "310115194806052530": {
        "medical_insurance": {
            "scheme": "城镇职工基本医疗保险（退休）",
            "since": "1968-09",
            "status": "active",
        },
        "disability": {"kind": "肢体残疾", "grade": 2, "certificate_since": "2019-04-01"},
        "property": {"count": 1, "address": "北京市朝阳区望京西园二区216号楼1203室"},
        "marriage": {"kind": "结婚登记", "date": "1972-10-01", "office": "上海市浦东新区民政局"},
    },
}
"""Each demo resident's records in the generic registers (``hall.registers``), by ID number.

The registers seeded: medical_insurance, housing_fund, property, marriage, residence_permit,
tax, disability (and criminal_record, empty: no demo person has one).
"""

DEMO_REGISTER_NAMES = (
    "medical_insurance",
    "housing_fund",
    "property",
    "marriage",
    "residence_permit",
    "tax",
    "disability",
    "criminal_record",
)


def seed_demo_data(db: Database, sealer: Sealer) -> int:
    """Make the demo residents and records exist exactly as above; returns how many rows changed.

    Idempotent: a second run changes nothing and returns 0. ``sealer`` must be the one the hall
    serves with (its key file): the registers are keyed and sealed with it.
    """
    changed = 0
    with db.write() as session:
        for person in DEMO_PEOPLE:
            facts = person.resident
            changed += registers.put_resident(session, sealer, facts)
            records_here = DEMO_REGISTERS.get(facts.id_number, {})
            for name in DEMO_REGISTER_NAMES:
                changed += registers.put(
                    session, sealer, name, facts.id_number, records_here.get(name)
                )
            changed += registers.put_insurance(session, sealer, facts.id_number, person.insurance)
    changed += seed_collect_data(db, sealer, dt.date.today())
    logger.info("demo data seeded: %d rows changed", changed)
    return changed
