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
//   XINYONG_GATEWAY_MAX_BULK_BYTES      body of a bulk request [512 MiB] (bulk.ts)
//   XINYONG_GATEWAY_BULK_IDLE_MS        a bulk request without a byte either way [60000]
//   XINYONG_GATEWAY_ALL_OR_NOTHING      root fields whose operations get `data: null` on any
//                                       error [check,screen,restrictionChanges,restrictionChangesNdjson]
import {
  GraphQLError,
  Kind,
  getOperationAST,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type GraphQLSchema,
  type ValidationContext,
} from 'graphql';
import { collectFields } from '@graphql-tools/utils';
import { maskError as defaultMaskError, type MaskError } from 'graphql-yoga';
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { principalOf } from './auth.ts';

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
  maxBulkBytes: intEnv('XINYONG_GATEWAY_MAX_BULK_BYTES', 512 * 1024 * 1024),
  bulkIdleMs: intEnv('XINYONG_GATEWAY_BULK_IDLE_MS', 60000),
  // Codes one request may ask `check` (1 each) and `screen` about, over all its aliases and
  // fragments; the sanctions subgraph applies the same limit (its max_screen_codes).
  maxCodesPerRequest: intEnv('XINYONG_GATEWAY_MAX_CODES_PER_REQUEST', 10000),
  // After a request refused for maxCodesPerRequest or codesInFlight, the same caller's requests
  // are refused before their body is parsed for this long (HTTP 413, Retry-After): a caller
  // repeating it at once costs the edge almost nothing.
  limitCooldownMs: intEnv('XINYONG_GATEWAY_LIMIT_COOLDOWN_MS', 1000),
  // Codes one caller may have being checked at once through this gateway process; a request
  // that would go over while others of the same caller run is refused (a request alone is
  // always let through). The sanctions subgraph keeps the same rule per process.
  codesInFlight: intEnv('XINYONG_GATEWAY_CODES_IN_FLIGHT', 10000),
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
    extensions: { code: 'LIMIT_EXCEEDED', limit, max },
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
  const cooling = new Map<string, number>(); // caller (token sub) -> refused until (epoch ms)
  // caller -> its requests running now: codes and when the entry lapses (a request that never
  // reports done cannot hold a caller's budget past the edge's own deadline).
  const running = new Map<string, Set<{ codes: number; until: number }>>();
  const inFlight = (caller: string, now: number): number => {
    let total = 0;
    for (const entry of running.get(caller) ?? []) {
      if (entry.until > now) total += entry.codes;
      else running.get(caller)?.delete(entry);
    }
    return total;
  };
  const coolDown = (caller: string | undefined) => {
    if (caller === undefined) return;
    if (cooling.size > 100_000) cooling.clear(); // bounded: a flood of tokens forgets
    cooling.set(caller, Date.now() + LIMITS.limitCooldownMs);
  };
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== '/graphql') return; // the bulk routes have limits of their own
      const caller = principalOf(request)?.sub;
      const until = caller === undefined ? undefined : cooling.get(caller);
      if (until !== undefined && caller !== undefined) {
        const wait = until - Date.now();
        if (wait <= 0) cooling.delete(caller);
        else {
          const seconds = Math.ceil(wait / 1000);
          endResponse(
            new fetchAPI.Response(
              JSON.stringify({
                errors: [
                  {
                    message: `This caller's last request was refused for the codes it asked about; its requests are refused for ${seconds} s.`,
                    extensions: { code: 'LIMIT_EXCEEDED', limit: 'cooldown', max: LIMITS.maxCodesPerRequest, retryAfter: seconds },
                  },
                ],
              }),
              // The body is never read: the connection closes after the answer, so nothing unread
              // stalls the next request on it.
              { status: 413, headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(seconds), connection: 'close' } },
            ),
          );
          return;
        }
      }
      const declared = request.headers.get('content-length');
      if (request.method === 'POST' && declared === null) {
        // GraphQL Yoga reads a body whole before parsing it: one of unknown length (chunked)
        // could be any size, so a GraphQL POST states its length.
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({
              errors: [
                {
                  message: `A GraphQL POST states its Content-Length (at most ${LIMITS.maxBodyBytes} bytes).`,
                  extensions: { code: 'BAD_REQUEST' },
                },
              ],
            }),
            { status: 411, headers: { 'content-type': 'application/json; charset=utf-8' } },
          ),
        );
        return;
      }
      const length = Number(declared ?? '0');
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
          extensions: { code: 'LIMIT_EXCEEDED', limit: 'maxDocumentBytes', max: LIMITS.maxDocumentBytes },
        });
      }
    },
    onExecute({ args, setResultAndStopExecution }) {
      const codes = codesRequested(args.schema, args.document, args.operationName, args.variableValues);
      if (codes === 0) return;
      const caller = principalOf((args.contextValue as { request?: Request } | undefined)?.request)?.sub;
      if (codes > LIMITS.maxCodesPerRequest) {
        const error = limitError(
          `This request asks about ${codes} codes over its check and screen fields; at most ${LIMITS.maxCodesPerRequest} per request — split it.`,
          'codesPerRequest',
          LIMITS.maxCodesPerRequest,
        );
        (error.extensions as Record<string, unknown>).given = codes;
        coolDown(caller);
        setResultAndStopExecution({ data: null, errors: [error] });
        return;
      }
      if (caller === undefined) return; // anonymous: the subgraph answers UNAUTHENTICATED
      const now = Date.now();
      const current = inFlight(caller, now);
      if (current > 0 && current + codes > LIMITS.codesInFlight) {
        coolDown(caller); // asking again at once is what an amplifier does: Retry-After
        setResultAndStopExecution({
          data: null,
          errors: [
            limitError(
              `${current} codes of this caller are being checked already; at most ${LIMITS.codesInFlight} at once — wait for them or send smaller batches.`,
              'codesInFlight',
              LIMITS.codesInFlight,
            ),
          ],
        });
        return;
      }
      const entry = { codes, until: now + LIMITS.requestDeadlineMs };
      if (!running.has(caller)) running.set(caller, new Set());
      running.get(caller)!.add(entry);
      return {
        onExecuteDone() {
          const mine = running.get(caller);
          mine?.delete(entry);
          if (mine && mine.size === 0) running.delete(caller);
        },
      };
    },
    onValidate({ addValidationRule }) {
      addValidationRule(maxOperationsRule(LIMITS.maxOperations));
      addValidationRule(countingRule('aliases', LIMITS.maxAliases));
      addValidationRule(countingRule('directives', LIMITS.maxDirectives));
    },
  };
}

