"""Qt Linguist translations: complete English, .ts files in step with the code, plural forms,
a partial third language that falls back to Simplified Chinese, and the language button's cycle.

The .ts files are checked against a fresh ``pyside6-lupdate`` run on a temporary copy; the texts
come from the compiled .qm files through ``tr()``, as the screens get them.
"""

from __future__ import annotations

import shutil
import string
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import assets
from kiosk.app import KioskApp, build_app
from kiosk.config import ConfigError, load_settings
from kiosk.ui import strings, strings_collect
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.screens import loc
from kiosk.ui.strings import LANGUAGE_FILES, PLURALS, STRINGS, next_language, tr

I18N = Path(strings.__file__).with_name("i18n")
LUPDATE = Path(sys.executable).parent / "pyside6-lupdate"
TABLES = [Path(strings.__file__), Path(strings_collect.__file__)]


def _lupdate(tables: list[Path], language: str, ts: Path) -> None:
    """Run lupdate as tools/i18n_convert.py does, into ``ts``."""
    options = ["-source-language", "zh_CN", "-target-language", language, "-no-obsolete"]
    options += ["-locations", "none", "-ts", str(ts)]
    subprocess.run([str(LUPDATE), *map(str, tables), *options], check=True, capture_output=True)


def _messages(ts: Path) -> dict[str, ET.Element]:
    """Source -> <message> element of a .ts file."""
    return {m.findtext("source") or "": m for m in ET.parse(ts).iter("message")}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _texts(message: ET.Element) -> list[str]:
    """The finished translation(s) of a message; [] when it is not finished."""
    translation = message.find("translation")
    assert translation is not None
    if translation.get("type") is not None:  # unfinished, vanished, obsolete
        return []
    if message.get("numerus") == "yes":
        return [form.text or "" for form in translation.findall("numerusform")]
    return [translation.text or ""]


def _sources() -> dict[str, str]:
    return {**STRINGS, **{key: source for key, (source, _) in PLURALS.items()}}


def test_every_message_has_a_finished_english_translation_with_the_same_placeholders() -> None:
    english = _messages(I18N / "kiosk_en.ts")
    for key, source in _sources().items():
        assert source in english, f"{key}: not in kiosk_en.ts (run tools/i18n_convert.py)"
        texts = _texts(english[source])
        assert texts and all(texts), f"{key}: no finished English translation"
        for text in texts:
            assert _placeholders(text) == _placeholders(source), (key, text)
            assert ("%n" in text) == (key in PLURALS), (key, text)
    # The tables hold Chinese sources only: a (zh, en) tuple left in them is unconverted.
    assert all(isinstance(source, str) and source for source in STRINGS.values())


@pytest.mark.parametrize("suffix", sorted(LANGUAGE_FILES.values()))
def test_the_ts_file_is_what_lupdate_makes_of_the_code(suffix: str, tmp_path: Path) -> None:
    committed = I18N / f"{suffix}.ts"
    fresh = tmp_path / committed.name
    shutil.copy(committed, fresh)
    target = suffix.removeprefix("kiosk_")
    _lupdate(TABLES, target, fresh)
    assert fresh.read_text("utf-8") == committed.read_text("utf-8"), (
        f"{committed.name} is out of date with kiosk/ui/strings*.py: "
        "run .venv/bin/python tools/i18n_convert.py"
    )


def test_a_message_added_to_the_code_makes_the_ts_check_fail(tmp_path: Path) -> None:
    # The check above can fail: a new source is a new (unfinished) message in lupdate's output.
    table = tmp_path / "strings_collect.py"
    table.write_text(
        Path(strings_collect.__file__)
        .read_text("utf-8")
        .replace(
            "COLLECT_STRINGS: dict[str, str] = {",
            'COLLECT_STRINGS: dict[str, str] = {\n    "x": QT_TRANSLATE_NOOP("kiosk", "新的一句"),',
        ),
        "utf-8",
    )
    fresh = tmp_path / "kiosk_en.ts"
    shutil.copy(I18N / "kiosk_en.ts", fresh)
    _lupdate([TABLES[0], table], "en", fresh)
    assert fresh.read_text("utf-8") != (I18N / "kiosk_en.ts").read_text("utf-8")
    assert _texts(_messages(fresh)["新的一句"]) == []


