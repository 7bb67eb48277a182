"""The choose screen on real widgets: the most used first, pages, categories, the letter pad.

Screenshots of each state are written to the test's folder (and looked at when the screen
changes); the checks here are on the widgets themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

import assets
from hall.schema import CatalogPublic
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.screens.choose import MAX_CHOICES, NARROW_CHOICES

MIN_TARGET = 60


@pytest.fixture(scope="module")
def catalog() -> CatalogPublic:
    return assets.load_catalog()


def _window(qtbot: QtBot, catalog: CatalogPublic, size: tuple[int, int]) -> KioskWindow:
    window = KioskWindow(("区政务服务中心", "District Service Centre"))
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    window.choose.set_catalog(catalog, "王*英")
    window.show_screen(window.choose)
    qtbot.waitExposed(window)
    return window


def _click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _shot(window: KioskWindow, path: Path) -> None:
    image = window.grab().toImage()
    assert image.save(str(path))
    # Not a blank frame: the screen painted more than its background.
    colours = {
        image.pixelColor(x, y).rgb()
        for x in range(0, image.width(), 37)
        for y in range(0, image.height(), 37)
    }
    assert len(colours) > 3


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def test_most_used_first_with_pages_and_a_visible_cue(
    qtbot: QtBot, catalog: CatalogPublic, tmp_path: Path, size: tuple[int, int]
) -> None:
    w = _window(qtbot, catalog, size)
    choose = w.choose
    ranked = sorted(catalog.items, key=lambda item: (item.usage_rank, item.order))
    per_page = MAX_CHOICES if size[0] > size[1] else NARROW_CHOICES
    assert choose.per_page == per_page
    assert len(choose.buttons) == per_page
    assert ranked[0].name.zh in choose.buttons[0].text()
    pages = -(-len(catalog.items) // per_page)
    assert choose.pages == pages
    assert choose.page_label.isVisible()
    assert f"第1/{pages}页" in choose.page_label.text()
    assert not choose.prev_button.isEnabled() and choose.next_button.isEnabled()
    _shot(w, tmp_path / f"choose-{size[0]}x{size[1]}.png")
    first_page = [b.text() for b in choose.buttons]
    _click(qtbot, choose.next_button)
    assert choose.page == 1
    assert [b.text() for b in choose.buttons] != first_page
    assert ranked[per_page].name.zh in choose.buttons[0].text()
    for _ in range(pages):
        if choose.next_button.isEnabled():
            _click(qtbot, choose.next_button)
    assert choose.page == pages - 1 and not choose.next_button.isEnabled()
    assert len(choose.buttons) == len(catalog.items) - (pages - 1) * per_page


def test_every_target_is_big_enough(qtbot: QtBot, catalog: CatalogPublic) -> None:
    w = _window(qtbot, catalog, (1080, 1920))
    _click(qtbot, w.choose.search_button)
    shown = [b for b in w.choose.findChildren(QPushButton) if b.isVisible()]
    assert len(shown) > 30  # the pad's keys are there too
    for push in shown:
        assert push.height() >= MIN_TARGET and push.width() >= MIN_TARGET, push.text()


def test_a_category_shows_its_items_only(
    qtbot: QtBot, catalog: CatalogPublic, tmp_path: Path
) -> None:
    w = _window(qtbot, catalog, (1920, 1080))
    choose = w.choose
    assert set(choose.category_buttons) >= {"popular", "bundles", "social-insurance"}
    _click(qtbot, choose.category_buttons["bundles"])
    bundles = [item for item in catalog.items if item.category == "bundles"]
    assert len(choose.buttons) == len(bundles)
    assert all("一件事一次办" in b.text() for b in choose.buttons)
    assert choose.category_buttons["bundles"].isChecked()
    assert not choose.prev_button.isVisible()  # one page: no page buttons
    _shot(w, tmp_path / "choose-bundles.png")


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def test_every_category_is_reachable_whole_with_the_arrows(
    qtbot: QtBot, catalog: CatalogPublic, size: tuple[int, int]
) -> None:
    """The row does not fit: ▶ and ◀ turn it, and each category can be seen whole and tapped."""
    w = _window(qtbot, catalog, size)
    choose = w.choose
    area = choose.category_area
    viewport = area.viewport()
    assert not choose.category_prev.isVisible() and choose.category_next.isVisible()
    for push in choose.category_buttons.values():
        assert push.height() <= area.height()  # not cut at the top or the bottom

    def whole(push: QPushButton) -> bool:
        left = push.mapTo(viewport, push.rect().topLeft()).x()
        return left >= 0 and left + push.width() <= viewport.width()

    seen = {key for key, push in choose.category_buttons.items() if whole(push)}
    turns = 0
    while choose.category_next.isVisible():
        _click(qtbot, choose.category_next)
        seen |= {key for key, push in choose.category_buttons.items() if whole(push)}
        turns += 1
        assert turns < 20
    assert turns >= 1 and seen == set(choose.category_buttons)
    assert choose.category_prev.isVisible()
    last = list(choose.category_buttons)[-1]
    _click(qtbot, choose.category_buttons[last])
    assert choose.category_buttons[last].isChecked()
    assert all(item.category == last for item in choose._shown)
    while choose.category_prev.isVisible():
        _click(qtbot, choose.category_prev)
    assert whole(choose.category_buttons["popular"])


def test_elder_mode_shows_no_categories_whichever_comes_first(
    qtbot: QtBot, catalog: CatalogPublic
) -> None:
    """The app turns elder mode on before it sets the catalog (the card says the age)."""
    w = _window(qtbot, catalog, (1920, 1080))
    w.set_elder_mode(True)
    w.choose.set_catalog(catalog, "王*英")
    assert not w.choose.category_box.isVisible()
    assert w.minimumSizeHint().height() <= 1080
    w.set_elder_mode(False)
    assert w.choose.category_box.isVisible()


def test_search_on_the_letter_pad_and_by_a_suggested_phrase(
    qtbot: QtBot, catalog: CatalogPublic, tmp_path: Path
) -> None:
    w = _window(qtbot, catalog, (1080, 1920))
    choose = w.choose
    chosen: list[str] = []
    choose.item_chosen.connect(lambda item: chosen.append(item.id))
    _click(qtbot, choose.search_button)
    assert choose.pad.isVisible() and not choose.category_area.isVisible()
    for letter in "gjj":
        _click(qtbot, choose.pad.keys[letter])
    assert "住房公积金缴存证明" in choose.buttons[0].text()
    _shot(w, tmp_path / "choose-search-gjj.png")
    _click(qtbot, choose.pad.clear_key)
    for letter in "qqq":
        _click(qtbot, choose.pad.keys[letter])
    assert choose.buttons == []
    assert "没有找到" in choose.search_line.text()
    assert choose.pad.phrase_buttons  # what to try instead is on the screen
    phrase = choose.pad.phrase_buttons[0]
    _click(qtbot, phrase)
    assert choose.buttons
    _click(qtbot, choose.buttons[0])
    assert chosen and chosen[0] in {item.id for item in catalog.items}
    _click(qtbot, choose.search_button)  # closing the pad goes back to the most used
    assert not choose.pad.isVisible() and choose.category_buttons["popular"].isChecked()


def test_the_english_screen(qtbot: QtBot, catalog: CatalogPublic) -> None:
    w = _window(qtbot, catalog, (1920, 1080))
    w.choose.set_language("en")
    assert "Most used" in w.choose.category_buttons["popular"].text()
    assert "Page 1/" in w.choose.page_label.text()
    assert any("Print my social insurance" in b.text() for b in w.choose.buttons)
