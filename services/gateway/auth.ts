// Edge authentication: every request that carries an Authorization header must carry a bearer
// JWT the deployment's key signed, with the claims the services rely on; anything else is
// HTTP 401 UNAUTHENTICATED here, before a subgraph sees it. A request without the header passes
// as anonymous (the subgraphs answer UNAUTHENTICATED for everything but public fields). The
// token reaches the subgraphs unchanged, and they verify it again (libs/common/auth.py).
//
// Verification is jsonwebtoken's (the library Hive Gateway's own JWT plugin uses), with keys as
// KeyObjects made once: given a string, jsonwebtoken builds a KeyObject on every verification,
// first trying the string as a public key, which throws for an HMAC secret (measured at ~11% of
// the gateway's CPU per check). On top of its checks the edge requires what the subgraphs do:
// `exp`, a non-empty string `sub`, no `iat` in the future, and the shapes of `roles`,
// `purposes` and `agency`.
//
// A consumer sends the same token with every request until it expires, so a verified token is
// remembered, as the subgraphs do: at most CACHE_SECONDS, never past its `exp`, at most
// CACHE_SIZE tokens; a token that fails is never remembered.
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import { createRemoteJwksSigningKeyProvider, type GatewayPlugin } from '@graphql-hive/gateway';

export const CACHE_SECONDS = 60;
export const CACHE_SIZE = 4096;

/** The verified caller of a request, as far as the edge needs to know it. */
export interface EdgePrincipal {
  sub: string;
  roles: readonly string[];
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface EdgeAuthOptions {
  /** HS256 secret, or an RS256 public key (PEM) when `publicKey` is set. */
  secret: string;
  publicKey?: string;
  jwksUrl?: string;
  audience?: string;
  issuer?: string;
  /** Paths whose errors take the REST shape (`{"error": {...}}`) instead of GraphQL's. */
  restPaths?: ReadonlySet<string>;
}

export class Unauthenticated extends Error {}

const principals = new WeakMap<Request, EdgePrincipal>();

/** The caller of `request`: undefined for anonymous requests (and before auth has run). */
export function principalOf(request: Request | undefined): EdgePrincipal | undefined {
  return request ? principals.get(request) : undefined;
}

type KeyFor = (kid: string | undefined) => KeyObject | Promise<KeyObject>;

function keyProvider(options: EdgeAuthOptions): { keyFor: KeyFor; algorithms: jsonwebtoken.Algorithm[] } {
  if (options.jwksUrl) {
    const remote = createRemoteJwksSigningKeyProvider({ jwksUri: options.jwksUrl });
    const made = new Map<string, KeyObject>();
    return {
      algorithms: ['RS256'],
      keyFor: async (kid) => {
        const pem = await remote(kid ?? '');
        if (!pem) throw new Unauthenticated('No signing key is known for the token.');
        let key = made.get(pem);
        if (!key) made.set(pem, (key = createPublicKey(pem)));
        return key;
      },
    };
  }
  if (options.publicKey) {
    const key = createPublicKey(options.publicKey);
    return { algorithms: ['RS256'], keyFor: () => key };
  }
  const key = createSecretKey(Buffer.from(options.secret));
  return { algorithms: ['HS256'], keyFor: () => key };
}

const isStringList = (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** The claims the services rely on, checked beyond what jsonwebtoken checks. */
function principalFrom(claims: jsonwebtoken.JwtPayload, now: number): EdgePrincipal {
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) {
    throw new Unauthenticated('The token has no expiry (exp).');
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw new Unauthenticated("The token's subject (sub) must be a non-empty string.");
  }
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat * 1000 > now)) {
    throw new Unauthenticated('The token was issued in the future (iat).');
  }
  for (const name of ['roles', 'purposes'] as const) {
    if (claims[name] !== undefined && !isStringList(claims[name])) {
      throw new Unauthenticated(`The token's ${name} must be a list of strings.`);
    }
  }
  if (claims.agency !== undefined && typeof claims.agency !== 'string') {
    throw new Unauthenticated("The token's agency must be a string.");
  }
  return { sub: claims.sub, roles: (claims.roles as string[] | undefined) ?? [], expiresAt: claims.exp * 1000 };
}

const REASONS: Record<string, string> = {
  TokenExpiredError: 'The token has expired.',
  NotBeforeError: 'The token is not valid yet (nbf).',
};

