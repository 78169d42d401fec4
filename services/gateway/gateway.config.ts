// Hive Gateway configuration for the Xinyong public GraphQL endpoint.
//
// The CLI (`hive-gateway supergraph`) loads this file from its working directory
// (services/gateway). It holds no business logic: composition, edge auth, header
// propagation and limits only. Start it through services/gateway/launcher.py
// (`make run`) or by hand:
//
//   cd services/gateway && node node_modules/@graphql-hive/gateway/dist/bin.js supergraph \
//     --host "${XINYONG_GATEWAY_HOST:-127.0.0.1}" --port "${XINYONG_GATEWAY_PORT:-4000}"
//
// Environment:
//   XINYONG_GATEWAY_HOST / XINYONG_GATEWAY_PORT  listen address (default 127.0.0.1:4000).
//       NB: the CLI's own `HOST` / `PORT` env vars and --host/--port flags win over
//       these values, so the launcher always passes --host/--port explicitly.
//   XINYONG_<NAME>_URL          URL of subgraph <name> (e.g. XINYONG_IDENTITY_URL),
//                               overriding the URL composed into supergraph.graphql.
//   XINYONG_GATEWAY_SECRET      shared secret sent to every subgraph as
//                               `x-xinyong-gateway-secret` (dev default below).
//   XINYONG_JWT_SECRET          HS256 key for verifying bearer tokens at the edge, unless
//   XINYONG_JWT_JWKS_URL        (RS256 via JWKS) or
//   XINYONG_JWT_PUBLIC_KEY      (RS256 PEM) is set; XINYONG_JWT_AUDIENCE / _ISSUER are
//                               checked when set. Same variables as libs/common/settings.py.
//   XINYONG_GATEWAY_VERIFY_JWT  "0"/"false" disables edge JWT verification (subgraphs
//                               still verify); default on.
//   XINYONG_ENVIRONMENT         "production" turns GraphiQL, the landing page, introspection
//                               and query-plan exposure off and refuses the development secrets.
//   XINYONG_OTLP_ENDPOINT       OTLP/HTTP collector base URL (e.g. http://otel-collector:4318):
//                               traces go to <endpoint>/v1/traces with W3C trace context
//                               continued from the client and propagated to subgraphs.
//   XINYONG_GATEWAY_METRICS     "0" turns metric collection off (default on).
//   XINYONG_GATEWAY_METRICS_PORT / _HOST  the private Prometheus listener (metrics.ts); /metrics
//                               is never served on the public endpoint.
//   XINYONG_CONSOLE_ORIGINS     comma-separated origins (http://127.0.0.1:4004) whose browsers may
//                               call the endpoint (CORS, no credentials); none by default.
//   XINYONG_GATEWAY_WORKERS     worker processes (Hive Gateway's --fork) [1].
//   Limits: see edge.ts (XINYONG_GATEWAY_MAX_*, _UPSTREAM_TIMEOUT_MS, _REQUEST_DEADLINE_MS).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type GatewayPlugin } from '@graphql-hive/gateway';
import { unifiedGraphHandler, useQueryPlan } from '@graphql-hive/router-runtime';
import { openTelemetrySetup } from '@graphql-hive/gateway/opentelemetry/setup';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { useEdgeAuth } from './auth.ts';
import { BULK_ROUTES, useBulkRoutes } from './bulk.ts';
import {
  LIMITS,
  corsFor,
  maskError,
  requestIdOptions,
  useEdgeLimits,
  useErrorContract,
  useJsonRequests,
  useVaryOrigin,
} from './edge.ts';
import { startMetricsListener } from './metrics.ts';

const env = process.env;

export const DEV_GATEWAY_SECRET = 'dev-gateway-secret-change-me';
export const DEV_JWT_SECRET = 'dev-secret-change-me-not-for-production';

