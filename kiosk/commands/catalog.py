"""``kiosk catalog``: list the service items this terminal offers and try the citizen's search.

``kiosk catalog list [--json]`` and ``kiosk catalog search QUERY [--json] [--limit N]`` print
``[{"id", "title": {"zh", "en"}, "category", "kind", "bundle_of"}]``, search results best first.
The catalog is the one the terminal shows: the last good copy in its store, else the shipped one.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from kiosk.commands import print_json

if TYPE_CHECKING:
    from hall.schema import CatalogPublic

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``kiosk catalog list`` and ``kiosk catalog search``."""
    catalog = subparsers.add_parser("catalog", help="list the service items and try the search")
    actions = catalog.add_subparsers(dest="catalog_command", required=True)
    listing = actions.add_parser("list", help="every item: id, title, category, kind, bundle_of")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(func=_cmd_list)
    search = actions.add_parser("search", help="the items a citizen's query finds, best first")
    search.add_argument("query", help="words, pinyin, pinyin initials or English")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.add_argument("--limit", type=_positive, default=10, help="at most N items (10)")
    search.set_defaults(func=_cmd_search)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("the limit is at least 1")
    return value


def _catalog(args: argparse.Namespace) -> CatalogPublic:
    """The terminal's last good catalog from its store, else the shipped one."""
    import assets
    from kiosk.config import ConfigError, load_settings
    from offline_cache.catalog import CatalogStore
    from offline_cache.errors import CacheError
    from offline_cache.store import Store

    shipped = assets.load_catalog()
    try:
        settings = load_settings(args.config)
    except ConfigError:
        return shipped
    from kiosk.commands.queue import STORE_FILE

    path = settings.storage.data_dir / STORE_FILE
    if not path.exists():
        return shipped
    try:
        store = Store(path, migrate=False)
    except CacheError as err:
        log.warning("cannot open the store (%s): the shipped catalog is listed", err)
        return shipped
    try:
        return CatalogStore(store, shipped)()
    finally:
        store.close()


def _write(entries: list[dict[str, object]], as_json: bool) -> None:
    if as_json:
        print_json(entries)
        return
    for entry in entries:
        title = entry["title"]
        assert isinstance(title, dict)
        members = entry["bundle_of"]
        assert isinstance(members, list)
        tail = f"  = {' + '.join(str(m) for m in members)}" if members else ""
        sys.stdout.write(
            f"{entry['id']:<36} {entry['kind']:<9} {entry['category']:<20} {title['zh']}{tail}\n"
        )


def _cmd_list(args: argparse.Namespace) -> int:
    from kiosk.services.search import catalog_entry

    _write([catalog_entry(item) for item in _catalog(args).items], args.json)
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from kiosk.services.search import CatalogSearch, catalog_entry

    hits = CatalogSearch(_catalog(args)).search(args.query, limit=args.limit)
    if not hits and not args.json:
        sys.stderr.write(f"kiosk catalog: nothing matches {args.query!r}\n")
    _write([catalog_entry(hit.item) for hit in hits], args.json)
    return 0