def test_the_compiled_qm_files_say_what_the_ts_files_say() -> None:
    # A stale .qm (the .ts changed, `make translations` not run) shows here.
    for language, stem in LANGUAGE_FILES.items():
        messages = _messages(I18N / f"{stem}.ts")
        for key, source in STRINGS.items():
            texts = _texts(messages[source])
            expected = texts[0] if texts else source  # unfinished: the Chinese source
            assert strings.translator(language).translate("kiosk", source) in (expected, ""), key
            values = {name: "X" for name in _placeholders(source)}
            assert tr(key, language, **values) == expected.format(**values), (language, key)


def test_one_working_day_and_two_working_days() -> None:
    assert tr("guide_days", "en", n=1) == "1 working day"
    assert tr("guide_days", "en", n=2) == "2 working days"
    assert tr("guide_days", "zh", n=1) == "1 个工作日"
    assert tr("guide_days", "zh_TW", n=2) == "2 個工作日"
    assert tr("progress_overdue", "en", n=1).startswith("1 day past")
    assert tr("progress_overdue", "en", n=3).startswith("3 days past")
    one = tr("collect_doc_reprint", "en", n=1, title="T", issuer="I")
    assert one == "T (collected; 1 reprint left)\nI"
    assert "(in 1 day)" in tr("identify_card_expiring", "en", date="2027-01-01", days=1)
    assert "(in 9 days)" in tr("identify_card_expiring", "en", date="2027-01-01", days=9)


def test_the_guide_screen_says_working_day_in_the_singular(qtbot: QtBot) -> None:
    window = KioskWindow(("区政务服务中心", "District Service Centre"))
    qtbot.addWidget(window)
    window.set_language("en")
    item = assets.load_catalog().item("sole-proprietor-registration")
    window.guide.set_item(item)
    statutory = item.time_limit.statutory_days
    unit = "day" if statutory == 1 else "days"
    assert f"Statutory limit {statutory} working {unit} ·" in window.guide.meta.text()


def test_traditional_chinese_is_partial_and_falls_back_to_simplified() -> None:
    assert tr("attract_title", "zh_TW") == "請將身份證放在讀卡區"
    assert tr("choose_title", "zh_TW") == "請選擇要辦理的事項"
    assert tr("guide_conditions", "zh_TW") == "辦理條件"
    assert tr("result_approved", "zh_TW") == "辦理成功"
    assert tr("hello", "zh_TW", name="張三") == "您好，張三"
    # Not translated yet (the idle warning, the review screen): the zh_CN source.
    assert tr("idle_title", "zh_TW") == STRINGS["idle_title"] == tr("idle_title", "zh")
    assert tr("review_item", "zh_TW") == "办理事项"
    # Catalog content has zh and en only: Traditional shows the zh.
    item = assets.load_catalog().item("sole-proprietor-registration")
    assert loc(item.name, "zh_TW") == item.name.zh
    unfinished = [m for m in _messages(I18N / "kiosk_zh_TW.ts").values() if not _texts(m)]
    assert len(unfinished) > 100  # partial on purpose: it shows what a new language looks like


def test_an_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        tr("attract_title", "fr")
    with pytest.raises(ConfigError, match="languages"):
        load_settings(None, terminal={"languages": ["zh", "fr"]})
    with pytest.raises(ConfigError, match="each language once"):
        load_settings(None, terminal={"languages": ["zh", "en", "zh"]})


def test_the_cycle() -> None:
    assert next_language("zh", ["zh", "en"]) == "en"
    assert next_language("en", ["zh", "en"]) == "zh"
    assert next_language("en", ["zh", "en", "zh_TW"]) == "zh_TW"
    assert next_language("zh_TW", ["zh", "en", "zh_TW"]) == "zh"
    assert next_language("en", ["zh", "zh_TW"]) == "zh"  # not offered: back to the first


