"""``kiosk enrol``: register this terminal with its hall using a one-time code.

The staff member runs ``kiosk-hall enrol-code --kiosk-id ID`` at the hall and types the code here.
The terminal makes its Ed25519 key pair (0600, beside the outbox key) when it has none, registers
the public key, and pins the hall's certificate keys; from then on every request is signed.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``enrol --hall URL --code CODE``."""
    enrol = subparsers.add_parser(
        "enrol", help="register this terminal with the hall (one-time code from kiosk-hall)"
    )
    enrol.add_argument("--hall", metavar="URL", help="the hall's URL (default: [hall] url)")
    enrol.add_argument("--code", required=True, help="the one-time code from kiosk-hall enrol-code")
    enrol.set_defaults(func=_cmd_enrol)


def _cmd_enrol(args: argparse.Namespace) -> int:
    from kiosk.config import load_settings
    from offline_cache.errors import CacheError, HallRejectedError
    from offline_cache.identity import enrol, identity_dir

    settings = load_settings(args.config)
    url = args.hall or settings.hall.url
    if not url:
        sys.stderr.write("kiosk enrol: give --hall URL (or set [hall] url)\n")
        return 2
    directory = identity_dir(settings.storage.resolved_key_file)
    try:
        identity = enrol(url, args.code, directory, timeout=settings.hall.read_timeout_s)
    except HallRejectedError as err:
        reason = "the code is unknown, used or expired" if err.status == 403 else err.code
        sys.stderr.write(f"kiosk enrol: the hall refused the enrolment ({reason})\n")
        return 1
    except CacheError as err:
        sys.stderr.write(f"kiosk enrol: {err}\n")
        return 1
    sys.stdout.write(
        f"enrolled as terminal {identity.kiosk_id} (key {identity.key_id}) with {url}\n"
    )
    if identity.kiosk_id != settings.terminal.id:
        sys.stdout.write(
            f"note: [terminal] id is {settings.terminal.id}; set it to {identity.kiosk_id}\n"
        )
    return 0
