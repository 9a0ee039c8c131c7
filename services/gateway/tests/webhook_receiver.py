"""A provincial system's webhook receiver: a real HTTP server on loopback (uvicorn) that keeps
what it receives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from iims_common.broker import free_port


@dataclass
class Received:
    status: int = 204
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append((headers, body))
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@asynccontextmanager
async def receiver() -> AsyncIterator[tuple[str, Received]]:
    got = Received()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            got.app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            interface="asgi3",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/iims/webhooks", got
    finally:
        server.should_exit = True
        await task