// ------------------------------------------------------------------ request shapes

/**
 * Only `application/json` POSTs (and GETs, for queries: mutations over GET are refused by
 * GraphQL Yoga) reach GraphQL. A browser sends form-encoded, multipart and text/plain POSTs
 * cross-origin without asking CORS first; refusing them before anything is parsed closes that
 * door for good. HTTP 415 with BAD_REQUEST.
 */
export function useJsonRequests(graphqlPath: string): GatewayPlugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'POST' || url.pathname !== graphqlPath) return;
      const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (type === 'application/json') return;
      const message = `GraphQL requests are POSTed as application/json${type ? `, not ${type}` : ''}.`;
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }), {
          status: 415,
          headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
        }),
      );
    },
  };
}

/**
 * CORS for the console's origins only (XINYONG_CONSOLE_ORIGINS): a listed Origin is allowed,
 * any other gets no CORS headers at all, and credentials are never allowed (the console sends a
 * bearer token, no cookies). `*` is refused: the list names origins.
 */
export function corsFor(origins: readonly string[]) {
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s*]+$/.test(origin)) {
      throw new Error(`XINYONG_CONSOLE_ORIGINS: ${JSON.stringify(origin)} is not an origin like http://127.0.0.1:4004`);
    }
  }
  if (origins.length === 0) return false as const;
  const allowed = new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (!origin || !allowed.has(origin)) return false as const;
    return {
      origin: [origin],
      credentials: false,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'accept', 'x-request-id', 'traceparent', 'tracestate'],
      exposedHeaders: ['x-request-id'],
      maxAge: 600,
    };
  };
}

/** `Vary: Origin` on every answer once CORS depends on the Origin, so caches keep them apart. */
export function useVaryOrigin(): GatewayPlugin {
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (!vary) response.headers.set('vary', 'Origin');
      else if (!/(^|,)\s*origin\s*(,|$)/i.test(vary)) response.headers.set('vary', `${vary}, Origin`);
    },
  };
}

