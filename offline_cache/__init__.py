"""The terminal's offline cache: durable SQLite outbox, encryption at rest and the sync worker.

Every submission goes into the outbox first (one durable transaction, encrypted personal data) and
the sync worker delivers it to the hall when the link allows, with a client-made idempotency key so
that retries never make duplicates. No Qt here: results leave through plain callbacks.
"""

from __future__ import annotations
