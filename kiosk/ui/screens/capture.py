"""Photographing a paper material with the document camera."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from hall.schema import LocalizedText
from kiosk.ui.screens import loc
from kiosk.ui.strings import tr
from kiosk.ui.widgets import ActionBar, BusyPanel, Screen, button, label


class PhotoView(QLabel):
    """A picture scaled to fit the room it is given, and scaled again when that room changes.

    A ``QLabel`` holding a pixmap asks for the pixmap's size: a photo painted while the screen
    had room then held the screen open when a verdict appeared under it, and was cut off.
    """

    def __init__(self) -> None:
        """Empty until ``show_image``."""
        super().__init__()
        self.setObjectName("body")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._image: QImage | None = None
        self._smooth = False

    def show_image(self, image: QImage, *, smooth: bool) -> None:
        """Paint ``image`` scaled into the view; ``smooth`` for a still, fast for live frames."""
        self._image = image
        self._smooth = smooth
        self._paint()

    def clear(self) -> None:
        """Show nothing."""
        self._image = None
        super().clear()

    def sizeHint(self) -> QSize:
        """A generous preview; the layout gives it whatever room the screen has."""
        return QSize(640, 480)

    def minimumSizeHint(self) -> QSize:
        """Small enough that a screen with a long verdict still fits."""
        return QSize(200, self.minimumHeight())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Scale the picture to the new room."""
        super().resizeEvent(event)
        if self._image is not None:
            self._paint()

    def _paint(self) -> None:
        if self._image is None or self.width() < 2 or self.height() < 2:
            return
        mode = (
            Qt.TransformationMode.SmoothTransformation
            if self._smooth
            else Qt.TransformationMode.FastTransformation
        )
        self.setPixmap(
            QPixmap.fromImage(self._image).scaled(
                self.size(), Qt.AspectRatioMode.KeepAspectRatio, mode
            )
        )


