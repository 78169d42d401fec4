// Edge rules of the Xinyong gateway: limits, error codes, request ids and the
// all-or-nothing rule for answers that must never read as a partial "clear".
// Imported by gateway.config.ts; no business logic.
//
// Limits (environment, defaults in brackets):
//   XINYONG_GATEWAY_MAX_BODY_BYTES      request body size [2 MiB]; 413 LIMIT_EXCEEDED
//   XINYONG_GATEWAY_MAX_DOCUMENT_BYTES  size of the GraphQL document text [32 KiB]
//   XINYONG_GATEWAY_MAX_TOKENS          tokens in the document [2000] (graphql-armor, parser-level)
//   XINYONG_GATEWAY_MAX_DEPTH           selection depth [12] (graphql-armor)
//   XINYONG_GATEWAY_MAX_ALIASES         aliases in the document [30]
//   XINYONG_GATEWAY_MAX_DIRECTIVES      directives in the document [50]
//   XINYONG_GATEWAY_MAX_OPERATIONS      operations in one document [5]
//   XINYONG_GATEWAY_UPSTREAM_TIMEOUT_MS one subgraph request [5000]; timeout -> UNAVAILABLE
//   XINYONG_GATEWAY_REQUEST_DEADLINE_MS whole client request [15000]
//   XINYONG_GATEWAY_ALL_OR_NOTHING      root fields whose operations get `data: null` on any
//                                       error [check,screen,restrictionChanges,restrictionChangesNdjson]
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type ValidationContext,
} from 'graphql';
import { maskError as defaultMaskError, type MaskError } from 'graphql-yoga';
import type { GatewayPlugin } from '@graphql-hive/gateway';

const env = process.env;

function intEnv(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

export const LIMITS = {
  maxBodyBytes: intEnv('XINYONG_GATEWAY_MAX_BODY_BYTES', 2 * 1024 * 1024),
  maxDocumentBytes: intEnv('XINYONG_GATEWAY_MAX_DOCUMENT_BYTES', 32 * 1024),
  maxTokens: intEnv('XINYONG_GATEWAY_MAX_TOKENS', 2000),
  maxDepth: intEnv('XINYONG_GATEWAY_MAX_DEPTH', 12),
  maxAliases: intEnv('XINYONG_GATEWAY_MAX_ALIASES', 30),
  maxDirectives: intEnv('XINYONG_GATEWAY_MAX_DIRECTIVES', 50),
  maxOperations: intEnv('XINYONG_GATEWAY_MAX_OPERATIONS', 5),
  upstreamTimeoutMs: intEnv('XINYONG_GATEWAY_UPSTREAM_TIMEOUT_MS', 5000),
  requestDeadlineMs: intEnv('XINYONG_GATEWAY_REQUEST_DEADLINE_MS', 15000),
};

export const ALL_OR_NOTHING_FIELDS = new Set(
  (env.XINYONG_GATEWAY_ALL_OR_NOTHING ?? 'check,screen,restrictionChanges,restrictionChangesNdjson')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

function limitError(message: string, limit: string, max: number, nodes?: readonly any[]): GraphQLError {
  return new GraphQLError(message, {
    nodes,
    extensions: { code: 'LIMIT_EXCEEDED', limit, max, http: { status: 400 } },
  });
}

// ------------------------------------------------------------------ request ids

const generatedRequestIds = new WeakMap<Request, string>();

/** requestId option: generates ids we can read back (the built-in plugin keeps its map private). */
export const requestIdOptions = {
  headerName: 'x-request-id',
  generateRequestId({ request }: { request: Request }): string {
    const id = crypto.randomUUID();
    generatedRequestIds.set(request, id);
    return id;
  },
};

export function requestIdOf(request: Request | undefined): string {
  if (!request) return '';
  return (request.headers.get('x-request-id') || generatedRequestIds.get(request) || '').slice(0, 128);
}

// ------------------------------------------------------------------ document limits

function countingRule(kind: 'aliases' | 'directives', max: number) {
  return (context: ValidationContext): ASTVisitor => {
    let count = 0;
    let reported = false;
    const bump = (node: any) => {
      count += 1;
      if (count > max && !reported) {
        reported = true;
        context.reportError(
          limitError(`The document has more than ${max} ${kind}.`, `max${kind[0].toUpperCase()}${kind.slice(1)}`, max, [node]),
        );
      }
    };
    return kind === 'aliases'
      ? { Field(node) { if (node.alias) bump(node); } }
      : { Directive(node) { bump(node); } };
  };
}

function maxOperationsRule(max: number) {
  return (context: ValidationContext): ASTVisitor => ({
    Document(node: DocumentNode) {
      const operations = node.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      if (operations.length > max) {
        context.reportError(
          limitError(`The document has ${operations.length} operations; at most ${max} are allowed.`, 'maxOperations', max),
        );
      }
    },
  });
}

/** Body size, document size, aliases, directives and operations per document. */
export function useEdgeLimits(): GatewayPlugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const length = Number(request.headers.get('content-length') ?? '0');
      if (length > LIMITS.maxBodyBytes) {
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({
              errors: [
                {
                  message: `The request body is larger than ${LIMITS.maxBodyBytes} bytes.`,
                  extensions: { code: 'LIMIT_EXCEEDED', limit: 'maxBodyBytes', max: LIMITS.maxBodyBytes },
                },
              ],
            }),
            { status: 413, headers: { 'content-type': 'application/json; charset=utf-8' } },
          ),
        );
      }
    },
    onParams({ params }) {
      const query = params.query;
      if (typeof query === 'string' && Buffer.byteLength(query, 'utf8') > LIMITS.maxDocumentBytes) {
        throw new GraphQLError(`The GraphQL document is larger than ${LIMITS.maxDocumentBytes} bytes.`, {
          extensions: { code: 'LIMIT_EXCEEDED', limit: 'maxDocumentBytes', max: LIMITS.maxDocumentBytes, http: { status: 413 } },
        });
      }
    },
    onValidate({ addValidationRule }) {
      addValidationRule(maxOperationsRule(LIMITS.maxOperations));
      addValidationRule(countingRule('aliases', LIMITS.maxAliases));
      addValidationRule(countingRule('directives', LIMITS.maxDirectives));
    },
  };
}

