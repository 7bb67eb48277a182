"""The terminal's citizen side: the navigator and one flow per journey, built together.

``KioskController`` is the façade the composition root, maintenance mode and the tests hold:
it builds the ``Navigator`` (``kiosk.ui.navigator``) and the flows (``kiosk.ui.flows``), starts
and stops the devices, and passes the hall's answers on. It decides nothing itself.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, SignalInstance

from hall.schema import SubmissionPublic
from kiosk.services.idle import IdleClock
from kiosk.services.session import Session
from kiosk.ui.flows.apply import ApplyFlow
from kiosk.ui.flows.collect import CollectFlow
from kiosk.ui.flows.contact import ContactFlow
from kiosk.ui.flows.face import FaceFlow
from kiosk.ui.flows.handoff import HandoffFlow
from kiosk.ui.flows.identify import IdentifyFlow
from kiosk.ui.flows.lookup import LookupFlow
from kiosk.ui.flows.materials import MaterialsFlow
from kiosk.ui.flows.result import ResultFlow
from kiosk.ui.flows.submit import SubmitFlow
from kiosk.ui.main_window import KioskWindow
from kiosk.ui.navigator import Navigator, Services, Workers

__all__ = ["KioskController", "Services"]


class KioskController(QObject):
    """Builds the navigator and the flows; the one handle on the citizen's side."""

    def __init__(self, window: KioskWindow, services: Services) -> None:
        """Build the navigator and every flow, then show the attract screen."""
        super().__init__(window)
        self.window = window
        self.services = services
        self.navigator = nav = Navigator(window, services, self)
        self.identify = IdentifyFlow(nav)
        self.apply = ApplyFlow(nav)
        self.materials = MaterialsFlow(nav)
        self.submit = SubmitFlow(nav)
        self.result = ResultFlow(nav)
        self.lookup = LookupFlow(nav)
        self.collect = CollectFlow(nav)
        self.handoff = HandoffFlow(nav)
        self.contact = ContactFlow(nav)
        self.face = FaceFlow(nav)
        nav.show_attract()

    # --- what the composition root, maintenance mode and the tests hold -------------------------

    @property
    def session(self) -> Session:
        """The current citizen's session (a new object after every wipe)."""
        return self.navigator.session

    @property
    def idle(self) -> IdleClock:
        """The idle clock."""
        return self.navigator.idle

    @property
    def language(self) -> str:
        """The screens' language now."""
        return self.navigator.language

    @property
    def maintenance_active(self) -> bool:
        """True while a technician has the maintenance screen open: cards are left to it."""
        return self.navigator.maintenance_active

    @maintenance_active.setter
    def maintenance_active(self, on: bool) -> None:
        self.navigator.maintenance_active = on

    @property
    def session_wiped(self) -> SignalInstance:
        """Emitted after every wipe."""
        return self.navigator.session_wiped

    @property
    def result_shown(self) -> SignalInstance:
        """The result's status, once it is on the screen."""
        return self.result.result_shown

    @property
    def printing_finished(self) -> SignalInstance:
        """``done`` or ``failed``, once the receipt (and certificate) jobs have ended."""
        return self.result.printing_finished

    @property
    def certificate_checked(self) -> SignalInstance:
        """The status of a scanned certificate, once its check is on the screen."""
        return self.lookup.certificate_checked

    @property
    def reprint_finished(self) -> SignalInstance:
        """``printed``, ``used_up`` or ``failed``: a certificate reprint from progress."""
        return self.lookup.reprint_finished

    @property
    def workers(self) -> Workers:
        """One worker per device or back end (maintenance's self-tests share them)."""
        return self.navigator.workers

    def tap_guarded(self) -> bool:
        """Whether button taps are being ignored because the screen just changed."""
        return self.navigator.tap_guarded()

    def wipe(self) -> None:
        """End the session: drop its personal data from memory and from every widget."""
        self.navigator.wipe()

    def on_result(self, case_number: str, result: SubmissionPublic) -> None:
        """The hall answered for a case (on the GUI thread, through a queued signal)."""
        self.submit.on_result(case_number, result)

    # --- start and stop -------------------------------------------------------------------------

    def start(self) -> None:
        """Begin watching the card reader and the camera, and warm up the OCR and face engines."""
        self.services.card_watcher.start()
        self.services.code_scanner.start()
        if self.services.camera_preview is not None:
            self.services.camera_preview.start()
        self.materials.start()
        self.face.warm_up()

    def stop(self) -> None:
        """Stop every timer, device and worker; called on shutdown."""
        self.submit.stop()
        self.materials.stop()
        self.services.card_watcher.stop()
        self.services.code_scanner.stop()
        if self.services.camera_preview is not None:
            self.services.camera_preview.stop()
        self.navigator.stop()
