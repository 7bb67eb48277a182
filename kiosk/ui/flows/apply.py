"""Apply: choose a service item, read its guide, and start on its materials."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from hall.schema import ServiceItem
from kiosk.services import documents
from kiosk.services.materials import photo_id_spec
from kiosk.services.session import Step
from kiosk.ui.navigator import Navigator
from kiosk.ui.screens import loc
from kiosk.ui.strings import tr

log = logging.getLogger(__name__)


class ApplyFlow(QObject):
    """The choose and guide screens; offers ``choose`` and ``guide`` to the other flows."""

    def __init__(self, nav: Navigator) -> None:
        """Connect the choose and guide screens."""
        super().__init__(nav)
        self.nav = nav
        w = nav.window
        w.choose.item_chosen.connect(self._on_choose_item_chosen)
        w.choose.home_requested.connect(nav.wipe)
        w.guide.back_requested.connect(self._on_guide_back_requested)
        w.guide.start_requested.connect(self._on_guide_start_requested)
        nav.provide("choose", self._show_choose)
        nav.provide("guide", self._show_guide)
        nav.on_wipe(self._wipe)

    def _wipe(self) -> None:
        w = self.nav.window
        w.choose.set_items([], "")
        w.choose.show_notice("")

    def _show_choose(self) -> None:
        nav = self.nav
        session = nav.session
        holder = documents.mask_name(session.card.name) if session.card else ""
        nav.window.choose.set_catalog(nav.services.catalog(), holder)
        photo = session.photo_identity and session.card is None
        nav.window.choose.show_notice(tr("choose_photo_id_note", nav.language) if photo else "")
        nav.window.show_screen(nav.window.choose)

    def _show_guide(self, item: ServiceItem) -> None:
        if self.nav.offers(f"item:{item.id}"):
            # A journey of its own (collecting a certificate, say) takes over once identified.
            self._take_over(item)
            return
        self.nav.window.guide.set_item(item)
        self.nav.window.show_screen(self.nav.window.guide)

    def _take_over(self, item: ServiceItem) -> None:
        """Hand ``item`` to the flow that offers ``item:<id>``, after face match if it asks.

        Collecting a certificate prints personal papers like an instant item does: with a card
        read, the face flow decides (the item's ``face_match``) and then hands the item over.
        """
        nav = self.nav
        if nav.session.card is not None and nav.offers("face"):
            nav.go("face", f"item:{item.id}", item, item=item)
            return
        nav.go(f"item:{item.id}", item)

    def _on_choose_item_chosen(self, item: ServiceItem) -> None:
        nav = self.nav
        nav.begin_activity()
        if item.kind == "service":
            # Each terminal service is its own journey: one that takes the item over
            # (``item:<id>``, e.g. collecting a certificate), else the one its flow names.
            if nav.offers(f"item:{item.id}"):
                self._take_over(item)
                return
            flow = "progress" if item.flow == "case-progress" else str(item.flow)
            if not nav.offers(flow):
                log.warning("service item %s names flow %s, which this build lacks", item.id, flow)
                text = tr("choose_service_missing", nav.language, item=loc(item.name, nav.language))
                nav.window.choose.show_notice(text, error=True)
                return
            nav.go(flow)
            return
        if item.kind == "handoff":
            # Done at a counter: the guide says what to bring; there is nothing to submit here.
            self._show_guide(item)
            return
        needs_card = any(spec.source == "id_card" for spec in item.materials)
        if nav.session.photo_identity and needs_card and photo_id_spec(item) is None:
            # A photo is not proof enough for an instant approval: say so and stay here.
            text = tr("choose_photo_id_refused", nav.language, item=loc(item.name, nav.language))
            nav.window.choose.show_notice(text, error=True)
            return
        nav.session.choose(item)
        if nav.session.step is Step.IDENTIFY:
            nav.go("identify")
        else:
            self._show_guide(item)

    def _on_guide_back_requested(self) -> None:
        self.nav.session.back_to_choose()
        self._show_choose()

    def _on_guide_start_requested(self) -> None:
        item = self.nav.session.item
        if item is None:
            return
        if item.kind == "handoff":
            # Done at a counter: the guide's button takes a ticket for the right window.
            if self.nav.offers("handoff"):
                self.nav.go("handoff", "handoff_item")
            return
        if self.nav.offers("face"):
            # Face match first (人证核验): it decides whether to look (the item's face_match, a
            # bundle's strictest member, the terminal's camera), and goes on to materials.
            self.nav.go("face", "materials")
            return
        self.nav.go("materials")
