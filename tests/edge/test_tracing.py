"""One trace from the client through the gateway to a subgraph and its SQL (W3C trace context).

The gateway exports its spans over OTLP/HTTP to a collector stub run by this test; the identity
subgraph runs in this process with an in-memory exporter. The test checks the shape: one trace
id throughout, the subgraph's server span parented by a gateway span, SQL spans under it.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from libs.common import telemetry
from tests.edge.edge_harness import (
    ServerThread,
    bearer,
    gateway_env,
    running_gateway,
    service_settings,
)

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"
ORG = "91350100M000100Y43"


class OtlpCollector:
    """A minimal OTLP/HTTP receiver: collects spans posted to /v1/traces (JSON or protobuf)."""

    def __init__(self) -> None:
        self.spans: list[dict] = []
        self.raw: list = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    body = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        body += self.rfile.read(size)
                        self.rfile.readline()
                else:
                    body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path.endswith("/v1/traces"):
                    collector.raw.append((self.headers.get("content-type", ""), body[:200]))
                    collector._collect(body, self.headers.get("content-type", ""))
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _collect(self, body: bytes, content_type: str) -> None:
        if "json" in content_type:
            data = json.loads(body)
        else:
            from google.protobuf.json_format import MessageToDict
            from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
                ExportTraceServiceRequest,
            )

            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            data = MessageToDict(request)
            for rs in data.get("resourceSpans", []):  # protobuf JSON gives ids in base64
                for ss in rs.get("scopeSpans", []):
                    for span in ss.get("spans", []):
                        for key in ("traceId", "spanId", "parentSpanId"):
                            if span.get(key):
                                import base64

                                span[key] = base64.b64decode(span[key]).hex()
        for rs in data.get("resourceSpans", []):
            for ss in rs.get("scopeSpans", []):
                self.spans.extend(ss.get("spans", []))

    def __enter__(self) -> "OtlpCollector":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Discard(SpanExporter):
    def export(self, spans) -> SpanExportResult:
        return SpanExportResult.SUCCESS


@pytest.fixture(scope="module")
def memory_spans() -> Iterator[InMemorySpanExporter]:
    """Spans of this process (the subgraph's), recorded while this module runs."""
    installed_here = not isinstance(trace.get_tracer_provider(), TracerProvider)
    if installed_here:
        telemetry.setup_tracing("xinyong-identity", exporter=_Discard())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    try:
        yield exporter
    finally:
        exporter.shutdown()  # later spans are dropped
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor().uninstrument()  # other tests set their own traceparent
        if installed_here:
            # Leave the process as it was: apps built by later tests are not instrumented.
            # (OpenTelemetry has no public reset; its own test utilities do the same.)
            from opentelemetry.util._once import Once

            provider.shutdown()
            trace._TRACER_PROVIDER = None
            trace._TRACER_PROVIDER_SET_ONCE = Once()
            telemetry._configured = False


@pytest.fixture(scope="module")
def traced(memory_spans, edge_db_url, edge_supergraph, probe_server, tmp_path_factory):
    from services.identity.app import create_app
    from services.identity.config import IdentitySettings

    identity = ServerThread(create_app(service_settings(IdentitySettings, edge_db_url))).start()
    work, supergraph = edge_supergraph
    try:
        with OtlpCollector() as collector:
            env = gateway_env(identity, probe_server, XINYONG_OTLP_ENDPOINT=collector.endpoint)
            with running_gateway(supergraph, work, env) as gw:
                yield gw, collector, memory_spans
    finally:
        identity.stop()


def _wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def test_one_trace_from_gateway_through_subgraph_to_sql(traced):
    gw, collector, memory = traced
    memory.clear()
    # urllib, not httpx: this process's httpx is instrumented and would start its own trace.
    request = urllib.request.Request(
        gw.url, method="POST",
        data=json.dumps({"query": 'query Lookup { subject(code: "%s") { name } }' % ORG}).encode(),
        headers={**bearer(), "content-type": "application/json",
                 "traceparent": f"00-{TRACE_ID}-{CLIENT_SPAN}-01"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=20) as response:
        assert response.status == 200
        assert "errors" not in json.loads(response.read())

    # The subgraph's spans: a server span continuing the trace, SQL spans beneath it.
    def subgraph_spans():
        spans = [s for s in memory.get_finished_spans() if f"{s.context.trace_id:032x}" == TRACE_ID]
        return spans if any(s.kind == trace.SpanKind.SERVER for s in spans) and any(
            s.attributes.get("db.system") or s.attributes.get("db.system.name") for s in spans) else None

    spans = subgraph_spans() or _wait_for(subgraph_spans)
    assert spans, [(s.name, f"{s.context.trace_id:032x}"[:6], s.kind) for s in memory.get_finished_spans()]
    by_id = {s.context.span_id: s for s in spans}
    server = next(s for s in spans if s.kind == trace.SpanKind.SERVER)
    sql = [s for s in spans if s.attributes.get("db.system") or s.attributes.get("db.system.name")]
    assert sql, [s.name for s in spans]
    for statement in sql:  # each SQL span descends from the subgraph's server span
        node = statement
        while node.parent is not None and node.parent.span_id in by_id:
            node = by_id[node.parent.span_id]
        assert node is server, statement.name

    # The gateway's spans: same trace, its root continues the client's span, and the span
    # that fetched from the subgraph is the subgraph server span's parent.
    def gateway_has_parent():
        ids = {s["spanId"] for s in collector.spans if s["traceId"] == TRACE_ID}
        return ids if f"{server.parent.span_id:016x}" in ids else None

    gateway_ids = _wait_for(gateway_has_parent)
    assert gateway_ids, [(s["name"], s["traceId"]) for s in collector.spans]
    gateway_spans = [s for s in collector.spans if s["traceId"] == TRACE_ID]
    assert any(s.get("parentSpanId") == CLIENT_SPAN for s in gateway_spans), gateway_spans
    names = {s["name"] for s in gateway_spans}
    print("gateway spans:", sorted(names))
    assert any("graphql" in n.lower() or "POST" in n for n in names), names


def test_check_outcomes_and_request_metrics_are_recorded():
    """record_check_outcome counts by purpose and outcome on the installed meter provider."""
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider

    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    meter = provider.get_meter(telemetry.METER_NAME)
    original, original_provider = metrics.get_meter, metrics.get_meter_provider
    try:
        metrics.get_meter = lambda *a, **k: meter  # type: ignore[assignment]
        metrics.get_meter_provider = lambda: provider  # type: ignore[assignment]
        telemetry.record_check_outcome("AIR_TRAVEL", "RESTRICTED")
        telemetry.record_check_outcome("AIR_TRAVEL", "CLEAR", count=3, operation="screen")
        telemetry.record_check_outcome("RAIL_TRAVEL", "UNAVAILABLE")
    finally:
        metrics.get_meter = original  # type: ignore[assignment]
        metrics.get_meter_provider = original_provider  # type: ignore[assignment]
        telemetry._outcomes = None
    data = reader.get_metrics_data()
    points = {
        (p.attributes["purpose"], p.attributes["outcome"]): p.value
        for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics
        if m.name == "xinyong.check.outcomes" for p in m.data.data_points
    }
    assert points == {("AIR_TRAVEL", "RESTRICTED"): 1, ("AIR_TRAVEL", "CLEAR"): 3,
                      ("RAIL_TRAVEL", "UNAVAILABLE"): 1}


def test_gateway_serves_request_rate_and_latency_metrics_privately(gateway, client):
    client.post(gateway.url, json={"query": "{ whoami }"}, headers=bearer())
    private = f"http://127.0.0.1:{gateway.env['XINYONG_GATEWAY_METRICS_PORT']}/metrics"
    text = client.get(private).text
    assert "graphql_yoga_http_duration_count" in text  # request rate and latency histogram
    assert "graphql_gateway_subgraph_execute_duration" in text
    public = client.get(gateway.url.replace("/graphql", "/metrics"), headers=bearer())
    assert public.status_code == 404
    assert "graphql_yoga_http_duration" not in public.text
