"""What the materials step asks for next: the capture queue, and the age a document says.

Plain Python for the materials flow (``kiosk.ui.flows.materials``): the queue is the list of
session keys still to photograph, the front of a photographed ID card first.
"""

from __future__ import annotations

import datetime as dt

from hall.schema import MaterialSpec, ServiceItem
from kiosk.services.materials import photo_id_spec, side_spec
from kiosk.services.session import ID_BACK, ID_FRONT, Session, side_key

ELDER_AGE = 60
"""From this age the screens switch to elder mode (larger type) when the card is read."""


def capture_queue(session: Session) -> list[str]:
    """The session keys of the chosen item's materials to photograph, in the order asked."""
    item = session.item
    if item is None:
        return []
    queue = [m.id for m in item.materials if m.source == "camera"]
    card_spec = photo_id_spec(item)
    if session.photo_identity and session.card is None and card_spec is not None:
        # Front first (it names the applicant the later materials must match), then back.
        queue = [side_key(card_spec.id, side) for side in (ID_FRONT, ID_BACK)] + queue
    return queue


def material_for(item: ServiceItem, key: str) -> MaterialSpec:
    """The material a capture queue key stands for (one side of an ID card is its own)."""
    if ":" in key:
        material_id, side = key.split(":", 1)
        card_spec = next(m for m in item.materials if m.id == material_id)
        return side_spec(card_spec, side)
    return next(m for m in item.materials if m.id == key)


def age_from(birth: object, today: dt.date) -> int:
    """Whole years of age on ``today`` for an ISO birth date read from a document; 0 if unknown."""
    if not isinstance(birth, str):
        return 0
    try:
        born = dt.date.fromisoformat(birth)
    except ValueError:
        return 0
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def is_elder_front(key: str, fields: dict[str, object], today: dt.date) -> bool | None:
    """For the photographed front of an ID card, whether its holder gets elder mode; else None.

    适老化 as for a card read: the photographed front's birth date says the age.
    """
    if not key.endswith(":" + ID_FRONT):
        return None
    return age_from(fields.get("birth_date"), today) >= ELDER_AGE