// ------------------------------------------------------------------ error codes

// graphql-armor's depth and token limits have no code of their own.
const ARMOR_LIMITS: [RegExp, string][] = [
  [/Token limit of \d+ exceeded/, 'maxTokens'],
  [/Query depth limit of \d+ exceeded/, 'maxDepth'],
];
// graphql-js's variable coercion ("got invalid value", "of required type ... was not provided",
// "of non-null type ... must not be null"): the value breaks its type, a BAD_REQUEST.
const VARIABLE_ERROR = /^Variable "\$(\w+)" (?:got invalid value|of required type|of non-null type)/;
// Codes of errors that refuse the whole request; with no data they take an HTTP 4xx status
// where GraphQL over HTTP lets them (`spec`: 200 for application/json, 4xx for
// application/graphql-response+json).
const REQUEST_ERROR_CODES = new Set(['BAD_REQUEST', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

type Extensions = Record<string, unknown> & { code?: unknown; http?: Record<string, unknown> };

/** A copy of `error` with `extensions` merged in (errors may be frozen: never mutate one). */
function withExtensions(error: GraphQLError, extensions: Extensions, message = error.message): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, ...extensions },
  });
}

/**
 * The contract's form of one error of an answer: its code, the request id when masked, and the
 * HTTP status its code implies. `hasData`: whether the answer carries data (then a limit met
 * by one field does not change the status of an otherwise answered request).
 */
export function contractError(error: unknown, requestId: string, hasData: boolean): unknown {
  if (!(error instanceof GraphQLError)) return error;
  const extensions = (error.extensions ?? {}) as Extensions;
  let code = extensions.code as string | undefined;
  const added: Extensions = {};
  if (!code || code === 'GRAPHQL_PARSE_FAILED' || code === 'GRAPHQL_VALIDATION_FAILED') {
    const limit = ARMOR_LIMITS.find(([pattern]) => pattern.test(error.message ?? ''));
    if (limit) {
      code = added.code = 'LIMIT_EXCEEDED';
      added.limit = limit[1];
    }
  }
  if (!code) {
    const variable = VARIABLE_ERROR.exec(error.message ?? '');
    if (variable) {
      code = added.code = 'BAD_REQUEST';
      added.variable = variable[1];
    }
  }
  if (!hasData && code === 'LIMIT_EXCEEDED') {
    added.http = { ...extensions.http, status: 413, spec: false };
  } else if (!hasData && code && REQUEST_ERROR_CODES.has(code) && !extensions.http) {
    added.http = { spec: true, status: 400 };
  }
  let message = error.message;
  if (code === 'INTERNAL_SERVER_ERROR' && requestId && !extensions.requestId) {
    added.requestId = requestId;
    if (message === 'Unexpected error.') message = `Internal server error (request id ${requestId})`;
  }
  return Object.keys(added).length || message !== error.message ? withExtensions(error, added, message) : error;
}

/**
 * Codes the operation asks `check` (1 each) and `screen` (its `codes`) about, over every root
 * field it executes however aliased or spelled through fragments — measured before anything is
 * sent to a subgraph, so a request of many aliased screens costs a refusal, not their work.
 */
export function codesRequested(
  schema: GraphQLSchema,
  document: DocumentNode | undefined,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): number {
  let total = 0;
  for (const field of executedRootFieldNodes(schema, document, operationName, variables)) {
    if (field.name.value === 'check') total += 1;
    if (field.name.value !== 'screen') continue;
    const argument = field.arguments?.find((a) => a.name.value === 'codes');
    const value = argument?.value;
    if (value?.kind === Kind.LIST) total += value.values.length;
    else if (value?.kind === Kind.VARIABLE) {
      const given = variables?.[value.name.value];
      total += Array.isArray(given) ? given.length : 1;
    } else if (value) total += 1;
  }
  return total;
}

/** Names of the root fields `operation` executes, through fragments, @skip/@include and @defer. */
export function executedRootFields(
  schema: GraphQLSchema,
  document: DocumentNode | undefined,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): string[] {
  return executedRootFieldNodes(schema, document, operationName, variables).map((f) => f.name.value);
}

