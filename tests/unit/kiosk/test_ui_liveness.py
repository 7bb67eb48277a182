"""UI liveness as the heartbeat reads it, with a controlled clock."""

from __future__ import annotations

from kiosk.services.watchdog import UiLiveness


def test_liveness_goes_from_starting_to_ok_to_frozen() -> None:
    now = [100.0]
    liveness = UiLiveness(stale_after_s=5.0, clock=lambda: now[0])
    assert liveness.status() == "starting"
    liveness.tick()
    now[0] += 4.9
    assert liveness.status() == "ok"
    now[0] += 20.1
    assert liveness.status() == "frozen 25 s"
    liveness.tick()
    assert liveness.status() == "ok"