// ------------------------------------------------------------------ error codes

// The JWT plugin rejects bad tokens with bare errors (HTTP 400 for undecodable
// tokens, 401 for a bad signature or expiry); graphql-armor's depth and token
// limits have no code either. Give them the contract's codes.
const JWT_REJECTIONS = new Set(['Unauthenticated', 'Invalid authentication token provided']);
const ARMOR_LIMITS: [RegExp, string][] = [
  [/Token limit of \d+ exceeded/, 'maxTokens'],
  [/Query depth limit of \d+ exceeded/, 'maxDepth'],
];

function tagError(error: any, requestId: string): void {
  if (!error || typeof error !== 'object') return;
  const extensions = (error.extensions ??= {});
  if (typeof extensions !== 'object') return;
  if (!extensions.code && JWT_REJECTIONS.has(error.message) && [400, 401].includes(extensions.http?.status)) {
    extensions.code = 'UNAUTHENTICATED';
    extensions.http = { ...extensions.http, status: 401 };
  }
  if (!extensions.code || extensions.code === 'GRAPHQL_PARSE_FAILED' || extensions.code === 'GRAPHQL_VALIDATION_FAILED') {
    for (const [pattern, limit] of ARMOR_LIMITS) {
      if (pattern.test(error.message ?? '')) {
        extensions.code = 'LIMIT_EXCEEDED';
        extensions.limit = limit;
        extensions.http = { ...extensions.http, status: 400 };
      }
    }
  }
  if (extensions.code === 'INTERNAL_SERVER_ERROR' && requestId && !extensions.requestId) {
    extensions.requestId = requestId;
    if (error.message === 'Unexpected error.') error.message = `Internal server error (request id ${requestId})`;
  }
}

function rootFieldNames(document: DocumentNode | undefined, operationName?: string | null): string[] {
  if (!document) return [];
  const ops = document.definitions.filter((d: any) => d.kind === Kind.OPERATION_DEFINITION) as any[];
  const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops[0];
  if (!op) return [];
  return op.selectionSet.selections.filter((s: any) => s.kind === Kind.FIELD).map((s: any) => s.name.value);
}

/**
 * Error codes for the contract, the request id on masked errors, and the all-or-nothing rule:
 * an operation that asks for `check`, `screen` or `restrictionChanges` and meets any error gets
 * `data: null`, so no client can read a half-answered screening as clear.
 */
export function useErrorContract(): GatewayPlugin {
  const critical = new WeakSet<Request>();
  return {
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request } | undefined)?.request;
      const names = rootFieldNames(args.document, args.operationName);
      if (request && names.some((n) => ALL_OR_NOTHING_FIELDS.has(n))) critical.add(request);
    },
    onResultProcess({ request, result }) {
      const requestId = requestIdOf(request);
      for (const item of Array.isArray(result) ? result : [result]) {
        const errors = (item as { errors?: unknown[] } | undefined)?.errors;
        if (!Array.isArray(errors) || errors.length === 0) continue;
        errors.forEach((e) => tagError(e, requestId));
        if (critical.has(request) && (item as { data?: unknown }).data) {
          (item as { data?: unknown }).data = null;
        }
      }
    },
  };
}

// A subgraph that cannot be reached (connection refused, reset, non-GraphQL answer)
// or does not answer in time is the contract's UNAVAILABLE, not a masked
// INTERNAL_SERVER_ERROR: clients must see that the answer is missing, never a guess.
const UNAVAILABLE_CODES = new Set(['SUBREQUEST_HTTP_ERROR', 'GATEWAY_TIMEOUT', 'DOWNSTREAM_SERVICE_ERROR']);

export const maskError: MaskError = (error, message, isDev) => {
  if (error instanceof GraphQLError && UNAVAILABLE_CODES.has(String(error.extensions?.code))) {
    const service = typeof error.extensions.serviceName === 'string' ? error.extensions.serviceName : 'upstream';
    return new GraphQLError(`The ${service} service is unavailable; try again later.`, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { code: 'UNAVAILABLE', service },
    });
  }
  return defaultMaskError(error, message, isDev);
};
