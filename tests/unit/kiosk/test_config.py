"""The settings model: defaults, the TOML file, ``KIOSK_`` variables and readable errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import ConfigError, KioskSettings, default_config_path, load_settings

pytestmark = pytest.mark.usefixtures("clean_env")


def _write(tmp_path: Path, text: str, name: str = "kiosk.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_simulated_devices_and_the_embedded_hall() -> None:
    settings = load_settings()
    assert isinstance(settings, KioskSettings)
    assert settings.schema_version == 1
    assert settings.terminal.id == "DEMO01"
    assert settings.terminal.language == "zh"
    assert settings.terminal.idle_countdown_s >= 20
    assert settings.hall.embedded is True
    assert settings.hall.url is None
    assert settings.devices.id_reader.driver == "simulated"
    assert settings.devices.receipt_printer.driver == "simulated"
    assert settings.devices.camera.driver == "simulated"
    assert settings.storage.resolved_key_file == settings.storage.data_dir / "field.key"
    assert settings.printed_folder == settings.storage.data_dir / "printed"


def test_the_file_overrides_the_defaults(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        [terminal]
        id = "FILE01"
        language = "en"
        idle_warning_s = 90

        [hall]
        embedded = false
        url = "http://hall.example:8765"

        [devices.id_reader]
        driver = "sam-serial"
        port = "/dev/ttyUSB3"
        baud = 9600
        """,
    )
    settings = load_settings(path)
    assert settings.terminal.id == "FILE01"
    assert settings.terminal.language == "en"
    assert settings.terminal.idle_warning_s == 90
    assert settings.terminal.idle_countdown_s == 30  # untouched keys keep their defaults
    assert settings.hall.embedded is False
    assert settings.hall.url == "http://hall.example:8765"
    assert settings.devices.id_reader.port == "/dev/ttyUSB3"
    assert settings.devices.id_reader.baud == 9600


def test_the_default_config_path_is_read_when_present(clean_env: Path) -> None:
    path = default_config_path()
    assert path.is_relative_to(clean_env)
    path.parent.mkdir(parents=True)
    path.write_text('[terminal]\nid = "PLAT01"\n', encoding="utf-8")
    assert load_settings().terminal.id == "PLAT01"


def test_kiosk_config_variable_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, '[terminal]\nid = "VAR01"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    assert load_settings().terminal.id == "VAR01"


def test_environment_variables_override_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, '[terminal]\nid = "FILE01"\nidle_warning_s = 90\n')
    monkeypatch.setenv("KIOSK_TERMINAL__ID", "ENV01")
    monkeypatch.setenv("KIOSK_HALL__READ_TIMEOUT_S", "4.5")
    settings = load_settings(path)
    assert settings.terminal.id == "ENV01"
    assert settings.terminal.idle_warning_s == 90  # the file's other keys in the section stay
    assert settings.hall.read_timeout_s == 4.5


def test_explicit_overrides_win_over_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, '[terminal]\nid = "FILE01"\n')
    monkeypatch.setenv("KIOSK_TERMINAL__ID", "ENV01")
    settings = load_settings(path, terminal={"id": "ARG01"})
    assert settings.terminal.id == "ARG01"


def test_every_bad_key_is_named(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        [terminal]
        id = "bad id"
        idle_warning_s = 5
        colour = "red"

        [hall]
        embedded = false

        [devices.id_reader]
        driver = "sam-serial"
        """,
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    lines = message.splitlines()
    assert str(path) in lines[0]
    by_key = {line.split(":", 1)[0].strip(): line for line in lines[1:]}
    assert "pattern" in by_key["terminal.id"]
    assert "greater than or equal to 10" in by_key["terminal.idle_warning_s"]
    assert "unknown key" in by_key["terminal.colour"]
    assert "url is required when embedded = false" in by_key["hall"]
    assert "port is required for driver 'sam-serial'" in by_key["devices.id_reader"]
    assert len(by_key) == 5


@pytest.mark.parametrize(
    ("toml", "key", "words"),
    [
        ("[terminal]\nidle_countdown_s = 19\n", "terminal.idle_countdown_s", "greater than"),
        ("[terminal]\ndecision_wait_s = 61\n", "terminal.decision_wait_s", "less than"),
        ('[terminal]\nlanguage = "fr"\n', "terminal.language", "'zh' or 'en'"),
        ("[devices.receipt_printer]\nport = 70000\n", "devices.receipt_printer.port", "less than"),
        (
            '[devices.id_reader]\ndriver = "sam-serial"\nport = "/dev/ttyS0"\nbaud = 4800\n',
            "devices.id_reader",
            "baud must be one of",
        ),
        ('[hall]\nurl = "ftp://hall"\n', "hall", "http:// or https://"),
        ('[devices.fax]\ndriver = "x"\n', "devices.fax", "unknown key"),
        ("schema_version = 2\n", "schema_version", "Input should be 1"),
    ],
)
def test_single_bad_values(tmp_path: Path, toml: str, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, toml))
    [line] = [line for line in str(caught.value).splitlines() if line.strip().startswith(key)]
    assert words in line


def test_bad_toml_syntax(tmp_path: Path) -> None:
    path = _write(tmp_path, "[terminal\nid = 1\n")
    with pytest.raises(ConfigError, match="is not valid TOML") as caught:
        load_settings(path)
    assert str(path) in str(caught.value)
    assert "line 1" in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError, match="does not exist") as caught:
        load_settings(path)
    assert str(path) in str(caught.value)


def test_bad_environment_values_are_named_with_their_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KIOSK_TERMINAL__IDLE_WARNING_S", "soon")
    monkeypatch.setenv("KIOSK_TERMINAL__BOGUS", "1")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "KIOSK_TERMINAL__IDLE_WARNING_S" in message.splitlines()[0]
    assert "terminal.idle_warning_s: Input should be a valid integer" in message
    assert "terminal.bogus: unknown key" in message


def test_cli_reports_a_bad_config_on_stderr_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "[terminal]\nidle_warning_s = 1\n")
    assert main(["--config", str(path), "doctor"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("kiosk: invalid configuration in")
    assert "terminal.idle_warning_s" in err


def test_cli_reports_a_missing_config_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "gone.toml"
    assert main(["--config", str(missing), "doctor", "--json"]) == 2
    _, err = capsys.readouterr()
    assert f"configuration file {missing} does not exist" in err


def test_every_ocr_engine_key_reaches_the_engine(tmp_path: Path) -> None:
    """Each ``[ocr]`` key an engine option shares is passed on, not left at the engine default."""
    import dataclasses

    from kiosk.config import OcrSettings
    from kiosk.services.materials import engine_options
    from ocr.engines import EngineOptions

    path = tmp_path / "kiosk.toml"
    path.write_text(
        "[ocr]\nthreads = 3\ndet_side = 1024\ndet_page_side = 800\nrec_min_width = 160\n"
        "use_cls = false\n",
        "utf-8",
    )
    options = engine_options(load_settings(path).ocr)
    assert (options.threads, options.det_side, options.det_page_side) == (3, 1024, 800)
    assert (options.rec_min_width, options.use_cls) == (160, False)
    shared = {f.name for f in dataclasses.fields(EngineOptions)} & set(OcrSettings.model_fields)
    assert {"threads", "det_side", "det_page_side", "rec_min_width", "use_cls"} <= shared
    for name in shared:
        assert getattr(options, name) == getattr(load_settings(path).ocr, name), name
