// GraphQL over HTTP conformance audit of a running gateway (graphql-http's auditServer).
//
//   node audit.mjs http://127.0.0.1:4000/graphql [--header "authorization: Bearer ..."]
//
// Prints one JSON object: {"results": [{"id", "name", "status", "reason"}...]} where
// status is "ok", "warn" (a SHOULD/MAY audit failed) or "error" (a MUST audit failed).
// Exits 1 when any MUST audit failed. Used by tests/gateway/test_http_audit.py.
import { auditServer } from 'graphql-http';

const args = process.argv.slice(2);
const url = args.find((a) => /^https?:\/\//.test(a));
if (!url) {
  console.error('usage: node audit.mjs URL [--header "name: value"]...');
  process.exit(2);
}
const extraHeaders = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--header' && args[i + 1]) {
    const [name, ...rest] = args[i + 1].split(':');
    extraHeaders[name.trim().toLowerCase()] = rest.join(':').trim();
    i++;
  }
}

// Every audit request carries the extra headers (e.g. a bearer token).
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
const out = [];
for (const r of results) {
  let reason = '';
  if (r.status !== 'ok') {
    reason = r.reason;
    try {
      const body = await r.response.text();
      reason += ` [HTTP ${r.response.status}; ${body.slice(0, 200)}]`;
    } catch {
      reason += ` [HTTP ${r.response?.status}]`;
    }
  }
  out.push({ id: r.id, name: r.name, status: r.status, reason });
}
process.stdout.write(JSON.stringify({ results: out }, null, 1) + '\n');
process.exit(out.some((r) => r.status === 'error') ? 1 : 0);
