"""The shipped catalog: every item file validates and the foundation's four items are right."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assets import CATALOG_DIR, load_catalog
from hall.schema import CatalogPublic

FOUNDATION_ITEMS = {
    "si-insured-certificate",
    "elder-card",
    "sole-proprietor-registration",
    "case-progress",
}


@pytest.fixture(scope="module")
def catalog() -> CatalogPublic:
    return load_catalog()


def test_every_item_file_is_loaded(catalog: CatalogPublic) -> None:
    files = {p.stem for p in CATALOG_DIR.glob("*.yaml")} - {"index"}
    assert {item.id for item in catalog.items} == files
    assert catalog.version
    orders = [item.order for item in catalog.items]
    assert orders == sorted(orders)


def test_exactly_the_four_foundation_items(catalog: CatalogPublic) -> None:
    # The collect journeys' two items join them (issue 12).
    ids = {item.id for item in catalog.items}
    assert ids >= FOUNDATION_ITEMS
    assert ids - FOUNDATION_ITEMS <= {"certificate-collect", "business-license-print"}


def test_every_item_is_complete(catalog: CatalogPublic) -> None:
    for item in catalog.items:
        for text in (item.name, item.department, *item.conditions, *item.steps):
            assert text.zh.strip() and text.en.strip(), item.id
        assert item.short_name is not None and item.short_name.zh and item.short_name.en
        assert item.time_limit.promised_days <= item.time_limit.statutory_days
        assert item.fee.amount_yuan >= 0
        assert item.fee.note.zh and item.fee.note.en
        assert item.steps and item.conditions, item.id
        if item.kind == "service":
            assert item.legal_basis, item.id
            assert all(b.zh and b.en for b in item.legal_basis)
            assert item.materials, item.id
        for spec in item.materials:
            assert spec.name.zh and spec.name.en
            if spec.source == "camera":
                assert spec.document_type, spec.id
                assert spec.hint is not None and spec.hint.zh and spec.hint.en


def test_si_insured_certificate(catalog: CatalogPublic) -> None:
    item = catalog.item("si-insured-certificate")
    assert item.kind == "service"
    assert item.zero_material and item.instant
    assert item.decision_rule == "social_insurance_record"
    assert item.certificate_template
    assert [(m.id, m.source) for m in item.materials] == [("id-card", "id_card")]
    assert item.time_limit.promised_days == 0
    assert item.fee.amount_yuan == 0


def test_elder_card(catalog: CatalogPublic) -> None:
    item = catalog.item("elder-card")
    assert item.instant
    assert item.zero_material
    assert item.decision_rule == "elder_age_60"
    assert item.certificate_template
    assert [(m.id, m.source) for m in item.materials] == [("id-card", "id_card")]


def test_sole_proprietor_registration(catalog: CatalogPublic) -> None:
    item = catalog.item("sole-proprietor-registration")
    assert not item.instant
    assert not item.zero_material
    assert item.decision_rule is None
    sources = {m.source: m for m in item.materials}
    assert set(sources) == {"id_card", "camera"}
    assert sources["camera"].id == "lease-contract"
    assert sources["camera"].document_type == "lease_contract"
    assert all(m.required for m in item.materials)
    assert item.time_limit.statutory_days == 3
    assert item.time_limit.promised_days == 1


def test_case_progress(catalog: CatalogPublic) -> None:
    item = catalog.item("case-progress")
    assert item.kind == "progress_query"
    assert item.materials == []
    assert not item.instant


def _copy_catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, folder)
    return folder


def test_a_copy_loads_the_same(tmp_path: Path, catalog: CatalogPublic) -> None:
    assert load_catalog(_copy_catalog(tmp_path)) == catalog


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id: broken\nname: {zh: 坏, en: Broken}\n", "department"),
        ("id: broken\nfee: [\n", "while parsing"),
        ("", "ServiceItem"),
        ("- just\n- a list\n", "ServiceItem"),
    ],
)
def test_a_broken_item_file_is_named(tmp_path: Path, text: str, words: str) -> None:
    folder = _copy_catalog(tmp_path)
    (folder / "zz-broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"catalog file zz-broken\.yaml") as caught:
        load_catalog(folder)
    assert words in str(caught.value)


def test_an_unknown_field_is_refused(tmp_path: Path) -> None:
    folder = _copy_catalog(tmp_path)
    path = folder / "elder-card.yaml"
    path.write_text(path.read_text("utf-8") + "colour: red\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"catalog file elder-card\.yaml") as caught:
        load_catalog(folder)
    assert "colour" in str(caught.value)


def test_a_duplicate_item_id_is_refused(tmp_path: Path) -> None:
    folder = _copy_catalog(tmp_path)
    shutil.copy(folder / "elder-card.yaml", folder / "elder-card-copy.yaml")
    with pytest.raises(ValueError, match=r"catalog file elder-card\.yaml: item id 'elder-card'"):
        load_catalog(folder)
