"""The document generator: exact ground truth, right and wrong check characters, seeds repeat."""

from __future__ import annotations

import collections
import datetime as dt
import json
import random
import re
from pathlib import Path

import cv2
import pytest
from stdnum.cn import ric, uscc

from bench.docgen import DEFECTS, DOCUMENT_TYPES, REFERENCE_DATE, generate, page_for
from bench.docgen.documents import make_applicant, make_spec
from bench.docgen.plan import plan
from bench.docgen.values import upper_number
from bench.ocr import CORE_FIELDS

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def specs(count: int = 200):
    """Many specs of every type, valid and with every defect, without drawing them."""
    rng = random.Random(7)
    for index in range(count):
        document_type = DOCUMENT_TYPES[index % len(DOCUMENT_TYPES)]
        options = [None, *DEFECTS[document_type]]
        defect = options[index // len(DOCUMENT_TYPES) % len(options)]
        who = make_applicant(rng)
        yield make_spec(document_type, rng, who, defect), who


def test_every_type_has_its_fixed_field_names() -> None:
    for spec, _who in specs(50):
        assert set(CORE_FIELDS[spec.document_type]) <= set(spec.fields), spec.document_type


def test_valid_documents_have_right_check_characters_and_invalid_ones_wrong() -> None:
    seen = collections.Counter()
    for spec, who in specs():
        assert ric.is_valid(who.id_number)
        number = spec.fields.get("id_number")
        if number is not None:
            assert ric.is_valid(number) == ("id_checksum" not in spec.defects), number
            seen["id"] += 1
        code = spec.fields.get("uscc")
        if code is not None:
            assert uscc.is_valid(code) == ("uscc_checksum" not in spec.defects), code
            seen["uscc"] += 1
    assert seen["id"] > 20 and seen["uscc"] > 20


def test_dates_are_iso_and_expiry_matches_the_defect() -> None:
    for spec, who in specs():
        for name, value in spec.fields.items():
            if name.endswith(("_date", "valid_from", "valid_to", "term_from", "term_to")):
                assert value == "long-term" or ISO.match(str(value)), (name, value)
        end = spec.fields.get("valid_to") or spec.fields.get("end_date")
        if end is None or end == "long-term":
            assert "expired" not in spec.defects
            continue
        expired = dt.date.fromisoformat(str(end)) < REFERENCE_DATE
        assert expired == ("expired" in spec.defects), (spec.document_type, end)
        if spec.document_type == "resident_id_front":
            assert spec.fields["birth_date"] == who.birth_date.isoformat()


def test_name_mismatch_documents_name_someone_else() -> None:
    person_field = {
        "resident_id_front": "name",
        "business_license": "legal_representative",
        "lease_contract": "lessee",
    }
    for spec, who in specs():
        field = person_field.get(spec.document_type)
        if field is not None:
            assert (spec.fields[field] != who.name) == ("name_mismatch" in spec.defects)


def test_id_number_agrees_with_birth_date_and_gender() -> None:
    for spec, _who in specs(60):
        if spec.document_type != "resident_id_front":
            continue
        number = str(spec.fields["id_number"])
        assert number[6:14] == str(spec.fields["birth_date"]).replace("-", "")
        assert (int(number[16]) % 2 == 1) == (spec.fields["gender"] == "男")


def test_plan_covers_every_type_with_a_fifth_invalid() -> None:
    jobs = plan(60, seed=1)
    per_type = collections.Counter(kind for kind, _ in jobs)
    assert set(per_type) == set(DOCUMENT_TYPES)
    assert min(per_type.values()) >= 10
    invalid = sum(defect is not None for _, defect in jobs)
    assert 0.15 <= invalid / len(jobs) <= 0.3
    for kind, defect in jobs:
        assert defect is None or defect in DEFECTS[kind]


def test_capital_in_upper_numerals() -> None:
    assert [upper_number(n) for n in (3, 10, 100, 105, 2000)] == [
        "叁",
        "壹拾",
        "壹佰",
        "壹佰零伍",
        "贰仟",
    ]


def test_generate_writes_photos_with_truth_and_repeats_by_seed(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 5, seed=11)
    again = generate(tmp_path / "b", 2, seed=11)
    assert [t["document_type"] for t in first] == list(DOCUMENT_TYPES)
    for truth in first:
        image = tmp_path / "a" / truth["image"]
        photo = cv2.imread(str(image))
        assert photo is not None
        height, width = photo.shape[:2]
        assert [width, height] == truth["photo"]["size"]
        # The whole document lies inside the frame.
        for x, y in truth["photo"]["corners"]:
            assert 0 <= x <= width and 0 <= y <= height
        stored = json.loads(image.with_suffix(".json").read_text("utf-8"))
        assert stored == truth
    # The same seed gives the same files (the first two, to keep the test quick).
    for truth in again:
        assert (tmp_path / "a" / truth["image"]).read_bytes() == (
            tmp_path / "b" / truth["image"]
        ).read_bytes()
    assert first[:2] == again
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["images"] == [t["image"] for t in first]


@pytest.mark.parametrize("document_type", DOCUMENT_TYPES)
def test_pages_have_document_proportions(document_type: str) -> None:
    page, spec, _who = page_for(document_type, seed=2)
    height, width = page.shape[:2]
    ratio = width / height
    if document_type.startswith("resident_id"):
        assert ratio == pytest.approx(85.6 / 54, rel=0.01)
    else:
        assert ratio == pytest.approx(210 / 297, rel=0.01)
    assert spec.document_type == document_type
