"""OpenTelemetry traces across HTTP calls and Kafka messages, off unless configured.

The W3C `traceparent` travels in HTTP headers and in every event's Kafka headers already;
with `OTEL_EXPORTER_OTLP_ENDPOINT` set, each request, each published batch and each consumed
event also becomes a span (exported over OTLP/HTTP) in that trace. Without it the API's
no-op tracer is used and the incoming traceparent is passed on unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from iims_common.context import traceparent_var
from iims_common.settings import ServiceSettings

_propagator = TraceContextTextMapPropagator()
_configured = False


def configure_tracing(settings: ServiceSettings, exporter: Any = None) -> bool:
    """Install a tracer provider once per process; returns whether tracing is on."""
    global _configured
    endpoint = settings.otel_exporter_otlp_endpoint
    if _configured or (exporter is None and not endpoint):
        return _configured
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(
        resource=Resource.create({"service.name": f"iims-{settings.service_name}"})
    )
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _configured = True
    return True


def tracing_on() -> bool:
    """Whether spans are recorded: a tracer provider was installed (by `configure_tracing`
    or by whoever set one globally, e.g. an auto-instrumentation agent). Asked per request:
    `trace.get_tracer_provider()` looks up an environment variable each time until a provider
    is set, so the API's own global is read first (set once by `trace.set_tracer_provider`)."""
    if _configured or getattr(trace, "_TRACER_PROVIDER", None) is not None:
        return True
    if hasattr(trace, "_TRACER_PROVIDER") and not _PROVIDER_FROM_ENVIRONMENT:
        return False  # none set: get_tracer_provider() would hand back its proxy
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


# A provider named by OTEL_PYTHON_TRACER_PROVIDER is loaded by the first get_tracer_provider().
_PROVIDER_FROM_ENVIRONMENT = "OTEL_PYTHON_TRACER_PROVIDER" in os.environ


@contextmanager
def span(
    name: str, parent: str | None, kind: SpanKind = SpanKind.INTERNAL, **attributes: Any
) -> Iterator[str | None]:
    """A span continuing `parent` (a traceparent); while it is open, `traceparent_var` holds
    the span's own traceparent, so outgoing calls and recorded events continue the trace.

    With tracing off (no tracer provider installed) the API's no-op span would only hand
    back `parent`; that is done here directly, because entering a no-op span costs about as
    much as the rest of a `/healthz` request (measured with py-spy, bench/README.md)."""
    if not tracing_on():
        token = traceparent_var.set(parent)
        try:
            yield parent
        finally:
            traceparent_var.reset(token)
        return
    context = _propagator.extract({"traceparent": parent}) if parent else None
    tracer = trace.get_tracer("iims")
    with tracer.start_as_current_span(name, context=context, kind=kind) as s:
        for key, value in attributes.items():
            if value is not None:
                s.set_attribute(key, value)
        sc = s.get_span_context()
        current = (
            f"00-{sc.trace_id:032x}-{sc.span_id:016x}-{int(sc.trace_flags):02x}"
            if sc.is_valid
            else parent
        )
        token = traceparent_var.set(current)
        try:
            yield current
        finally:
            traceparent_var.reset(token)