const isProduction = (env.XINYONG_ENVIRONMENT || 'development').toLowerCase() === 'production';
const gatewaySecret = env.XINYONG_GATEWAY_SECRET || DEV_GATEWAY_SECRET;
const jwtSecret = env.XINYONG_JWT_SECRET || DEV_JWT_SECRET;
const jwtJwksUrl = env.XINYONG_JWT_JWKS_URL || '';
const jwtPublicKey = env.XINYONG_JWT_PUBLIC_KEY || '';
const isOff = (value: string | undefined) => ['0', 'false', 'no', 'off'].includes((value ?? '').toLowerCase());
const verifyJwt = !isOff(env.XINYONG_GATEWAY_VERIFY_JWT);
const otlpEndpoint = (env.XINYONG_OTLP_ENDPOINT || '').replace(/\/+$/, '');
const consoleOrigins = (env.XINYONG_CONSOLE_ORIGINS || '').split(',').map((o) => o.trim()).filter(Boolean);
const metricsOn = !isOff(env.XINYONG_GATEWAY_METRICS);
const metricsPort = Number(env.XINYONG_GATEWAY_METRICS_PORT || 0);
const workers = Math.max(1, Number(env.XINYONG_GATEWAY_WORKERS || 1));

if (isProduction && gatewaySecret === DEV_GATEWAY_SECRET) {
  throw new Error('XINYONG_GATEWAY_SECRET must be set in production');
}
if (isProduction && verifyJwt && jwtSecret === DEV_JWT_SECRET && !jwtJwksUrl && !jwtPublicKey) {
  throw new Error('XINYONG_JWT_SECRET (or XINYONG_JWT_JWKS_URL / XINYONG_JWT_PUBLIC_KEY) must be set in production');
}

// Client request headers forwarded to every subgraph request. `x-request-id` is
// handled by the built-in requestId plugin (generated when missing, sent upstream
// and returned to the client). With OpenTelemetry on, the plugin continues the
// client's W3C trace context and injects its own span's `traceparent` upstream, so
// the raw client headers are forwarded only when tracing is off.
const FORWARDED_HEADERS = otlpEndpoint
  ? (['authorization'] as const)
  : (['authorization', 'traceparent', 'tracestate', 'baggage'] as const);

// OTLP/HTTP export of the gateway's spans (HTTP request, GraphQL operation, plan,
// subgraph fetches) when a collector is configured.
if (otlpEndpoint) {
  openTelemetrySetup({
    contextManager: new AsyncLocalStorageContextManager(),
    resource: { serviceName: 'xinyong-gateway', serviceVersion: '0.1.0' },
    traces: { exporter: new OTLPTraceExporter({ url: `${otlpEndpoint}/v1/traces` }), batching: { scheduledDelayMillis: 500 } },
  });
}

// XINYONG_<NAME>_URL -> transport override for subgraph <name> (names are [a-z0-9_]).
// Entries for names that are not in the supergraph are ignored by the gateway.
//
// '*' applies to every subgraph: the HTTP executor's in-flight deduplication is turned off.
// By default identical concurrent subgraph queries (same body and forwarded headers) share one
// upstream request; for `check` that gives several checks one answer and one audit entry
// (one `reference`), and every check must be answered and audited on its own.
function subgraphUrlOverrides(): Record<string, { location?: string; options?: Record<string, unknown> }> {
  const entries: Record<string, { location?: string; options?: Record<string, unknown> }> = {
    '*': { options: { deduplicateInflightRequests: false } },
  };
  for (const [key, value] of Object.entries(env)) {
    const match = /^XINYONG_([A-Z][A-Z0-9_]*)_URL$/.exec(key);
    if (match && value && /^https?:\/\//.test(value)) {
      entries[match[1].toLowerCase()] = { location: value };
    }
  }
  return entries;
}

// Origin (http://host:port) of every subgraph, for the bulk routes: the URL composed into the
// committed supergraph, or its XINYONG_<NAME>_URL override.
const SUPERGRAPH = fileURLToPath(new URL('./supergraph.graphql', import.meta.url));
function subgraphOrigins(): Record<string, string> {
  const origins: Record<string, string> = {};
  const supergraph = readFileSync(SUPERGRAPH, 'utf8');
  for (const [, name, url] of supergraph.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)) {
    origins[name] = new URL(url).origin;
  }
  for (const [name, entry] of Object.entries(subgraphUrlOverrides())) {
    if (entry.location) origins[name] = new URL(entry.location).origin;
  }
  return origins;
}

// Adds the shared secret to every subgraph request (and only to those: this hook
// runs per subgraph execution, never for other outgoing fetches).
function gatewaySecretHeaders(): Record<string, string> {
  return { 'x-xinyong-gateway-secret': gatewaySecret };
}

