// One urql client per signed-in token, talking to the gateway's /graphql cross-origin with
// `Authorization: Bearer` (never cookies). An edge 401 (expired or refused token) signs out.
import { useMemo, type ReactNode } from "react";
import { Client, Provider, cacheExchange, fetchExchange, mapExchange } from "urql";

import { config } from "../config";
import { useSession } from "../auth/session";

export function GraphQLProvider({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const token = session?.token;
  const client = useMemo(
    () =>
      new Client({
        url: config.gateway,
        preferGetMethod: false,
        requestPolicy: "cache-and-network",
        fetchOptions: (): RequestInit => ({
          credentials: "omit",
          headers: token ? { authorization: `Bearer ${token}` } : undefined,
        }),
        exchanges: [
          mapExchange({
            onError(error) {
              const status = (error.response as Response | undefined)?.status;
              const unauthenticated = error.graphQLErrors.some(
                (e) => e.extensions?.code === "UNAUTHENTICATED",
              );
              if (token && (status === 401 || unauthenticated)) signOut();
            },
          }),
          cacheExchange,
          fetchExchange,
        ],
      }),
    [token, signOut],
  );
  return <Provider value={client}>{children}</Provider>;
}
