"""Data the terminal and the hall ship with: the catalog, translations, sample documents."""

from __future__ import annotations

from pathlib import Path

import yaml

from hall.schema import CatalogPublic, ServiceItem

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
    return CatalogPublic(version=str(index["version"]), items=items)
