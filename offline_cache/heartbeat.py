"""Heartbeats: the figures a terminal reports to the hall, kept within the 8 KB bound."""

from __future__ import annotations

from hall.schema import HEARTBEAT_MAX_BYTES, HeartbeatCreate

TRUNCATED = "…"


def encoded_size(heartbeat: HeartbeatCreate) -> int:
    """The heartbeat's size on the wire (its JSON body) in bytes."""
    return len(heartbeat.model_dump_json().encode())


def fit_heartbeat(heartbeat: HeartbeatCreate, limit: int = HEARTBEAT_MAX_BYTES) -> HeartbeatCreate:
    """Return ``heartbeat`` cut to at most ``limit`` encoded bytes.

    The counts and ages always go; free-text detail is cut first, then the last night's lines to
    their first word, then each device's status text, then devices are dropped from the end
    (their count stays in ``detail``).
    """
    if encoded_size(heartbeat) <= limit:
        return heartbeat
    fitted = heartbeat.model_copy(update={"detail": ""})
    spare = limit - encoded_size(fitted)
    if spare > len(TRUNCATED.encode()) + 8:
        detail = _cut(heartbeat.detail, spare - 8)
        candidate = fitted.model_copy(update={"detail": detail})
        if encoded_size(candidate) <= limit:
            return candidate
    nightly = heartbeat.nightly
    if nightly is not None:
        # The last night's lines cut to their first word ("ok", "failed: ..." -> "failed").
        short = nightly.model_copy(
            update={
                "steps": {k: v.split(":")[0] for k, v in nightly.steps.items()},
                "self_test": {k: v.split(":")[0] for k, v in nightly.self_test.items()},
                "restart": _cut(nightly.restart, 40),
            }
        )
        fitted = fitted.model_copy(update={"nightly": short})
        if encoded_size(fitted) <= limit:
            return fitted
    devices = {name: _cut(state, 32) for name, state in heartbeat.devices.items()}
    fitted = fitted.model_copy(update={"devices": devices})
    dropped = 0
    while encoded_size(fitted) > limit and devices:
        devices.pop(next(reversed(devices)))
        dropped += 1
        fitted = fitted.model_copy(
            update={"devices": dict(devices), "detail": f"{dropped} devices not listed"}
        )
    if encoded_size(fitted) > limit:
        raise ValueError("a heartbeat without detail or devices is still over the limit")
    return fitted


def _cut(text: str, max_bytes: int) -> str:
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    budget = max(max_bytes - len(TRUNCATED.encode()), 0)
    return data[:budget].decode(errors="ignore") + TRUNCATED
