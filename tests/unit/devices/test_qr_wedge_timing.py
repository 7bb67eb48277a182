"""The keyboard-wedge rule without Qt: fast runs ended by Enter are scans, the rest is typing."""

from __future__ import annotations

import pytest

from devices.scanner.wedge import KeystrokeBurst

SCANNER_GAP = 0.004
PERSON_GAP = 0.15


def feed(
    burst: KeystrokeBurst[str], text: str, start: float, gap: float
) -> tuple[float, list[str]]:
    """Press each character ``gap`` seconds apart; returns the time of the last and what to type."""
    now = start
    typed: list[str] = []
    for char in text:
        typed += burst.key(char, char, now)
        now += gap
    return now - gap, typed


def test_a_fast_run_ended_by_enter_is_a_scan_and_nothing_is_typed() -> None:
    burst: KeystrokeBurst[str] = KeystrokeBurst()
    last, typed = feed(burst, "SL-20260501-00012", 10.0, SCANNER_GAP)
    assert typed == []
    assert burst.enter(last + SCANNER_GAP) == ("SL-20260501-00012", [])
    assert not burst.holding


def test_a_person_typing_gets_every_key_typed_in_order() -> None:
    burst: KeystrokeBurst[str] = KeystrokeBurst()
    last, typed = feed(burst, "hello", 10.0, PERSON_GAP)
    # Each key is held only until the next one shows the gap; the last until the gap passes.
    assert typed == ["h", "e", "l", "l"]
    assert burst.expire(last + 0.01) == []
    assert burst.remaining(last + 0.01) == pytest.approx(burst.max_gap - 0.01)
    assert burst.expire(last + burst.max_gap + 0.001) == ["o"]
    assert burst.enter(last + 1.0) == (None, [])


def test_enter_after_slow_typing_is_not_a_scan_and_the_held_keys_go_first() -> None:
    burst: KeystrokeBurst[str] = KeystrokeBurst()
    burst.key("4", "4", 1.0)
    payload, typed = burst.enter(1.5)
    assert payload is None and typed == ["4"]


def test_a_fast_run_shorter_than_the_minimum_is_typing() -> None:
    burst: KeystrokeBurst[str] = KeystrokeBurst(min_length=4)
    last, _ = feed(burst, "ab", 1.0, SCANNER_GAP)  # two rolled keys, then Enter
    assert burst.enter(last + SCANNER_GAP) == (None, ["a", "b"])


def test_a_pause_inside_a_run_splits_it_and_the_first_part_is_typed() -> None:
    burst: KeystrokeBurst[str] = KeystrokeBurst()
    last, typed = feed(burst, "abc", 1.0, SCANNER_GAP)
    assert typed == []
    rest = burst.key("d", "d", last + PERSON_GAP)
    assert rest == ["a", "b", "c"]


def test_enter_long_after_a_fast_run_is_not_a_scan() -> None:
    burst: KeystrokeBurst[str] = KeystrokeBurst()
    last, _ = feed(burst, "ABCDEFG", 1.0, SCANNER_GAP)
    assert burst.enter(last + PERSON_GAP) == (None, list("ABCDEFG"))


def test_drop_forgets_and_bad_settings_are_refused() -> None:
    burst: KeystrokeBurst[str] = KeystrokeBurst()
    feed(burst, "abc", 1.0, SCANNER_GAP)
    burst.drop()
    assert not burst.holding and burst.remaining(2.0) == 0.0
    with pytest.raises(ValueError, match="max_gap"):
        KeystrokeBurst(max_gap=0)
    with pytest.raises(ValueError, match="min_length"):
        KeystrokeBurst(min_length=0)