// The limits and the error contract both ask for a request's root fields in onExecute: work them
// out once. Keyed by the request's variables object (one per request), or by the (cached)
// document when there are none, since then the answer depends on the document alone.
const rootFieldMemo = new WeakMap<object, { document: DocumentNode; operationName: string | null | undefined; nodes: FieldNode[] }>();

/** The root field nodes `operation` executes, one per response key (same-key fields merge). */
function executedRootFieldNodes(
  schema: GraphQLSchema,
  document: DocumentNode | undefined,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): FieldNode[] {
  if (!document) return [];
  const key: object = variables ?? document;
  const known = rootFieldMemo.get(key);
  if (known && known.document === document && known.operationName === operationName) return known.nodes;
  const nodes = collectRootFieldNodes(schema, document, operationName, variables);
  rootFieldMemo.set(key, { document, operationName, nodes });
  return nodes;
}

function collectRootFieldNodes(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): FieldNode[] {
  const operation = getOperationAST(document, operationName);
  const rootType = operation && schema.getRootType(operation.operation);
  if (!operation || !rootType) return [];
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  // @graphql-tools/utils 12 takes variables in graphql-js 17's shape, also on graphql 16.
  const coerced = { sources: {}, coerced: variables ?? {} } as never;
  const { fields, patches } = collectFields(schema, fragments, coerced, rootType, operation.selectionSet);
  const nodes: FieldNode[] = [];
  for (const group of [fields, ...patches.map((patch) => patch.fields)]) {
    for (const same of group.values()) nodes.push(same[0]);
  }
  return nodes;
}

// ------------------------------------------------------------------ documents the planner runtime misreads

// @graphql-hive/router-runtime 1.4 decides whether a document is "introspection" (answered from
// the supergraph alone, without any subgraph) by reading root selections of every operation in
// order, stopping at the first fragment: `{ __typename ... on Query { check } }`, or a
// `query A { __typename }` beside the operation that runs, is taken for introspection, so
// `check` comes back null (an error) and a nullable field silently null. Conversely
// introspection behind a fragment, or beside other root fields, reaches the Rust planner
// (HTTP 500) or drops the other fields. The edge refuses introspection that is not alone at
// the root and hands the runtime such documents in a shape it reads right.

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

/** The root fields an operation can select, through every fragment, ignoring directives. */
function staticRootFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...staticRootFields(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) fields.push(...staticRootFields(fragment.selectionSet, fragments, seen));
    }
  }
  return fields;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Introspection (`__schema`, `__type`) only as root fields of an operation of its own. */
function introspectionAloneRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      const fields = staticRootFields(node.selectionSet, fragmentsOf(context.getDocument()));
      if (!fields.some((f) => INTROSPECTION_FIELDS.has(f.name.value))) return;
      const direct = node.selectionSet.selections.every((s) => s.kind === Kind.FIELD);
      if (direct && fields.every((f) => f.name.value.startsWith('__'))) return;
      context.reportError(
        new GraphQLError(
          'Introspection (__schema, __type) must be the only root fields of its operation, selected directly: send it on its own.',
          { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        ),
      );
    },
  };
}

/** router-runtime's test for "introspection", as it reads a document (see above). */
function runtimeTakesForIntrospection(document: DocumentNode): boolean {
  let onlyTypename = false;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const selection of definition.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) return onlyTypename;
      if (INTROSPECTION_FIELDS.has(selection.name.value)) return true;
      if (selection.name.value !== '__typename') return false;
      onlyTypename = true;
    }
  }
  return onlyTypename;
}

const readable = new WeakMap<DocumentNode, Map<string, DocumentNode>>();

/**
 * `document` as the runtime reads it right for `operationName`: unchanged unless the runtime
 * would take it for introspection while the operation selects subgraph fields; then only that
 * operation (with the fragments), its root selections grouped in one inline fragment, which
 * changes nothing in what runs or how the answer is ordered.
 */
