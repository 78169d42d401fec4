"""Work for a client that went away stops: a GraphQL request whose client disconnects before the
answer is cancelled; one answered is never cut short by the disconnect that follows."""

from __future__ import annotations

import asyncio

from libs.common.web import BodySizeLimitMiddleware


def _app(events: list[str], seconds: float):
    async def app(scope, receive, send):
        await receive()
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            events.append("cancelled")
            raise
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}", "more_body": False})
        events.append("answered")
        await asyncio.sleep(0.05)  # work after the answer (logging, spans) is not cut
        events.append("finished")

    return app


def _client(leave_after: float | None):
    """An ASGI receive that sends one body, then disconnects after `leave_after` seconds or
    once the response is complete."""
    state = {"sent": False, "complete": asyncio.Event()}

    async def receive():
        if not state["sent"]:
            state["sent"] = True
            return {"type": "http.request", "body": b'{"query": "{x}"}', "more_body": False}
        if leave_after is None:
            await state["complete"].wait()
        else:
            await asyncio.sleep(leave_after)
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.body" and not message.get("more_body"):
            state["complete"].set()

    return receive, send


SCOPE = {"type": "http", "path": "/graphql", "method": "POST", "headers": []}


async def test_a_client_that_goes_away_cancels_the_work():
    events: list[str] = []
    receive, send = _client(leave_after=0.05)
    middleware = BodySizeLimitMiddleware(_app(events, seconds=30))
    await asyncio.wait_for(middleware(dict(SCOPE), receive, send), 5)
    assert events == ["cancelled"]


async def test_an_answered_request_runs_to_its_end():
    events: list[str] = []
    receive, send = _client(leave_after=None)
    middleware = BodySizeLimitMiddleware(_app(events, seconds=0.01))
    await asyncio.wait_for(middleware(dict(SCOPE), receive, send), 5)
    assert events == ["answered", "finished"]
