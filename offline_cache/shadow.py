"""The terminal's side of the device shadow: apply what the hall desires, carry out its commands.

The hall answers every heartbeat with the desired configuration (with its version), the commands
waiting for this terminal and the state of its staff calls. :class:`ShadowAgent` applies a new
desired configuration (``apply_config`` returns what it could not apply, "" for nothing), runs
each command once through its handler, and reports both in the next beat: the applied version and
the acknowledgements. The bookkeeping is kept in the store, so an acknowledgement made just before
a ``restart`` goes out with the first beat after it. Runs on the sync worker's thread; handlers
that touch the screen hand over to the UI thread themselves.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from hall.schema import (
    CommandAck,
    CommandPublic,
    DesiredConfig,
    HeartbeatCreate,
    HeartbeatPublic,
    StaffCallPublic,
    mask_id_number,
)
from offline_cache.store import Store

log = logging.getLogger(__name__)

SHADOW_KEY = "fleet_shadow"
MAX_ACKS = 10
"""Acknowledgements one beat carries at most (the heartbeat's own bound)."""
DONE_KEPT = 200
"""Ids of commands already carried out that are remembered (a re-sent one is not run again)."""

CommandHandler = Callable[[CommandPublic], str]
"""Carry out a command; returns a short detail for staff ("" for none); raises when it failed."""

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    """``text`` with every resident ID number in it masked (first 6 and last 4 kept)."""
    return _ID_NUMBER.sub(lambda match: mask_id_number(match.group(1)), text)


class RecentLog(logging.Handler):
    """The last ``capacity`` log lines at WARNING and above, ID numbers masked as they come in.

    What an ``upload_log`` command sends; nothing of it is written to disk.
    """

    def __init__(self, capacity: int = 500, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self._lines: deque[str] = deque(maxlen=capacity)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the formatted line, masked, cut to 2000 characters."""
        try:
            self._lines.append(mask_id_numbers(self.format(record))[:2000])
        except Exception:  # a logging handler must never raise into the caller
            self.handleError(record)

    def lines(self) -> list[str]:
        """The kept lines, oldest first."""
        return list(self._lines)


class ShadowAgent:
    """Apply the desired configuration and run commands from heartbeat answers; report both."""

    def __init__(
        self,
        store: Store,
        *,
        apply_config: Callable[[DesiredConfig], str],
        handlers: Mapping[str, CommandHandler],
        on_staff_calls: Callable[[list[StaffCallPublic]], None] | None = None,
        locked: Callable[[], bool] = lambda: False,
        updating: Callable[[], str] = lambda: "",
    ) -> None:
        self._store = store
        self._apply_config = apply_config
        self._handlers = dict(handlers)
        self._on_staff_calls = on_staff_calls
        self._locked = locked
        self._updating = updating
        self._lock = threading.Lock()
        state = self._load()
        self._applied: int | None = state.get("applied_version")
        self._problem: str = str(state.get("problem", ""))[:200]
        self._acks = [CommandAck.model_validate(a) for a in state.get("acks", [])]
        self._done: deque[str] = deque(state.get("done", []), maxlen=DONE_KEPT)

    def _load(self) -> dict[str, Any]:
        raw = self._store.get_meta(SHADOW_KEY)
        if not raw:
            return {}
        try:
            state = json.loads(raw)
            return state if isinstance(state, dict) else {}
        except ValueError:
            log.warning("the saved shadow state does not parse; starting afresh")
            return {}

    def _save(self) -> None:
        state = {
            "applied_version": self._applied,
            "problem": self._problem,
            "acks": [a.model_dump(mode="json") for a in self._acks],
            "done": list(self._done),
        }
        self._store.put_meta(SHADOW_KEY, json.dumps(state).encode())

    @property
    def applied_version(self) -> int | None:
        """The version of the desired configuration applied (``None``: never one)."""
        return self._applied

    def report(self) -> dict[str, Any]:
        """The heartbeat's shadow fields as of now (``HeartbeatCreate`` keyword arguments)."""
        with self._lock:
            return {
                "config_version": self._applied,
                "config_problem": self._problem,
                "command_acks": list(self._acks[:MAX_ACKS]),
                "locked": self._locked(),
                "updating": self._updating()[:64],
            }

    def on_answer(self, sent: HeartbeatCreate, answer: HeartbeatPublic) -> None:
        """Handle the hall's answer to ``sent``: its acknowledgements are delivered now."""
        with self._lock:
            delivered = {ack.command_id for ack in sent.command_acks}
            changed = bool(delivered)
            self._acks = [a for a in self._acks if a.command_id not in delivered]
            desired = answer.desired
            if desired is not None and desired.version != self._applied:
                try:
                    self._problem = self._apply_config(desired.config)[:200]
                except Exception as err:  # the configuration stays as it was; the hall hears why
                    self._problem = f"not applied: {type(err).__name__}"
                    log.warning("desired config %d not applied: %s", desired.version, err)
                self._applied = desired.version
                changed = True
                log.info("desired configuration %d applied", desired.version)
            for command in answer.commands:
                if command.command_id in self._done:
                    continue
                self._acks.append(self._run(command))
                self._done.append(command.command_id)
                changed = True
                # Stored before the next command: a restart must find its acknowledgement.
                self._save()
            if changed:
                self._save()
        if self._on_staff_calls is not None:
            self._on_staff_calls(list(answer.staff_calls))

    def _run(self, command: CommandPublic) -> CommandAck:
        handler = self._handlers.get(command.kind)
        if handler is None:
            return CommandAck(
                command_id=command.command_id, status="failed", detail="not supported here"
            )
        try:
            detail = handler(command)
        except Exception as err:  # one failed command is acknowledged as failed, not retried
            log.warning("command %s failed: %s", command.kind, type(err).__name__)
            return CommandAck(
                command_id=command.command_id, status="failed", detail=type(err).__name__[:200]
            )
        log.info("command %s done", command.kind)
        return CommandAck(command_id=command.command_id, status="done", detail=(detail or "")[:200])
