"""Data the terminal and the hall ship with: the catalog, translations, sample documents."""

from __future__ import annotations

from pathlib import Path

import yaml

from hall.schema import CatalogPublic, CategoryPublic, MaterialSpec, ServiceItem

ASSETS_DIR = Path(__file__).resolve().parent
CATALOG_DIR = ASSETS_DIR / "catalog"
SAMPLES_DIR = ASSETS_DIR / "samples"


def load_catalog(directory: Path = CATALOG_DIR) -> CatalogPublic:
    """Read every item file of a catalog folder, validated, in the items' display order.

    Raises ``ValueError`` naming the file when one does not follow the schema.
    """
    index = yaml.safe_load((directory / "index.yaml").read_text(encoding="utf-8"))
    items: list[ServiceItem] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "index.yaml":
            continue
        try:
            item = ServiceItem.model_validate(yaml.safe_load(path.read_text("utf-8")))
        except (ValueError, yaml.YAMLError) as err:
            raise ValueError(f"catalog file {path.name}: {err}") from err
        if any(known.id == item.id for known in items):
            raise ValueError(f"catalog file {path.name}: item id {item.id!r} is used twice")
        items.append(item)
    items.sort(key=lambda item: (item.order, item.id))
    categories = [CategoryPublic.model_validate(c) for c in index.get("categories") or []]
    known = {category.id for category in categories}
    for item in items:
        if categories and item.category not in known:
            raise ValueError(f"catalog item {item.id}: unknown category {item.category!r}")
    items = [_with_bundle_materials(item, items) for item in items]
    return CatalogPublic(version=str(index["version"]), items=items, categories=categories)


def bundle_materials(bundle: ServiceItem, items: list[ServiceItem]) -> list[MaterialSpec]:
    """The union of a bundle's members' materials, in member order, a repeated material once.

    One material id is one document (the ID card, the lease): a member that asks for it again
    adds nothing. Raises ``ValueError`` for a member that does not exist or is itself a bundle or
    a service.
    """
    by_id = {item.id: item for item in items}
    merged: dict[str, MaterialSpec] = {}
    for member_id in bundle.bundle_of:
        member = by_id.get(member_id)
        if member is None:
            raise ValueError(f"bundle {bundle.id}: no member item {member_id!r}")
        if member.kind not in ("instant", "materials"):
            raise ValueError(f"bundle {bundle.id}: member {member_id} is a {member.kind}")
        for spec in member.materials:
            merged.setdefault(spec.id, spec)
    return list(merged.values())


def _with_bundle_materials(item: ServiceItem, items: list[ServiceItem]) -> ServiceItem:
    if item.kind != "bundle":
        return item
    if len(item.bundle_of) < 2:
        raise ValueError(f"bundle {item.id}: a bundle is made of two items or more")
    if item.materials:
        raise ValueError(f"bundle {item.id}: its materials are its members', not its own")
    materials = bundle_materials(item, items)
    by_id = {other.id: other for other in items}
    return item.model_copy(
        update={
            "materials": materials,
            "zero_material": all(m.source == "id_card" for m in materials),
            # Decided on the spot only when every member is: then, as for any instant item, the
            # card must be read by the reader (a photo of it needs a clerk).
            "instant": all(by_id[m].instant for m in item.bundle_of),
        }
    )
