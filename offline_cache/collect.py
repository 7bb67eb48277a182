"""The terminal's side of collecting documents approved elsewhere, over the signed hall client."""

from __future__ import annotations

from urllib.parse import quote

from hall.collect_schema import (
    CASES_BY_HOLDER_PATH,
    COLLECT_QUERY_PATH,
    COLLECTION_PATH,
    ENTERPRISE_PATH,
    CollectionCreate,
    CollectionPublic,
    CollectPurpose,
    CollectQueryCreate,
    EnterprisePublic,
    HolderCasesPublic,
    HolderCasesQueryCreate,
    ReadyDocumentsPublic,
)
from offline_cache.hall_client import HallClient


class CollectClient:
    """Asks the hall what is ready for a card holder, prints a copy, looks up an enterprise.

    Every call blocks (HTTP): run it on a worker. Errors are the hall client's:
    ``HallUnavailableError`` (come back later) or ``HallRejectedError`` (with the hall's code,
    e.g. ``reprints_used_up``).
    """

    def __init__(self, client: HallClient, kiosk_id: str) -> None:
        """Use ``client`` (signed with this terminal's key) on behalf of ``kiosk_id``."""
        self._client = client
        self._kiosk_id = kiosk_id

    def ready(self, id_number: str, purpose: CollectPurpose) -> ReadyDocumentsPublic:
        """The documents ready for the holder of ``id_number``."""
        body = CollectQueryCreate(kiosk_id=self._kiosk_id, id_number=id_number, purpose=purpose)
        return self._client.call("POST", COLLECT_QUERY_PATH, ReadyDocumentsPublic, body)

    def collect(self, document_id: str, id_number: str) -> CollectionPublic:
        """Record one printed copy at the hall and get it signed."""
        path = COLLECTION_PATH.format(document_id=quote(document_id, safe=""))
        body = CollectionCreate(kiosk_id=self._kiosk_id, id_number=id_number)
        return self._client.call("POST", path, CollectionPublic, body)

    def holder_cases(self, id_number: str) -> HolderCasesPublic:
        """The recent cases of the holder of ``id_number``, with their stages."""
        body = HolderCasesQueryCreate(kiosk_id=self._kiosk_id, id_number=id_number)
        return self._client.call("POST", CASES_BY_HOLDER_PATH, HolderCasesPublic, body)

    def enterprise(self, uscc: str) -> EnterprisePublic:
        """An enterprise's public record."""
        path = ENTERPRISE_PATH.format(uscc=quote(uscc, safe=""))
        return self._client.call("GET", path, EnterprisePublic)
