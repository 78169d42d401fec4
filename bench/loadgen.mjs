// HTTP load generator for bench/run.py: autocannon driving GraphQL POSTs whose variables
// change per request (variables-only: the document is the same string every time).
//
//   node bench/loadgen.mjs CONFIG.json      -> one JSON line of results on stdout
//
// CONFIG: { url, headers, query, variables: {...fixed}, varName, values: [...], connections,
//           duration (s), warmup (s), checkEvery (check every Nth body for "errors"),
//           rate (optional: requests per second offered in all, instead of as fast as possible) }
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const values = cfg.values;
const fixed = cfg.variables || {};
const checkEvery = cfg.checkEvery || 1;
let next = 0;

function body() {
  const v = values[next++ % values.length];
  return JSON.stringify({ query: cfg.query, variables: { ...fixed, [cfg.varName]: v } });
}

function run(duration, collect) {
  const latencies = [];
  let gqlErrors = 0;
  let seen = 0;
  let sampleError = null;
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: cfg.url,
      method: 'POST',
      connections: cfg.connections,
      duration,
      ...(cfg.rate ? { overallRate: cfg.rate } : {}),
      headers: { 'content-type': 'application/json', ...cfg.headers },
      requests: [{
        setupRequest: (req) => ({ ...req, body: body() }),
        onResponse: (status, resBody) => {
          if (!collect) return;
          if (seen++ % checkEvery === 0 && (status !== 200 || resBody.includes('"errors"'))) {
            gqlErrors++;
            if (!sampleError) sampleError = resBody.slice(0, 400);
          }
        },
      }],
    }, (err, result) => {
      if (err) return reject(err);
      resolve({ result, latencies, gqlErrors, sampleError });
    });
    if (collect) instance.on('response', (_c, _s, _b, rt) => latencies.push(rt));
  });
}

if (cfg.warmup) await run(cfg.warmup, false);
const { result, latencies, gqlErrors, sampleError } = await run(cfg.duration, true);
latencies.sort((a, b) => a - b);
const pct = (q) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : null;
const seconds = result.duration;
process.stdout.write(JSON.stringify({
  requests: latencies.length,
  seconds,
  rps: latencies.length / seconds,
  p50_ms: pct(0.5), p95_ms: pct(0.95), p99_ms: pct(0.99), max_ms: pct(1),
  mean_ms: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1),
  errors: result.errors + result.timeouts, non2xx: result.non2xx,
  gql_errors: gqlErrors, sample_error: sampleError,
}) + '\n');
