// Prometheus metrics on a listener of their own, never on the public endpoint: request rates,
// latencies and errors per operation and subgraph say who calls what and how often.
//
//   XINYONG_GATEWAY_METRICS_PORT  port of the metrics listener; unset: no listener (the
//                                 metrics are still collected)
//   XINYONG_GATEWAY_METRICS_HOST  its address [127.0.0.1]; a deployment binds the pod's
//                                 address and leaves the port out of the public Service
//
// With several workers (`--fork`, XINYONG_GATEWAY_WORKERS) the primary process serves the sum of
// every worker's metrics (prom-client's AggregatorRegistry asks each worker over the cluster
// channel); with one, the process serves its own registry.
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { AggregatorRegistry, register } from 'prom-client';

/** Start the metrics listener in the process that should hold it; forked workers answer it. */
export function startMetricsListener(host: string, port: number, workers: number): void {
  if (!cluster.isPrimary) {
    new AggregatorRegistry(); // makes this worker answer the primary's requests for its metrics
    return;
  }
  const aggregator = workers > 1 ? new AggregatorRegistry() : undefined;
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const metrics = aggregator ? aggregator.clusterMetrics() : register.metrics();
    metrics.then(
      (text) => response.writeHead(200, { 'content-type': register.contentType }).end(text),
      (error) => response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end(`${error}\n`),
    );
  });
  server.on('error', (error) => {
    console.error(JSON.stringify({ level: 'error', msg: 'metrics listener failed', host, port, error: String(error) }));
  });
  server.listen(port, host);
  server.unref(); // never what keeps the process alive
}
