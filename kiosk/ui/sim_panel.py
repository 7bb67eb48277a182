"""The demo's simulator panel: lay a card on the reader, show the camera an image, cut the net."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QGridLayout, QLabel, QPushButton, QWidget

import assets
from devices.camera.still import receipt_qr_photo
from devices.idcard.demo_cards import DEMO_CARDS, DEMO_LIVE_FACES, FACES_DIR, demo_card
from devices.receipt.oracle import decode_receipt
from kiosk.app import KioskApp


class SimulatorPanelWidget(QWidget):
    """A small window beside the terminal, for a person trying the demo."""

    def __init__(self, kiosk: KioskApp) -> None:
        """Build the panel for ``kiosk``'s simulated devices."""
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.kiosk = kiosk
        self.setObjectName("simPanel")
        self.setWindowTitle("Simulator 模拟器")
        grid = QGridLayout(self)
        grid.addWidget(QLabel("ID card reader 读卡器"), 0, 0, 1, 2)
        row = 1
        for key in DEMO_CARDS:
            card = demo_card(key)
            push = QPushButton(f"Insert {key}: {card.name[0]}** ({card.birth_date.year})")
            push.clicked.connect(lambda _=False, k=key: self._insert(k))
            grid.addWidget(push, row, 0, 1, 2)
            row += 1
        remove = QPushButton("Remove card 取走身份证")
        remove.clicked.connect(self._remove)
        grid.addWidget(remove, row, 0, 1, 2)
        row += 1
        grid.addWidget(QLabel("Camera 摄像头"), row, 0, 1, 2)
        row += 1
        lease = QPushButton("Show lease contract 租赁合同")
        lease.clicked.connect(self._show_lease)
        receipt = QPushButton("Show last receipt's QR 回执二维码")
        receipt.clicked.connect(self._show_receipt)
        image = QPushButton("Show an image file…")
        image.clicked.connect(self._show_file)
        for push in (lease, receipt, image):
            grid.addWidget(push, row, 0, 1, 2)
            row += 1
        grid.addWidget(QLabel("Face camera 人脸摄像头"), row, 0, 1, 2)
        row += 1
        for text, handler in (
            ("The card's holder 持证人本人", self._face_holder),
            ("Holder's photo held up 举着照片", self._face_photo),
            ("Someone else 他人", self._face_other),
            ("Nobody 无人", self._face_nobody),
        ):
            push = QPushButton(text)
            push.clicked.connect(handler)
            grid.addWidget(push, row, 0, 1, 2)
            row += 1
        self._card_key = ""
        grid.addWidget(QLabel("Network 网络"), row, 0, 1, 2)
        row += 1
        self.cut = QPushButton("Cut the hall 断网")
        self.cut.clicked.connect(self._cut)
        self.restore = QPushButton("Restore the hall 恢复")
        self.restore.clicked.connect(self._restore)
        grid.addWidget(self.cut, row, 0)
        grid.addWidget(self.restore, row, 1)
        row += 1
        self.status = QLabel("")
        grid.addWidget(self.status, row, 0, 1, 2)

    def _insert(self, key: str) -> None:
        if self.kiosk.card_simulator is not None:
            self.kiosk.card_simulator.insert(self.kiosk.card_simulator.demo_card(key))
            self.status.setText(f"card {key} on the reader")
            self._card_key = key
            self._face_holder()

    def _show_face(self, name: str | None, *, moving: bool = True) -> None:
        camera = self.kiosk.face_still
        if camera is None:
            return
        if name is None:
            camera.clear()
        else:
            camera.show_file(FACES_DIR / f"{name}.jpg", moving=moving)

    def _face_holder(self) -> None:
        self._show_face(DEMO_LIVE_FACES.get(self._card_key))

    def _face_photo(self) -> None:
        self._show_face(DEMO_LIVE_FACES.get(self._card_key), moving=False)

    def _face_other(self) -> None:
        holder = DEMO_LIVE_FACES.get(self._card_key, "")
        self._show_face("biden" if not holder.startswith("biden") else "collins")

    def _face_nobody(self) -> None:
        self._show_face(None)

    def _remove(self) -> None:
        if self.kiosk.card_simulator is not None:
            self.kiosk.card_simulator.remove()
            self.status.setText("reader empty")

    def _show_lease(self) -> None:
        if self.kiosk.still_camera is not None:
            self.kiosk.still_camera.show_file(assets.SAMPLES_DIR / "lease-contract.jpg")

    def _show_receipt(self) -> None:
        printer = self.kiosk.receipt_simulator
        if printer is None or not printer.jobs or self.kiosk.still_camera is None:
            self.status.setText("no receipt printed yet")
            return
        decoded = decode_receipt(printer.jobs[-1])
        if decoded.images:
            self.kiosk.still_camera.show(receipt_qr_photo(decoded.images[0]))
            self.status.setText("receipt QR in front of the camera")

    def _show_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Image", "", "Images (*.png *.jpg *.webp)")
        if name and self.kiosk.still_camera is not None:
            self.kiosk.still_camera.show_file(Path(name))

    def _cut(self) -> None:
        hall = self.kiosk.hall
        if hall is not None:
            # Stopping and starting a server blocks: off the GUI thread, like everything else.
            threading.Thread(target=hall.stop, name="demo-hall-stop", daemon=True).start()
            self.status.setText("hall stopped: submissions queue up")

    def _restore(self) -> None:
        hall, sync = self.kiosk.hall, self.kiosk.sync
        if hall is not None:

            def restart() -> None:
                hall.start()
                sync.wake()

            threading.Thread(target=restart, name="demo-hall-start", daemon=True).start()
            self.status.setText("hall back: the outbox drains")
