"""Schemathesis against the hall's own OpenAPI, on SQLite and on PostgreSQL: no input answers 500.

Valid and invalid requests are generated for every operation and sent over loopback HTTP to the
real hall; the ``not_a_server_error`` check fails on any 5xx. Examples are bounded to keep the
suite fast. ``request_headers`` is the hook that authenticates each request: when the hall
requires signed requests, it signs ``case`` (method, path, query, body) and returns the headers.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error

from tests.fixtures.hall import HallUnderTest

MAX_EXAMPLES = 20
"""Generated requests (valid and invalid) per operation and database: about 10 s per database."""


def request_headers(hall: HallUnderTest, case: Case) -> dict[str, Any]:
    """Headers added to each generated request: the hook where request signing plugs in."""
    return {}


def test_no_generated_request_makes_the_hall_answer_500(
    hall_server_each_db: HallUnderTest, http: requests.Session
) -> None:
    hall = hall_server_each_db
    schema = schemathesis.openapi.from_dict(hall.app.openapi())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @hypothesis.settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Case) -> None:
            for attempt in (1, 2):
                try:
                    case.call_and_validate(
                        base_url=hall.base_url,
                        session=http,
                        headers=request_headers(hall, case),
                        checks=[not_a_server_error],
                        timeout=10,
                    )
                    return
                except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                    # A connection dropped under load (seen once at load 6, on a kept-alive
                    # connection): not an answer at all, so not a 500. Sent once more, fresh,
                    # as a terminal would; a second drop fails the test.
                    if attempt == 2:
                        raise
                    http.close()

        run()
