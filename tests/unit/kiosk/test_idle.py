"""The idle rule: active, then a countdown warning, then expiry."""

from __future__ import annotations

import pytest

from kiosk.services.idle import IdleClock, IdleState


def _clock() -> IdleClock:
    clock = IdleClock(warning_after_s=60, countdown_s=30)
    clock.touch(1000.0)
    return clock


@pytest.mark.parametrize(
    ("now", "state", "remaining"),
    [
        (1000.0, IdleState.ACTIVE, 90),
        (1059.999, IdleState.ACTIVE, 31),
        (1060.0, IdleState.WARNING, 30),
        (1060.5, IdleState.WARNING, 30),
        (1061.0, IdleState.WARNING, 29),
        (1089.001, IdleState.WARNING, 1),
        (1090.0, IdleState.EXPIRED, 0),
        (1500.0, IdleState.EXPIRED, 0),
    ],
)
def test_boundaries(now: float, state: IdleState, remaining: int) -> None:
    clock = _clock()
    assert clock.state(now) is state
    assert clock.remaining(now) == remaining


def test_a_touch_during_the_warning_starts_over() -> None:
    clock = _clock()
    assert clock.state(1075.0) is IdleState.WARNING
    clock.touch(1075.0)
    assert clock.state(1075.0) is IdleState.ACTIVE
    assert clock.state(1134.9) is IdleState.ACTIVE
    assert clock.state(1135.0) is IdleState.WARNING
    assert clock.remaining(1135.0) == 30


def test_extendable_many_times() -> None:
    clock = _clock()
    now = 1000.0
    for _ in range(20):
        now += 80.0
        assert clock.state(now) is IdleState.WARNING
        clock.touch(now)
    assert clock.state(now + 89.0) is IdleState.WARNING
    assert clock.state(now + 90.0) is IdleState.EXPIRED
