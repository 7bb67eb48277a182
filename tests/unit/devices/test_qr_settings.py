"""``[devices.scanner]``: defaults, the drivers' required keys, and clear errors."""

from __future__ import annotations

import pytest

from devices.scanner.serial_scanner import parse_suffix
from kiosk.config import ConfigError, load_settings


def test_the_defaults_scan_with_the_measured_camera_chain() -> None:
    scanner = load_settings(None).devices.scanner
    assert scanner.driver == "simulated"
    assert scanner.decoders == ["zxing-cpp", "pyzbar"]
    assert scanner.roi is None
    assert scanner.dedupe_window_s == 3.0
    assert parse_suffix(scanner.suffix) == b"\r\n"


def test_a_serial_scanner_needs_its_port() -> None:
    with pytest.raises(ConfigError, match="port is required for driver 'serial'"):
        load_settings(None, devices={"scanner": {"driver": "serial"}})
    scanner = load_settings(
        None, devices={"scanner": {"driver": "serial", "port": "/dev/ttyACM0", "suffix": "cr"}}
    ).devices.scanner
    assert scanner.port == "/dev/ttyACM0" and parse_suffix(scanner.suffix) == b"\r"


@pytest.mark.parametrize(
    ("roi", "message"),
    [
        ((0.5, 0.0, 0.6, 1.0), "roi leaves the frame"),
        ((0.0, 0.0, 0.0, 1.0), "fractions of the frame"),
        ((-0.1, 0.0, 0.5, 0.5), "fractions of the frame"),
    ],
)
def test_a_region_of_interest_must_lie_in_the_frame(
    roi: tuple[float, float, float, float], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(None, devices={"scanner": {"roi": roi}})
    assert load_settings(
        None, devices={"scanner": {"roi": (0.25, 0.2, 0.5, 0.6)}}
    ).devices.scanner.roi == (0.25, 0.2, 0.5, 0.6)


def test_unknown_decoders_and_empty_suffixes_are_refused() -> None:
    with pytest.raises(ConfigError, match="decoders"):
        load_settings(None, devices={"scanner": {"decoders": ["zxing"]}})
    with pytest.raises(ConfigError, match="decoders"):
        load_settings(None, devices={"scanner": {"decoders": []}})
    with pytest.raises(ConfigError, match="suffix cannot be empty"):
        load_settings(None, devices={"scanner": {"suffix": ""}})