export function runtimeReadableDocument(document: DocumentNode, operationName: string | null | undefined): DocumentNode {
  let byOperation = readable.get(document);
  const key = operationName ?? '';
  const known = byOperation?.get(key);
  if (known) return known;
  let result = document;
  const operation = getOperationAST(document, operationName);
  if (operation && runtimeTakesForIntrospection(document)) {
    const fields = staticRootFields(operation.selectionSet, fragmentsOf(document));
    if (fields.some((f) => !f.name.value.startsWith('__'))) {
      const grouped: OperationDefinitionNode = {
        ...operation,
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [{ kind: Kind.INLINE_FRAGMENT, directives: [], selectionSet: operation.selectionSet }],
        },
      };
      result = {
        ...document,
        definitions: [grouped, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)],
      };
    }
  }
  if (!byOperation) readable.set(document, (byOperation = new Map()));
  byOperation.set(key, result);
  return result;
}

/** Spec "Operation Type Existence": a subscription where the schema has none is refused. */
function operationTypeExistsRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (!context.getSchema().getRootType(node.operation)) {
        context.reportError(
          new GraphQLError(`This endpoint has no ${node.operation} operations.`, {
            nodes: [node],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
        );
      }
    },
  };
}

/**
 * Error codes for the contract, the request id on masked errors, and the all-or-nothing rule:
 * an operation that executes `check`, `screen` or `restrictionChanges` (however its root
 * fields are spelled: aliases, inline fragments, named fragments) and meets any error gets
 * `data: null`, so no client can read a half-answered screening as clear.
 */
export function useErrorContract(): GatewayPlugin {
  const critical = new WeakSet<Request>();
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(operationTypeExistsRule);
      addValidationRule(introspectionAloneRule);
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const document = runtimeReadableDocument(args.document, args.operationName);
      if (document !== args.document) setExecuteFn((executeArgs) => executeFn({ ...executeArgs, document }));
      const request = (args.contextValue as { request?: Request } | undefined)?.request;
      if (!request) return;
      const names = executedRootFields(args.schema, args.document, args.operationName, args.variableValues);
      if (names.some((n) => ALL_OR_NOTHING_FIELDS.has(n))) critical.add(request);
    },
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || !result || typeof result !== 'object' || !('errors' in result)) return;
      const errors = (result as { errors?: unknown }).errors;
      if (!Array.isArray(errors) || errors.length === 0) return;
      const answer = result as { data?: unknown; errors: unknown[] };
      const withheld = critical.has(request) && answer.data != null;
      const hasData = answer.data != null && !withheld;
      const requestId = requestIdOf(request);
      const next: Record<string, unknown> = { ...answer, errors: errors.map((e) => contractError(e, requestId, hasData)) };
      if (withheld) next.data = null;
      setResult(next as typeof result);
    },
  };
}

// A subgraph that cannot be reached (connection refused, reset, an answer that is not GraphQL)
// or does not answer in time is the contract's UNAVAILABLE, not a masked INTERNAL_SERVER_ERROR:
// clients must see that the answer is missing, never a guess. A subgraph that answered with
// GraphQL errors was reachable: its typed errors pass through as they are (the gateway's
// `subgraphErrors` default code is off, see gateway.config.ts), and an error it sent without
// a code is a bug there, masked like any unexpected error.
const UNAVAILABLE_CODES = new Set([
  'SUBREQUEST_HTTP_ERROR',
  'GATEWAY_TIMEOUT',
  'DOWNSTREAM_SERVICE_ERROR',
  'RESPONSE_VALIDATION_FAILED',
]);

export const maskError: MaskError = (error, message, isDev) => {
  if (error instanceof GraphQLError) {
    const code = error.extensions?.code;
    const service = typeof error.extensions?.serviceName === 'string' ? error.extensions.serviceName : undefined;
    if (UNAVAILABLE_CODES.has(String(code))) {
      return new GraphQLError(`The ${service ?? 'upstream'} service is unavailable; try again later.`, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        extensions: { code: 'UNAVAILABLE', service: service ?? 'upstream' },
      });
    }
    if (!code && service) {
      console.error(JSON.stringify({ level: 'error', msg: 'subgraph error without a code', service, error: error.message }));
      const unexpected = new GraphQLError(error.message, {
        nodes: error.nodes,
        path: error.path,
        originalError: new Error(error.message),
      });
      return defaultMaskError(unexpected, message, isDev);
    }
  }
  return defaultMaskError(error, message, isDev);
};
