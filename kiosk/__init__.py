"""The terminal: the Qt application, its citizen journeys and the technician's command line."""

from importlib import metadata as _metadata


def _installed_version() -> str:
    # The installed wheel's own version (pyproject.toml's), so a release built with a new
    # version reports that version in its beats and to the update check, with no second copy
    # of the number to forget.
    try:
        return _metadata.version("gov-kiosk")
    except _metadata.PackageNotFoundError:
        return "0.1.0"


__version__ = _installed_version()
