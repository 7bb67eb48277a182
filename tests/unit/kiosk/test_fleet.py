"""What of a desired configuration a running terminal applies, and the items it offers."""

from __future__ import annotations

import assets
from hall.schema import DesiredConfig
from kiosk.config import KioskSettings
from kiosk.services.fleet import OfferedCatalog, apply_to_settings, not_applied


def test_run_time_fields_apply_and_the_rest_is_reported_not_applied() -> None:
    settings = KioskSettings()
    config = DesiredConfig(idle_warning_s=200, language="en", receipt_cut="full")
    apply_to_settings(settings, config)
    assert (settings.terminal.idle_warning_s, settings.terminal.language) == (200, "en")
    assert not_applied(config) == "not applied at run time: receipt_cut"
    assert not_applied(DesiredConfig(decision_wait_s=5.0)) == ""
    # As it arrives from the hall: every field present, unset ones null.
    wire = DesiredConfig.model_validate_json(DesiredConfig(idle_countdown_s=40).model_dump_json())
    assert not_applied(wire) == ""


def test_the_offered_catalog_keeps_only_enabled_items() -> None:
    catalog = assets.load_catalog()
    offered = OfferedCatalog(lambda: catalog)
    assert offered() == catalog
    first = catalog.items[0].id
    offered.enabled = frozenset({first, "no-such-item"})
    assert [item.id for item in offered().items] == [first]
    assert offered().version == catalog.version
