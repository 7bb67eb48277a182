"""Collect: print what was approved elsewhere (证照领取) and business licences (一企一证).

The flow takes over the items ``certificate-collect`` and ``business-license-print`` once the
card is read (the navigator's ``item:<id>`` names): it asks the hall, signed, what is ready for
the card holder, lists it, and prints the chosen documents through the durable print queue. The
hall records every copy: the first is the collection, later ones reprints (limited there and in
this terminal's queue, as a receipt's reprint is).
"""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import QObject, Signal

from hall.collect_schema import CollectionPublic, CollectPurpose, ReadyDocumentsPublic
from hall.schema import ServiceItem
from kiosk.services import documents
from kiosk.services.print_jobs import encode_certificate
from kiosk.services.session import Step
from kiosk.ui.navigator import Navigator
from kiosk.ui.strings import tr
from offline_cache.errors import HallRejectedError
from offline_cache.print_queue import CERTIFICATE, ReprintLimitError

log = logging.getLogger(__name__)

ITEMS: dict[str, CollectPurpose] = {
    "certificate-collect": "certificates",
    "business-license-print": "business_licenses",
}
"""The catalog items this flow takes over, and what each asks the hall for."""


class CollectFlow(QObject):
    """The collect screen; offers ``item:<id>`` for the two items of :data:`ITEMS`."""

    documents_shown = Signal(int)
    """How many ready documents are on the screen."""
    printing_finished = Signal(int, int)
    """Copies printed and copies that failed, once every chosen document has been tried."""

    def __init__(self, nav: Navigator) -> None:
        """Connect the collect screen and offer the items it takes over."""
        super().__init__(nav)
        self.nav = nav
        self._query = 0
        self._pending: set[str] = set()
        self._printed = 0
        self._failed = 0
        self._used_up = False
        w = nav.window
        w.collect.back_requested.connect(self._on_collect_back_requested)
        w.collect.print_requested.connect(self._on_collect_print_requested)
        for item_id in ITEMS:
            nav.provide(f"item:{item_id}", self._start)
        nav.hold_idle_while(lambda: bool(self._pending))
        nav.on_wipe(self._wipe)

    def _wipe(self) -> None:
        self._query += 1
        self._pending = set()
        self.nav.window.collect.reset()

    def _current(self, query: int) -> bool:
        return query == self._query and self.nav.session.card is not None

    def _start(self, item: ServiceItem) -> None:
        nav = self.nav
        card = nav.session.card
        if card is None:
            # Only the chip proves who collects: a photographed card does not (DESIGN.md).
            nav.go("choose")
            return
        purpose = ITEMS[item.id]
        screen = nav.window.collect
        screen.reset(licences=purpose == "business_licenses")
        screen.show_looking()
        nav.window.show_screen(screen)
        client = nav.services.collect
        if client is None:
            screen.show_message("collect_unreachable")
            return
        self._query += 1
        query = self._query
        id_number = card.id_number
        nav.workers.hall.run(
            lambda: client.ready(id_number, purpose),
            partial(self._on_ready, query),
            partial(self._on_ready_failed, query),
        )

    def _on_ready(self, query: int, ready: ReadyDocumentsPublic) -> None:
        if not self._current(query):
            return
        self.nav.window.collect.show_documents(ready)
        self.documents_shown.emit(len(ready.documents))

    def _on_ready_failed(self, query: int, error: BaseException) -> None:
        if not self._current(query):
            return
        log.warning("collect query failed: %s", type(error).__name__)
        self.nav.window.collect.show_message("collect_unreachable")

    def _on_collect_back_requested(self) -> None:
        self._query += 1
        if self.nav.session.step is Step.GUIDE:
            self.nav.session.back_to_choose()
        self.nav.go("choose")

    # --- printing -------------------------------------------------------------------------------

    def _on_collect_print_requested(self, chosen: list[str]) -> None:
        nav = self.nav
        card = nav.session.card
        client, printing = nav.services.collect, nav.services.print_jobs
        if card is None or client is None or self._pending:
            return
        nav.touch()
        screen = nav.window.collect
        screen.print_button.setEnabled(False)
        screen.busy.show_busy(tr("collect_printing", nav.language))
        self._pending = set(chosen)
        self._printed = self._failed = 0
        self._used_up = False
        query = self._query
        id_number = card.id_number
        a4 = nav.services.document_printer

        def collect_and_print(document_id: str) -> CollectionPublic:
            # The hall records the copy first: a copy printed is a copy counted. The print goes
            # through the durable queue, so a printer that is out of paper prints it later.
            copy = client.collect(document_id, id_number)
            document = documents.certificate_document(copy.certificate)
            if printing is None:
                a4.print_certificate(document)
            elif copy.reprint:
                printing.reprint(CERTIFICATE, document_id, encode_certificate(document))
            else:
                printing.job(CERTIFICATE, document_id, encode_certificate(document))()
            return copy

        for document_id in chosen:
            # The A4 printer's worker: copies go out one at a time, in the order chosen.
            nav.workers.a4.run(
                partial(collect_and_print, document_id),
                partial(self._on_copy_done, query, document_id),
                partial(self._on_copy_failed, query, document_id),
            )

    def _on_copy_done(self, query: int, document_id: str, _copy: CollectionPublic) -> None:
        self._printed += 1
        self._copy_ended(query, document_id, None)

    def _on_copy_failed(self, query: int, document_id: str, error: BaseException) -> None:
        log.error("document %s: printing failed (%s)", document_id, type(error).__name__)
        self._failed += 1
        self._copy_ended(query, document_id, error)

    def _copy_ended(self, query: int, document_id: str, error: BaseException | None) -> None:
        self._pending.discard(document_id)
        self._used_up |= isinstance(error, ReprintLimitError) or (
            isinstance(error, HallRejectedError) and error.code == "reprints_used_up"
        )
        if query != self._query or self._pending:
            return
        screen = self.nav.window.collect
        if self._used_up and self._printed == 0:
            screen.show_message("collect_used_up")
        elif self._failed:
            screen.show_message("collect_print_failed", n=self._failed)
        else:
            screen.show_message("collect_printed", ok=True, n=self._printed)
        screen.print_button.setEnabled(bool(screen.chosen()))
        self.printing_finished.emit(self._printed, self._failed)
