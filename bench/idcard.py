"""One ID card read (find, select, read text + photo) over a pty, against the line's wire time.

Baseline: the wire time of the same bytes at 115200 baud, 8N1 (10 bits a byte), every byte of
both directions: three 10-byte commands and the 15-, 19- and 1295-byte replies, 1359 bytes,
about 118 ms. That is the floor no driver can beat on a real line. Target: a read within 1.3x of
it.

A pty has no baud rate: it moves bytes as fast as memory does, which would make the comparison
meaningless. So the simulator paces itself like a real module (``SamSimulator(pace=True)``): it
answers a command only after the command's own wire time, and writes its reply in 32-byte
chunks, each released when its last byte would have left a 115200-baud UART. What remains on top
of the wire time is the driver's own cost (framing, parsing, decoding the text block, checking
the ID number, the poll granularity of pyserial) plus the pty and the scheduler.

The unpaced figures (the pty at memory speed) are printed too: the driver's whole cost for one
read, which is what the ratio's excess is made of.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from devices.idcard.codes import SamCommand, Status
from devices.idcard.demo_cards import PHOTO_SIZE, demo_card
from devices.idcard.frames import build_command, build_reply
from devices.idcard.serial_reader import SamSerialReader
from devices.idcard.simulator import BITS_PER_BYTE, SamSimulator
from devices.idcard.text import TEXT_BLOCK_SIZE

BAUD = 115200
RESULTS = Path(__file__).parent / "results" / "idcard.json"


def wire_bytes() -> int:
    """Bytes on the line, both directions, for one find + select + read of a card."""
    commands = sum(
        len(build_command(c.cmd, c.para))
        for c in (SamCommand.FIND_CARD, SamCommand.SELECT_CARD, SamCommand.READ_TEXT_PHOTO)
    )
    replies = (
        len(build_reply(Status.CARD_FOUND, bytes(4)))
        + len(build_reply(Status.SUCCESS, bytes(8)))
        + len(build_reply(Status.SUCCESS, bytes(4 + TEXT_BLOCK_SIZE + PHOTO_SIZE)))
    )
    return commands + replies


def _reads(pace: bool, repeats: int) -> list[float]:
    with SamSimulator(baudrate=BAUD, pace=pace) as simulator:
        simulator.insert(demo_card("elder"))
        reader = SamSerialReader(simulator.port, BAUD)
        try:
            first = reader.read(5.0)  # opens the port: not part of a read's cost
            assert first is not None
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                card = reader.read(5.0)
                times.append(time.perf_counter() - started)
                assert card is not None and card.id_number == "110105195203141221"
                card.wipe()
            return times
        finally:
            reader.close()


def main(repeats: int = 30) -> dict[str, object]:
    """Measure, print a JSON report, save it under bench/results and return it."""
    nbytes = wire_bytes()
    wire = nbytes * BITS_PER_BYTE / BAUD
    paced = _reads(pace=True, repeats=repeats)
    unpaced = _reads(pace=False, repeats=repeats)
    ratios = sorted(t / wire for t in paced)
    report: dict[str, object] = {
        "baseline": f"wire time of {nbytes} bytes at {BAUD} baud, 10 bits a byte",
        "wire_time_ms": round(wire * 1000, 2),
        "read_median_ms": round(statistics.median(paced) * 1000, 2),
        "read_max_ms": round(max(paced) * 1000, 2),
        "ratio_median": round(statistics.median(ratios), 3),
        "ratio_p90": round(ratios[int(0.9 * (len(ratios) - 1))], 3),
        "target_ratio": 1.3,
        "within_target": statistics.median(ratios) <= 1.3,
        "unpaced_read_median_ms": round(statistics.median(unpaced) * 1000, 2),
        "repeats": repeats,
        "note": "the simulator paces its writes at the baud rate (a pty has none)",
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
