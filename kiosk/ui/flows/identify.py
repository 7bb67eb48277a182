"""Identify: the card on the reader, or photos of the card when it cannot be read."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QObject

from devices.errors import DeviceError
from devices.idcard.card import IdCard
from kiosk.services.capture import ELDER_AGE
from kiosk.services.card_validity import card_validity
from kiosk.services.materials import photo_id_spec
from kiosk.services.session import SessionError, Step
from kiosk.ui.navigator import Navigator
from kiosk.ui.strings import tr

log = logging.getLogger(__name__)


class IdentifyFlow(QObject):
    """Takes the card reader's events and the photo-identity choice; hands over to apply."""

    def __init__(self, nav: Navigator) -> None:
        """Connect the card watcher and the identify screen."""
        super().__init__(nav)
        self.nav = nav
        self._card_on_reader = False
        self._expired_shown = False
        w = nav.window
        watcher = nav.services.card_watcher
        watcher.card_placed.connect(self._on_card_watcher_card_placed)
        watcher.read_failed.connect(self._on_card_watcher_read_failed)
        watcher.reader_ready.connect(self._on_card_watcher_reader_ready)
        watcher.card_removed.connect(self._on_card_watcher_card_removed)
        w.attract.photo_id_requested.connect(self._on_photo_id_requested)
        w.identify.photo_id_requested.connect(self._on_photo_id_requested)
        w.identify.back_requested.connect(self._on_identify_back_requested)
        nav.attract_shown.connect(self._on_nav_attract_shown)
        nav.provide("identify", self._show_identify)
        nav.on_wipe(self._wipe)

    def _wipe(self) -> None:
        w = self.nav.window
        w.identify.set_item_name(None)
        w.identify.offer_photos(False)

    def _on_nav_attract_shown(self) -> None:
        if self._card_on_reader:
            # The card of the session just ended still lies there: remind its owner to take it
            # (it starts no new session until it has been lifted; see CardWatcher).
            self.nav.window.attract.show_error(tr("attract_take_card", self.nav.language))

    def _show_identify(self) -> None:
        item = self.nav.session.item
        assert item is not None
        self.nav.window.identify.set_item_name(item.name)
        self.nav.window.show_screen(self.nav.window.identify)

    def _on_card_watcher_card_placed(self, card: IdCard) -> None:
        self._card_on_reader = True
        nav = self.nav
        if nav.maintenance_active:
            return  # the maintenance screen takes the card (a self-test) and wipes it
        if nav.taking_no_citizens:
            card.wipe()  # out of service: no session starts, this copy is dropped
            return
        step = nav.session.step
        if step is Step.PROGRESS:
            return  # the progress screen asks for the holder's cases (lookup) and wipes it
        if step not in (Step.ATTRACT, Step.CHOOSE, Step.IDENTIFY, Step.GUIDE):
            card.wipe()  # a card laid down mid-submission is not taken; this copy is dropped
            return
        nav.begin_activity()
        validity = card_validity(card.valid_to, dt.date.today())
        if validity.expired:
            # Nothing can be done with it: say so now, with what to do, not after the choosing.
            assert validity.valid_to is not None
            card.wipe()
            log.info("an expired card was refused at step %s", step.value)
            text = tr("identify_card_expired", nav.language, date=validity.valid_to.isoformat())
            self._expired_shown = True
            if step is Step.IDENTIFY:
                nav.window.identify.show_error(text)
            elif step is Step.ATTRACT:
                nav.window.attract.show_error(text)
            else:
                nav.window.choose.show_notice(text, error=True)
            return
        self._expired_shown = False
        nav.session.identify(card)
        log.info("card read (%s) at step %s", card.card_type.value, step.value)
        # 适老化: a card holder of 60 or more gets the larger type without having to ask.
        nav.window.set_elder_mode(card.age_on(dt.date.today()) >= ELDER_AGE)
        if nav.session.step is Step.GUIDE and nav.session.item is not None:
            nav.go("guide", nav.session.item)
        else:
            nav.go("choose")
            if validity.expiring and validity.valid_to is not None:
                nav.window.choose.show_notice(
                    tr(
                        "identify_card_expiring",
                        nav.language,
                        date=validity.valid_to.isoformat(),
                        days=validity.days_left,
                    )
                )

    def _on_card_watcher_read_failed(self, error: DeviceError) -> None:
        nav = self.nav
        message = error.message_en if nav.language == "en" else error.message_zh
        if nav.session.step is Step.ATTRACT:
            nav.window.attract.show_error(message)
        elif nav.session.step is Step.IDENTIFY:
            nav.window.identify.show_error(message)
            item = nav.session.item
            nav.window.identify.offer_photos(item is not None and photo_id_spec(item) is not None)

    def _on_card_watcher_card_removed(self) -> None:
        self._card_on_reader = False
        if self.nav.session.step is Step.ATTRACT and not self._expired_shown:
            self.nav.window.attract.error.hide()  # the "take your card" reminder has done its job

    def _on_card_watcher_reader_ready(self) -> None:
        # The reader answers again (replugged, or the line recovered): its fault no longer holds.
        self.nav.window.attract.error.hide()
        self.nav.window.identify.error.hide()

    def _on_photo_id_requested(self) -> None:
        """The card cannot be read: go on with photos of it, for the items that accept them."""
        nav = self.nav
        nav.begin_activity()
        try:
            nav.session.start_photo_identity()
        except SessionError:
            return
        log.info("photo identity chosen at step %s", nav.session.step.value)
        item = nav.session.item
        if nav.session.step is Step.IDENTIFY and item is not None:
            nav.session.choose(item)  # the card is no longer awaited: on to its guide
            nav.go("guide", item)
        else:
            nav.go("choose")

    def _on_identify_back_requested(self) -> None:
        self.nav.session.back_to_choose()
        self.nav.go("choose")