@pytest.fixture
def kiosk(qtbot: QtBot, tmp_path: Path) -> Iterator[KioskApp]:
    """The terminal offering zh, en and zh_TW; certificates go to a folder.

    Nothing here photographs a material: no OCR engine is warmed up (on a loaded machine its
    warm-up outlasts the test and the shutdown's wait, and its thread is left running).
    """
    settings = load_settings(
        None,
        storage={"data_dir": tmp_path / "data"},
        ocr={"check_materials": False},
        terminal={"full_screen": False, "tap_guard_ms": 0, "languages": ["zh", "en", "zh_TW"]},
        devices={"document_printer": {"driver": "folder"}},
        voice={"engine": "none"},
        maintenance={"window": "off"},  # not the night's restart mid-test, whatever the hour
    )
    app = build_app(settings)
    qtbot.addWidget(app.window)
    app.start()
    app.window.resize(1920, 1080)
    app.window.show()
    try:
        yield app
    finally:
        app.stop()


def test_the_language_button_cycles_through_the_configured_languages(
    qtbot: QtBot, kiosk: KioskApp
) -> None:
    w = kiosk.window
    button = w.header.language_button
    assert w.attract.title.text() == "请将身份证放在读卡区"
    assert button.text() == "English"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert w.attract.title.text() == "Please place your ID card on the reader"
    assert button.text() == "繁體中文"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert w.attract.title.text() == "請將身份證放在讀卡區"
    assert w.header.title.text() == "政務服務自助終端"
    assert w.attract.title_en.text() == "Please place your ID card on the reader"  # not 简体
    assert button.text() == "简体中文"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert w.attract.title.text() == "请将身份证放在读卡区"
    assert button.text() == "English"


def test_the_conversion_turns_an_appended_tuple_into_a_translated_message(tmp_path: Path) -> None:
    # What the integrator does when a branch appends (zh, en) tuples at the end of STRINGS.
    root = Path(__file__).resolve().parents[2]
    for name in ("strings.py", "strings_collect.py", "i18n"):
        source, copy = root / "kiosk/ui" / name, tmp_path / "kiosk/ui" / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns("*.qm"))
        else:
            shutil.copy(source, copy)
    table = tmp_path / "kiosk/ui/strings.py"
    text = table.read_text("utf-8")
    end = text.index("\n}\nSTRINGS.update(COLLECT_STRINGS)")
    appended = """
    "new_hint": (
        "请轻触屏幕"
        "继续。",
        "Touch the screen to go on.",
    ),
    "new_count": ("还有 {k} 项", "{k} items to go"),"""
    table.write_text(text[:end] + appended + text[end:], "utf-8")
    tool = [sys.executable, str(root / "tools/i18n_convert.py"), "--root", str(tmp_path)]
    plural = ["--plural", "new_count=k:%n item to go"]
    subprocess.run([*tool, *plural], check=True, capture_output=True)
    converted = table.read_text("utf-8")
    assert '"new_hint": QT_TRANSLATE_NOOP("kiosk", "请轻触屏幕" "继续。")' in " ".join(
        converted.split()
    )
    assert "'new_count': ('还有 %n 项', 'k')," in converted
    assert "QCoreApplication.translate(\"kiosk\", '还有 %n 项', None, 1)" in converted
    compile(converted, str(table), "exec")
    english = _messages(tmp_path / "kiosk/ui/i18n/kiosk_en.ts")
    assert _texts(english["请轻触屏幕继续。"]) == ["Touch the screen to go on."]
    assert _texts(english["还有 %n 项"]) == ["%n item to go", "%n items to go"]
    traditional = _messages(tmp_path / "kiosk/ui/i18n/kiosk_zh_TW.ts")
    assert _texts(traditional["请轻触屏幕继续。"]) == []  # the translator's to do; shown in zh_CN
    assert _texts(traditional["请将身份证放在读卡区"]) == ["請將身份證放在讀卡區"]  # kept
    # Once converted, a second run changes nothing.
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    subprocess.run(tool, check=True, capture_output=True)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
