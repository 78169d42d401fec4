// The bulk endpoints (API.md, "Bulk endpoints") on the public endpoint's host and port, routed to
// the subgraph that owns each: NDJSON in, the subgraph's JSON summary out.
//
//   POST /subjects/bulk  -> identity     POST /records/bulk  -> records
//   POST /listings/bulk  -> sanctions
//
// The edge verifies the token (auth.ts; a bulk request without one is refused here), gives the
// request its id, and streams the body through with the gateway's shared secret: a file of
// hundreds of megabytes is never held in the gateway, and the subgraph ingests it chunk by
// chunk while it arrives. Limits: XINYONG_GATEWAY_MAX_BULK_BYTES [512 MiB], counted as the body
// streams (a declared Content-Length over it is refused before anything is sent); and
// XINYONG_GATEWAY_BULK_IDLE_MS [60000] without a byte either way. The subgraphs keep their own,
// smaller limits and their roles (identity: admins; records: the token's agency).
// Errors of the edge's own take the REST shape the subgraphs use: {"error": {"message", "code"}}.
import type { IncomingMessage } from 'node:http';
import { request as httpRequest, type Agent } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform, pipeline } from 'node:stream';
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { requestIdOf } from './edge.ts';

export const BULK_ROUTES: Readonly<Record<string, string>> = {
  '/subjects/bulk': 'identity',
  '/records/bulk': 'records',
  '/listings/bulk': 'sanctions',
};

export interface BulkOptions {
  /** Subgraph name -> its origin (http://host:port). */
  origins: Readonly<Record<string, string>>;
  gatewaySecret: string;
  maxBytes: number;
  idleMs: number;
  agent?: Agent;
}

type FetchAPI = { Response: typeof Response };

function restError(fetchAPI: FetchAPI, status: number, code: string, message: string, extra: Record<string, unknown> = {},
  headers: Record<string, string> = {}): Response {
  return new fetchAPI.Response(JSON.stringify({ error: { message, code, ...extra } }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

class BodyTooLarge extends Error {}

const FORWARDED = ['content-type', 'content-length', 'authorization', 'traceparent', 'tracestate'];
const RETURNED = ['content-type', 'content-length', 'retry-after'];

/** POST `req`'s body to `target` as it arrives; resolve with the subgraph's answer. */
function forward(req: IncomingMessage, target: URL, headers: Record<string, string>, options: BulkOptions,
  fetchAPI: FetchAPI, service: string): Promise<Response> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (response: Response) => {
      if (!settled) {
        settled = true;
        resolve(response);
      }
    };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstream = send(target, { method: 'POST', headers, agent: options.agent });
    upstream.setTimeout(options.idleMs, () => upstream.destroy(new Error(`no byte for ${options.idleMs} ms`)));
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sent += chunk.length;
        done(sent > options.maxBytes ? new BodyTooLarge() : null, chunk);
      },
    });
    pipeline(req, counter, upstream, (error) => {
      if (error instanceof BodyTooLarge) {
        upstream.destroy();
        settle(restError(fetchAPI, 413, 'LIMIT_EXCEEDED', `the body is larger than ${options.maxBytes} bytes; split the file`,
          { limit: options.maxBytes }, { connection: 'close' }));
      } else if (error && !settled) {
        settle(restError(fetchAPI, 503, 'UNAVAILABLE', `The ${service} service is unavailable; try again later.`,
          { service }));
      }
    });
    upstream.on('response', (answer) => {
      const returned: Record<string, string> = {};
      for (const name of RETURNED) {
        const value = answer.headers[name];
        if (typeof value === 'string') returned[name] = value;
      }
      settle(new fetchAPI.Response(answer as unknown as ReadableStream, { status: answer.statusCode ?? 502, headers: returned }));
    });
    upstream.on('error', () => {
      settle(restError(fetchAPI, 503, 'UNAVAILABLE', `The ${service} service is unavailable; try again later.`, { service }));
    });
  });
}

/** Serve the bulk routes (see the top of this file). Runs after the edge's auth plugin. */
export function useBulkRoutes(options: BulkOptions): GatewayPlugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI, serverContext }) {
      const service = BULK_ROUTES[url.pathname];
      if (!service) return;
      if (request.method !== 'POST') {
        return endResponse(restError(fetchAPI, 405, 'BAD_REQUEST', `${url.pathname} takes POST`, {}, { allow: 'POST' }));
      }
      // A present token has passed the edge's auth plugin already; an absent one is refused here.
      if (!request.headers.get('authorization')) {
        return endResponse(restError(fetchAPI, 401, 'UNAUTHENTICATED', 'this operation needs a bearer token', {},
          { 'www-authenticate': 'Bearer' }));
      }
      const declared = Number(request.headers.get('content-length') ?? '0');
      if (declared > options.maxBytes) {
        return endResponse(restError(fetchAPI, 413, 'LIMIT_EXCEEDED', `the body is larger than ${options.maxBytes} bytes; split the file`,
          { limit: options.maxBytes }, { connection: 'close' }));
      }
      const req = (serverContext as { req?: IncomingMessage }).req;
      const origin = options.origins[service];
      if (!req || !origin) {
        return endResponse(restError(fetchAPI, 503, 'UNAVAILABLE', `The ${service} service is unavailable; try again later.`, { service }));
      }
      const headers: Record<string, string> = { 'x-xinyong-gateway-secret': options.gatewaySecret };
      for (const name of FORWARDED) {
        const value = request.headers.get(name);
        if (value) headers[name] = value;
      }
      const requestId = requestIdOf(request);
      if (requestId) headers['x-request-id'] = requestId;
      if (!headers['content-length']) headers['transfer-encoding'] = 'chunked';
      return forward(req, new URL(url.pathname, origin), headers, options, fetchAPI, service).then(endResponse);
    },
  };
}