class CaptureScreen(Screen):
    """A live preview with guidance; the photo is taken by itself or with a press; retake or use.

    While no photo is held the preview shows the camera's picture and one line of guidance (lay
    it flat, keep still…). Once a photo is taken the preview freezes on it until it is used or
    retaken.
    """

    take_requested = Signal()
    accepted = Signal()
    back_requested = Signal()
    promise_requested = Signal()
    """A tolerated material: the citizen has not got it and will promise to bring it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Build the screen."""
        super().__init__(parent)
        self.title = label("", "title")
        self.hint = label("", "subtitle")
        self.preview = PhotoView()
        # The preview takes whatever room the screen has; its floor leaves room for a verdict of
        # two reasons and the promise button on a 1080 px high screen in elder mode.
        self.preview.setMinimumHeight(200)
        self.preview.setStyleSheet("background: #E6EAF0; border-radius: 16px;")
        self.guidance = label("", "subtitle")
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.guidance.hide()
        self.busy = BusyPanel()
        self.error = label("", "error")
        self.error.hide()
        self.verdict = label("", "subtitle")
        self.verdict.setWordWrap(True)
        self.verdict.hide()
        for widget in (self.title, self.hint):
            self.body.addWidget(widget)
        self.promise_button = button()
        self.promise_button.clicked.connect(self.promise_requested)
        self.promise_button.hide()
        self.body.addWidget(self.promise_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(self.preview, 1)
        self.body.addWidget(self.guidance)
        self.body.addWidget(self.busy)
        self.body.addWidget(self.error)
        self.body.addWidget(self.verdict)
        bar = ActionBar()
        self.back_button = bar.add(button())
        self.back_button.clicked.connect(self.back_requested)
        self.take_button = bar.add(button(), right=True)
        self.take_button.clicked.connect(self.take_requested)
        self.use_button = bar.add(button(primary=True), right=True)
        self.use_button.clicked.connect(self.accepted)
        self.body.addWidget(bar)
        self.material_name: LocalizedText | None = None
        self.material_hint: LocalizedText | None = None
        self.has_photo = False
        self.taking = False
        self.advice = ""
        self.verdict_state: str | None = None
        """``ok``, ``failed``, ``timeout`` or ``unavailable`` once the photo was checked."""
        self.verdict_reasons: list[tuple[str, str]] = []

    def set_material(
        self, name: LocalizedText | None, hint: LocalizedText | None, *, tolerable: bool = False
    ) -> None:
        """Ask for one material (texts in both languages, shown in the screen's).

        ``tolerable``: it may be promised for later instead (容缺受理): a second way on.
        """
        self.promise_button.setVisible(tolerable)
        self.material_name = name
        self.material_hint = hint
        self.has_photo = False
        self.taking = False
        self.advice = ""
        self.verdict_state = None
        self.verdict_reasons = []
        self.verdict.hide()
        self.preview.clear()
        self.guidance.hide()
        self.error.hide()
        self.busy.hide()
        self.retranslate()

    def retranslate(self) -> None:
        """Set the texts."""
        lang = self.language
        self.title.setText(tr("capture_title", lang, material=loc(self.material_name, lang)))
        self.hint.setText(loc(self.material_hint, lang) or tr("capture_hint", lang))
        self.back_button.setText(tr("back", lang))
        self.take_button.setText(tr("capture_retake" if self.has_photo else "capture_take", lang))
        self.take_button.setObjectName("secondary" if self.has_photo else "primary")
        self.take_button.style().unpolish(self.take_button)
        self.take_button.style().polish(self.take_button)
        self.use_button.setText(tr("capture_use", lang))
        self.promise_button.setText(tr("capture_promise", lang))
        self.use_button.setVisible(self.has_photo and self.verdict_state != "failed")
        if self.has_photo and self.verdict_state == "failed":
            # Nothing to use: retaking is the one thing to do, so it is the primary action.
            self.take_button.setObjectName("primary")
            self.take_button.style().unpolish(self.take_button)
            self.take_button.style().polish(self.take_button)
        self._show_verdict_text()
        if self.advice:
            self.guidance.setText(tr(f"capture_advice_{self.advice}", lang))

    def show_checking(self, seconds: int) -> None:
        """The photo is being read and checked; say so and how long it takes."""
        self.taking = True
        self.guidance.hide()
        self.error.hide()
        self.verdict_state = None
        self._show_verdict_text()  # no verdict yet: the instruction stays
        self.take_button.setEnabled(False)
        self.busy.show_busy(tr("capture_checking", self.language, seconds=seconds))

    def show_verdict(self, state: str, reasons: list[tuple[str, str]]) -> None:
        """The check's verdict under the photo: reasons (Chinese, English) when it failed."""
        self.verdict_state = state
        self.verdict_reasons = reasons
        self.retranslate()

    def _show_verdict_text(self) -> None:
        judged = self.verdict_state is not None and self.has_photo
        # Once the photo is judged the verdict says what to do (its reasons carry the how, such
        # as "move the document fully inside the frame"); the instruction gives it its room.
        self.hint.setVisible(not judged)
        if not judged:
            self.verdict.hide()
            return
        lang = self.language
        if self.verdict_state == "failed":
            lines = [tr("capture_check_failed", lang)]
            lines += [en if lang == "en" else zh for zh, en in self.verdict_reasons]
            text, style = "\n".join(lines), "error"
        else:
            text = tr(f"capture_check_{self.verdict_state}", lang)
            # A pass is said in green, as plainly as a refusal is said in orange.
            style = "notice" if self.verdict_state == "ok" else "subtitle"
        self.verdict.setText(text)
        if self.verdict.objectName() != style:
            self.verdict.setObjectName(style)
            self.verdict.style().unpolish(self.verdict)
            self.verdict.style().polish(self.verdict)
        self.verdict.show()

    def show_live(self, image: QImage, advice: str) -> None:
        """Paint one preview frame and its guidance; ignored while a photo is held or taken."""
        if self.has_photo or self.taking:
            return
        self._paint(image)
        self.advice = advice
        self.guidance.setText(tr(f"capture_advice_{advice}", self.language))
        self.guidance.show()

    def _paint(self, image: QImage) -> None:
        self.preview.show_image(image, smooth=self.has_photo)

    def show_taking(self) -> None:
        """The camera is working."""
        self.taking = True
        self.guidance.hide()
        self.error.hide()
        self.verdict_state = None
        self._show_verdict_text()  # the last verdict goes, the instruction comes back
        self.take_button.setEnabled(False)
        self.busy.show_busy(tr("capture_busy", self.language))

    def show_photo(self, image: QImage) -> None:
        """Show the photo just taken, scaled to the preview."""
        self.busy.hide()
        self.take_button.setEnabled(True)
        self.taking = False
        self.has_photo = True
        self.guidance.hide()
        self._paint(image)
        self.retranslate()

    def show_error(self, message: str) -> None:
        """The photo failed; the live preview (if any) carries on behind the message."""
        self.busy.hide()
        self.taking = False
        self.has_photo = False
        self.verdict_state = None
        self.take_button.setEnabled(True)
        self.error.setText(message)
        self.error.show()
        self.retranslate()  # no photo held: "take a photo" again, and the instruction back
