"""OpenTelemetry set-up, once per process: OTLP when configured, otherwise no exporter.

Traces: FastAPI (server spans continuing the gateway's W3C `traceparent`), SQLAlchemy (one span
per statement) and httpx (service-to-service calls). Metrics: request rate and latency come from
the FastAPI instrumentation (`http.server.duration` / `http.server.request.duration`); domain
code records check outcomes with :func:`record_check_outcome`. Domain code uses only the API.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

_configured = False
_metrics_configured = False
_INSTRUMENTED_ATTR = "_xinyong_otel_instrumented"

METER_NAME = "xinyong"


def setup_tracing(service_name: str, *, otlp_endpoint: str = "",
                  exporter: SpanExporter | None = None) -> TracerProvider | None:
    """Install a tracer provider; `exporter` (e.g. in-memory for tests) overrides OTLP.

    With an OTLP endpoint, metrics are exported there too (see :func:`setup_metrics`).
    """
    global _configured
    if otlp_endpoint:
        setup_metrics(service_name, otlp_endpoint=otlp_endpoint)
    if _configured:
        provider = trace.get_tracer_provider()
        return provider if isinstance(provider, TracerProvider) else None
    if not otlp_endpoint and exporter is None:
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _configured = True
    return provider


def setup_metrics(service_name: str, *, otlp_endpoint: str = "",
                  reader: MetricReader | None = None) -> MeterProvider | None:
    """Install a meter provider exporting to OTLP (every 15 s) or to `reader` (tests)."""
    global _metrics_configured
    if _metrics_configured:
        provider = metrics.get_meter_provider()
        return provider if isinstance(provider, MeterProvider) else None
    if reader is None:
        if not otlp_endpoint:
            return None
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        reader = PeriodicExportingMetricReader(
            OTLPMetricExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/metrics"),
            export_interval_millis=15_000,
        )
    provider = MeterProvider(resource=Resource.create({"service.name": service_name}),
                             metric_readers=[reader])
    metrics.set_meter_provider(provider)
    _metrics_configured = True
    return provider


_outcomes: tuple[Any, Any] | None = None  # (meter provider, counter)


def _check_outcomes() -> Any:
    # Created on first use, and again if the global meter provider changed since: it may be
    # installed after import. Cached because this runs on every check.
    global _outcomes
    provider = metrics.get_meter_provider()
    if _outcomes is None or _outcomes[0] is not provider:
        counter = metrics.get_meter(METER_NAME).create_counter(
            "xinyong.check.outcomes", unit="{check}",
            description="Answered checks by purpose and status (CLEAR, RESTRICTED) or error code",
        )
        _outcomes = (provider, counter)
    return _outcomes[1]


def record_check_outcome(purpose: str, outcome: str, *, count: int = 1,
                         operation: str = "check") -> None:
    """Count `count` checks for `purpose` ending in `outcome` (CLEAR, RESTRICTED, or an error code)."""
    _check_outcomes().add(count, {"purpose": purpose, "outcome": outcome, "operation": operation})


def instrument_app(app, engine=None, *engines) -> None:
    """Instrument FastAPI, SQLAlchemy and httpx when a tracer provider is installed.

    Safe to call for several apps and engines in one process (tests): each engine gets its own
    listener once; the global instrumentors are installed once.
    """
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    if not getattr(app, _INSTRUMENTED_ATTR, False):
        FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz")
        setattr(app, _INSTRUMENTED_ATTR, True)
    HTTPXClientInstrumentor().instrument()  # no-op when already instrumented
    for candidate in (engine, *engines):
        if candidate is None:
            continue
        sync_engine = candidate.sync_engine
        if getattr(sync_engine, _INSTRUMENTED_ATTR, False):
            continue
        # EngineTracer directly: SQLAlchemyInstrumentor().instrument() refuses SQLAlchemy 2.1
        # (its declared range ends at 2.0) and patches engine creation process-wide.
        from opentelemetry.instrumentation.sqlalchemy import __version__
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

        meter = metrics.get_meter("opentelemetry.instrumentation.sqlalchemy", __version__)
        EngineTracer(
            trace.get_tracer("opentelemetry.instrumentation.sqlalchemy", __version__),
            sync_engine,
            meter.create_up_down_counter("db.client.connections.usage", unit="connections"),
        )
        setattr(sync_engine, _INSTRUMENTED_ATTR, True)