if (metricsOn && metricsPort) {
  startMetricsListener(env.XINYONG_GATEWAY_METRICS_HOST || '127.0.0.1', metricsPort, workers);
}

const plugins: GatewayPlugin[] = [
  useJsonRequests('/graphql'),
  ...(consoleOrigins.length ? [useVaryOrigin()] : []),
  // Bearer tokens are verified at the edge (auth.ts) and again in each subgraph.
  ...(verifyJwt
    ? [useEdgeAuth({
        secret: jwtSecret,
        publicKey: jwtPublicKey || undefined,
        jwksUrl: jwtJwksUrl || undefined,
        audience: env.XINYONG_JWT_AUDIENCE || undefined,
        issuer: env.XINYONG_JWT_ISSUER || undefined,
        restPaths: new Set(Object.keys(BULK_ROUTES)),
      })]
    : []),
  useBulkRoutes({
    origins: subgraphOrigins(),
    gatewaySecret,
    maxBytes: LIMITS.maxBulkBytes,
    idleMs: LIMITS.bulkIdleMs,
  }),
  useEdgeLimits(),
  useErrorContract(),
  // Outside production, a request with header `x-xinyong-query-plan: 1` gets the
  // Rust planner's plan in `extensions.queryPlan` (debugging; used by the e2e test).
  useQueryPlan({
    expose: (request) => !isProduction && request.headers.get('x-xinyong-query-plan') === '1',
  }),
];

export const gatewayConfig = defineConfig({
  // Resolved against this file, not the working directory. The CLI's positional
  // argument (`hive-gateway supergraph PATH`) overrides it (used by tests).
  supergraph: SUPERGRAPH,
  // Rust query planner (Hive Router) instead of the default JS stitching planner.
  unifiedGraphHandler,
  host: env.XINYONG_GATEWAY_HOST || '127.0.0.1',
  port: Number(env.XINYONG_GATEWAY_PORT || 4000),
  graphqlEndpoint: '/graphql',
  // Worker processes sharing the port (node:cluster), one per core where it pays.
  fork: workers,
  graphiql: !isProduction,
  landingPage: !isProduction,
  transportEntries: subgraphUrlOverrides(),
  requestId: requestIdOptions,
  // Limits (edge.ts has the rest): graphql-armor's parser-level token limit and depth.
  maxTokens: LIMITS.maxTokens,
  maxDepth: LIMITS.maxDepth,
  blockFieldSuggestions: isProduction,
  disableIntrospection: isProduction,
  // Batched requests (a JSON array of operations) are refused: one operation per request.
  batching: false,
  upstreamTimeout: LIMITS.upstreamTimeoutMs,
  requestDeadline: LIMITS.requestDeadlineMs,
  // Browsers may call from the console's origins only, without credentials (edge.ts, corsFor).
  cors: corsFor(consoleOrigins),
  // Request rate, latency and errors per operation and per subgraph, for Prometheus, served on
  // a listener of their own (metrics.ts), never on the public endpoint.
  prometheus: !metricsOn
    ? undefined
    : {
        endpoint: false,
        metrics: {
          graphql_yoga_http_duration: true,
          graphql_gateway_fetch_duration: true,
          graphql_gateway_subgraph_execute_duration: true,
          graphql_gateway_subgraph_execute_errors: true,
          graphql_envelop_request_duration: true,
          graphql_envelop_request: true,
          graphql_envelop_error_result: true,
          graphql_envelop_phase_parse: false,
          graphql_envelop_phase_validate: false,
          graphql_envelop_phase_context: false,
          graphql_envelop_phase_execute: true,
        },
      },
  openTelemetry: otlpEndpoint ? { traces: true, inheritContext: true, propagateContext: true } : undefined,
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const headers: Record<string, string> = gatewaySecretHeaders();
      for (const name of FORWARDED_HEADERS) {
        const value = request.headers.get(name);
        if (value) headers[name] = value;
      }
      return headers;
    },
  },
  maskedErrors: { maskError },
  // A subgraph's GraphQL errors keep the code the subgraph gave them (Hive Gateway would give
  // uncoded ones DOWNSTREAM_SERVICE_ERROR, which reads as "the service is down").
  subgraphErrors: { errorCode: '' },
  plugins: () => plugins,
});
