"""The shipped catalog: every item file validates, the fixed ids exist, the guides are complete."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assets import CATALOG_DIR, load_catalog
from hall.schema import CatalogPublic, ServiceItem

FIXED_IDS = {
    # Other tools and the hall's data use these ids: they must exist exactly.
    "si-insured-certificate",
    "elder-card",
    "sole-proprietor-registration",
    "case-progress",
    "medical-insurance-certificate",
    "housing-fund-deposit-certificate",
    "property-record-certificate",
    "business-license-print",
    "food-business-license",
    "open-restaurant",
    "residence-permit-endorsement",
    "certificate-collect",
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


def test_the_fixed_ids_and_the_size_of_the_catalog(catalog: CatalogPublic) -> None:
    ids = {item.id for item in catalog.items}
    assert ids >= FIXED_IDS
    assert len(catalog.items) >= 32
    categories = {item.category for item in catalog.items}
    assert categories == {category.id for category in catalog.categories}
    assert len(categories - {"services", "bundles"}) >= 9
    kinds = {item.kind for item in catalog.items}
    assert kinds == {"instant", "materials", "bundle", "service", "handoff"}
    assert sum(item.kind == "bundle" for item in catalog.items) >= 3
    assert catalog.item("open-restaurant").kind == "bundle"
    for item_id in ("certificate-collect", "business-license-print", "case-progress"):
        assert catalog.item(item_id).kind == "service"
        assert catalog.item(item_id).flow == item_id


def test_open_restaurant_merges_its_members_materials(catalog: CatalogPublic) -> None:
    bundle = catalog.item("open-restaurant")
    assert bundle.bundle_of == ["sole-proprietor-registration", "food-business-license"]
    members = [catalog.item(i) for i in bundle.bundle_of]
    every = [spec.id for member in members for spec in member.materials]
    assert len(every) == 4  # the ID card and the lease, asked for by both
    assert [spec.id for spec in bundle.materials] == ["id-card", "lease-contract"]
    assert not bundle.zero_material


def test_every_bundle_is_made_of_applications(catalog: CatalogPublic) -> None:
    for bundle in (item for item in catalog.items if item.kind == "bundle"):
        assert len(bundle.bundle_of) >= 2
        for member_id in bundle.bundle_of:
            assert catalog.item(member_id).kind in ("instant", "materials"), bundle.id
        ids = [spec.id for spec in bundle.materials]
        assert len(ids) == len(set(ids))


def test_a_bundle_of_an_unknown_item_is_refused(tmp_path: Path) -> None:
    folder = _copy_catalog(tmp_path)
    path = folder / "open-restaurant.yaml"
    text = path.read_text("utf-8").replace("- food-business-license", "- no-such-item")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="no member item 'no-such-item'"):
        load_catalog(folder)


def test_an_unknown_category_is_refused(tmp_path: Path) -> None:
    folder = _copy_catalog(tmp_path)
    path = folder / "elder-card.yaml"
    path.write_text(path.read_text("utf-8").replace("category: elderly-disability", "category: x"))
    with pytest.raises(ValueError, match="unknown category 'x'"):
        load_catalog(folder)


def test_a_condition_on_a_register_not_looked_up_is_refused(tmp_path: Path) -> None:
    folder = _copy_catalog(tmp_path)
    path = folder / "elder-card.yaml"
    path.write_text(path.read_text("utf-8").replace("fact: age", "fact: tax.year"))
    with pytest.raises(ValueError, match="reads 'tax', not looked up"):
        load_catalog(folder)


def test_a_legacy_catalog_still_loads_with_derived_kinds() -> None:
    """A terminal's cached copy of the first catalog (kinds service / progress_query) loads."""
    base = {
        "name": {"zh": "甲", "en": "A"},
        "department": {"zh": "乙", "en": "B"},
        "time_limit": {"statutory_days": 0, "promised_days": 0},
        "fee": {"amount_yuan": 0, "note": {"zh": "免费", "en": "Free"}},
    }
    progress = ServiceItem.model_validate({**base, "id": "p", "kind": "progress_query"})
    assert (progress.kind, progress.flow) == ("service", "case-progress")
    instant = ServiceItem.model_validate({**base, "id": "i", "kind": "service", "instant": True})
    assert instant.kind == "instant" and instant.takes_submissions
    plain = ServiceItem.model_validate({**base, "id": "m", "kind": "service"})
    assert plain.kind == "materials"


def test_refusals_name_only_facts_the_decision_has(catalog: CatalogPublic) -> None:
    from hall.decisions import placeholders
    from hall.schema import BUILTIN_FACTS

    for item in catalog.items:
        if item.decision is None:
            continue
        known = set(item.decision.lookups) | set(BUILTIN_FACTS)
        for condition in item.decision.conditions:
            for text in (condition.refusal.zh, condition.refusal.en):
                assert all(p.split(".")[0] in known for p in placeholders(text)), item.id


def test_every_item_has_search_words_and_a_rank(catalog: CatalogPublic) -> None:
    for item in catalog.items:
        assert len(item.keywords) >= 3, item.id
        assert item.usage_rank < 1000, item.id


def test_every_item_is_complete(catalog: CatalogPublic) -> None:
    for item in catalog.items:
        for text in (item.name, item.department, *item.conditions, *item.steps):
            assert text.zh.strip() and text.en.strip(), item.id
        assert item.short_name is not None and item.short_name.zh and item.short_name.en
        assert item.time_limit.promised_days <= item.time_limit.statutory_days
        assert item.fee.amount_yuan >= 0
        assert item.fee.note.zh and item.fee.note.en
        assert item.steps and item.conditions, item.id
        if item.kind != "service":
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
    assert item.kind == "instant"
    assert item.zero_material and item.instant
    assert item.decision is not None and item.decision.lookups == ["social_insurance"]
    assert item.certificate_template
    assert [(m.id, m.source) for m in item.materials] == [("id-card", "id_card")]
    assert item.time_limit.promised_days == 0
    assert item.fee.amount_yuan == 0


def test_elder_card(catalog: CatalogPublic) -> None:
    item = catalog.item("elder-card")
    assert item.instant
    assert item.zero_material
    assert item.decision is not None
    assert [(c.fact, c.at_least) for c in item.decision.conditions] == [("age", 60)]
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
    assert item.kind == "service" and item.flow == "case-progress"
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
