"""``python -m hall``: the same as the ``kiosk-hall`` console script."""

from __future__ import annotations

import sys

from hall.cli import main

if __name__ == "__main__":
    sys.exit(main())
