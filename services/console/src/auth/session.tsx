// The signed-in user's bearer token, kept for this browser tab only (sessionStorage, no cookies).
// The console reads the token's claims only to greet the user and lay out its rooms; the gateway
// and the subgraphs verify the token and decide what it may do.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

const KEY = "xinyong.session";

export interface Claims {
  sub: string;
  roles: string[];
  agency?: string;
  exp?: number;
}

export interface Session {
  token: string;
  claims: Claims;
}

function decodeClaims(token: string): Claims | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as Partial<Claims>;
    if (typeof claims.sub !== "string") return null;
    return { sub: claims.sub, roles: Array.isArray(claims.roles) ? claims.roles : [],
             agency: claims.agency, exp: claims.exp };
  } catch {
    return null;
  }
}

export function sessionFromToken(token: string): Session | null {
  const claims = decodeClaims(token.trim());
  return claims ? { token: token.trim(), claims } : null;
}

function load(): Session | null {
  const token = sessionStorage.getItem(KEY);
  if (!token) return null;
  const session = sessionFromToken(token);
  if (!session || (session.claims.exp && session.claims.exp * 1000 < Date.now())) {
    sessionStorage.removeItem(KEY);
    return null;
  }
  return session;
}

interface SessionContext {
  session: Session | null;
  signIn: (token: string) => Session | null;
  signOut: () => void;
}

const Ctx = createContext<SessionContext | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(load);
  const signIn = useCallback((token: string) => {
    const next = sessionFromToken(token);
    if (next) {
      sessionStorage.setItem(KEY, next.token);
      setSession(next);
    }
    return next;
  }, []);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(KEY);
    setSession(null);
  }, []);
  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error("useSession outside SessionProvider");
  return ctx;
}

export function hasRole(session: Session | null, ...roles: string[]): boolean {
  return !!session && roles.some((r) => session.claims.roles.includes(r));
}
