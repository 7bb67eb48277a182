"""The repeat filter: the same code is reported once while it stays in view."""

from __future__ import annotations

import pytest

from devices.scanner.repeats import RepeatFilter


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_code_held_in_view_is_reported_once() -> None:
    clock = Clock()
    repeats = RepeatFilter(3.0, clock)
    reported = []
    for _ in range(40):  # 8 s of frames at 5 per second, the code always in view
        if repeats.accept("SL-20260501-00012"):
            reported.append(clock.now)
        clock.now += 0.2
    assert reported == [1000.0]


def test_the_same_code_counts_again_after_it_was_away_for_the_window() -> None:
    clock = Clock()
    repeats = RepeatFilter(3.0, clock)
    assert repeats.accept("A")
    clock.now += 2.9
    assert not repeats.accept("A")  # within the window of its last sighting
    clock.now += 2.9
    assert not repeats.accept("A")  # the window slides with each sighting
    clock.now += 3.0
    assert repeats.accept("A")


def test_different_codes_are_each_reported() -> None:
    clock = Clock()
    repeats = RepeatFilter(3.0, clock)
    assert repeats.accept("A")
    assert repeats.accept("B")
    clock.now += 0.1
    assert not repeats.accept("A") and not repeats.accept("B")


def test_reset_forgets_every_code() -> None:
    clock = Clock()
    repeats = RepeatFilter(3.0, clock)
    assert repeats.accept("A")
    repeats.reset()
    assert repeats.accept("A")


def test_a_zero_window_reports_every_sighting_and_negative_is_refused() -> None:
    clock = Clock()
    repeats = RepeatFilter(0.0, clock)
    assert repeats.accept("A") and repeats.accept("A")
    with pytest.raises(ValueError, match="negative"):
        RepeatFilter(-1.0, clock)
