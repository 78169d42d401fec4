"""Forged ids and cursors through the real gateway (issue 11 item 10): BAD_REQUEST naming the
field, never INTERNAL_SERVER_ERROR or UNAVAILABLE, and full-width digits are no id."""

from __future__ import annotations

import base64

import pytest

from tests.edge.edge_harness import bearer

AIRLINE = {"sub": "edge-airline", "roles": ["consumer"], "purposes": ["AIR_TRAVEL"]}
FEED = "query($a: String) { restrictionChanges(purpose: AIR_TRAVEL, after: $a) { hasMore } }"


def _rc(position: str) -> str:
    return base64.urlsafe_b64encode(f"rc:{position}".encode()).decode()


@pytest.mark.parametrize("position", ["99999999999999999999", "１２"], ids=["past-int64",
                                                                            "full-width"])
def test_a_forged_feed_cursor_is_bad_request_at_the_edge(stack, client, position):
    body = client.post(stack.url, json={"query": FEED, "variables": {"a": _rc(position)}},
                       headers=bearer(**AIRLINE)).json()
    assert body.get("data") is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST", body
    assert error["extensions"]["field"] == "after", body


def test_a_full_width_record_id_is_bad_request_at_the_edge(stack, client):
    body = client.post(stack.url, json={"query": "query($id: ID!) { creditRecord(id: $id) { id } }",
                                        "variables": {"id": "１２"}},
                       headers=bearer(**AIRLINE)).json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST", body
    assert error["extensions"]["field"] == "id", body
