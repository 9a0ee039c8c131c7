"""Traces: off by default (the incoming traceparent passes through unchanged); when
configured, a request becomes a server span in the caller's trace, and what the request
does next (calls, events) carries that span as parent. Run in a subprocess, because the
tracer provider is global to a process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio, httpx
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from iims_common.context import traceparent_var
    from iims_common.observability import RequestContextMiddleware
    from iims_common.settings import ServiceSettings
    from iims_common.tracing import configure_tracing

    INCOMING = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    seen = []

    async def app(scope, receive, send):
        seen.append(traceparent_var.get())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def call():
        transport = httpx.ASGITransport(app=RequestContextMiddleware(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as c:
            await c.get("/api/v1/things", headers={"traceparent": INCOMING})

    asyncio.run(call())
    assert seen[-1] == INCOMING, seen  # off: passed on unchanged
    exporter = InMemorySpanExporter()
    assert configure_tracing(ServiceSettings(service_name="demo"), exporter)
    asyncio.run(call())
    [s] = exporter.get_finished_spans()
    assert f"{s.context.trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"
    assert f"{s.parent.span_id:016x}" == "b7ad6b7169203331"
    assert s.resource.attributes["service.name"] == "iims-demo"
    assert seen[-1] == f"00-{s.context.trace_id:032x}-{s.context.span_id:016x}-01", seen
    print("ok")
    """
)


def test_spans_continue_the_callers_trace() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stdout + out.stderr
