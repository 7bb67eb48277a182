"""The citizen's journeys, one flow each; the navigator (``kiosk.ui.navigator``) joins them.

A flow is a ``QObject`` built with the navigator (``Flow(nav)``). In its constructor it

- connects its own screens' signals (slots named ``_on_<sender>_<signal>``) and any device
  signal only it reacts to;
- owns its timers (``QTimer(self)``) and runs blocking work on the shared ``nav.workers``
  (one single-thread worker per device or back end), never on the GUI thread;
- offers what other flows may hand over to with ``nav.provide("name", handler)``, and hands
  over itself with ``nav.go("name", ...)``: flows never import each other (an import-linter
  contract in pyproject.toml fails the build when one does);
- registers its part of the wipe with ``nav.on_wipe(...)``: every photo, ID number or OCR
  field it holds is dropped there, and its screens are reset.

What a flow decides that is not Qt (which material comes next, what a result prints) lives in
``kiosk/services/`` and is tested there with plain objects.

The flows today, and the names they offer:

- ``identify``: the card reader, photo identity (offers ``identify``)
- ``apply``: choose an item and read its guide (``choose``, ``guide``)
- ``materials``: photograph, OCR check, promise a material (容缺) (``materials``)
- ``submit``: review, submit to the outbox, the decision wait (``review``)
- ``result``: the result, printing and its retry, the rating (``result``)
- ``lookup``: code scans: case progress (also by card or a typed case number), certificate
  check, reprint, a business licence's public record and report (``progress``)
- ``collect``: documents approved elsewhere and business licences (``item:certificate-collect``,
  ``item:business-license-print``: a flow offering ``item:<id>`` takes that item over once the
  card is read, see ``Navigator.offers``)
- ``handoff``: the hand-off ticket from "call staff" or a refusal (``handoff``, with a reason)
- ``contact``: an optional phone number on an accepted result
- ``face``: face match against the card's photo before an item that asks for it (``face``,
  with the name to go on to)

To add a journey: write ``kiosk/ui/flows/<journey>.py`` with one flow class as above, its
Qt-free decisions in ``kiosk/services/<journey>.py`` with unit tests in ``tests/unit/kiosk/``,
its screen (if new) in ``kiosk/ui/screens/`` added to ``KioskWindow``; build the flow in
``KioskController.__init__`` (``kiosk/ui/controller.py``) and add the module to the
"Flows do not import each other" contract in pyproject.toml. A flow that starts from an
existing screen (a new button on choose, say) is reached by ``nav.go`` from the flow that owns
that screen, through a name the new flow offers.
"""
