"""The terminal's side of hand-off tickets: the hall's number, or a local one while offline."""

from __future__ import annotations

from hall.tickets_schema import TICKETS_PATH, TicketCreate, TicketPublic
from offline_cache.hall_client import HallClient


class TicketClient:
    """Asks the hall for a ticket's queue number (blocking: run it on a worker).

    Raises the hall client's errors: ``HallUnavailableError`` (then print a local number and
    send the ticket as a ``handoff_ticket`` event) or ``HallRejectedError``.
    """

    def __init__(self, client: HallClient) -> None:
        """Use ``client``, signed with this terminal's key."""
        self._client = client

    def issue(self, ticket: TicketCreate) -> TicketPublic:
        """The hall's number for ``ticket`` (the same answer for a repeat of its id)."""
        return self._client.call("POST", TICKETS_PATH, TicketPublic, ticket)