/** A verifier of bearer tokens with a cache of the ones that passed. */
export function createTokenVerifier(options: EdgeAuthOptions) {
  const { keyFor, algorithms } = keyProvider(options);
  const verifyOptions: jsonwebtoken.VerifyOptions = {
    algorithms,
    ...(options.audience ? { audience: options.audience } : {}),
    ...(options.issuer ? { issuer: options.issuer } : {}),
  };
  const verified = new Map<string, { principal: EdgePrincipal; until: number }>();

  function check(token: string, key: KeyObject): EdgePrincipal {
    let claims: string | jsonwebtoken.JwtPayload;
    try {
      claims = jsonwebtoken.verify(token, key, verifyOptions);
    } catch (error) {
      const name = (error as Error).name;
      throw new Unauthenticated(REASONS[name] ?? `The token is not valid: ${(error as Error).message}.`);
    }
    if (typeof claims !== 'object' || claims === null) throw new Unauthenticated('The token carries no claims.');
    const now = Date.now();
    const principal = principalFrom(claims, now);
    if (verified.size >= CACHE_SIZE) verified.clear(); // a burst of distinct tokens: start over
    verified.set(token, { principal, until: Math.min(principal.expiresAt, now + CACHE_SECONDS * 1000) });
    return principal;
  }

  /** The principal of a valid token; throws Unauthenticated. */
  return function verify(token: string): EdgePrincipal | Promise<EdgePrincipal> {
    const hit = verified.get(token);
    if (hit) {
      if (Date.now() < hit.until) return hit.principal;
      verified.delete(token);
    }
    let kid: string | undefined;
    try {
      const decoded = jsonwebtoken.decode(token, { complete: true });
      if (!decoded) throw new Error('not a JWT');
      kid = decoded.header.kid;
    } catch {
      throw new Unauthenticated('The token is not a JWT.');
    }
    const key = keyFor(kid);
    return key instanceof Promise ? key.then((k) => check(token, k)) : check(token, key);
  };
}

const BEARER = /^Bearer ([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_.+/=]*)$/;

/** 401 UNAUTHENTICATED in the shape the path speaks (GraphQL errors, or REST's `error`). */
export function unauthenticated(fetchAPI: { Response: typeof Response }, message: string, rest: boolean): Response {
  const error = { message, extensions: { code: 'UNAUTHENTICATED' } };
  const body = rest ? { error: { message, code: 'UNAUTHENTICATED' } } : { errors: [error] };
  return new fetchAPI.Response(JSON.stringify(body), {
    status: 401,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'www-authenticate': `Bearer error="invalid_token", error_description="${message.replace(/["\\]/g, '')}"`,
    },
  });
}

/** The edge's authentication plugin (see the top of this file). */
export function useEdgeAuth(options: EdgeAuthOptions): GatewayPlugin {
  const verify = createTokenVerifier(options);
  const restPaths = options.restPaths ?? new Set<string>();
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      const header = request.headers.get('authorization');
      if (header === null) return;
      const rest = restPaths.has(url.pathname);
      const refuse = (message: string) => endResponse(unauthenticated(fetchAPI, message, rest));
      const keysUnavailable = (error: unknown) => {
        console.error(JSON.stringify({ level: 'error', msg: 'signing keys unavailable', error: String(error) }));
        const message = 'The signing keys of the identity provider are not available; try again later.';
        const body = rest
          ? { error: { message, code: 'UNAVAILABLE' } }
          : { errors: [{ message, extensions: { code: 'UNAVAILABLE' } }] };
        endResponse(new fetchAPI.Response(JSON.stringify(body), {
          status: 503,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }));
      };
      const match = BEARER.exec(header);
      if (!match) return refuse("The Authorization header must be 'Bearer <token>'.");
      let result: EdgePrincipal | Promise<EdgePrincipal>;
      try {
        result = verify(match[1]);
      } catch (error) {
        if (error instanceof Unauthenticated) return refuse(error.message);
        return keysUnavailable(error);
      }
      if (!(result instanceof Promise)) {
        principals.set(request, result);
        return;
      }
      return result.then(
        (principal) => void principals.set(request, principal),
        (error) => (error instanceof Unauthenticated ? refuse(error.message) : keysUnavailable(error)),
      );
    },
  };
}
