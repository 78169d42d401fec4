// Deployment settings the console server (services/console/serve.py) writes into index.html.

export interface OidcConfig {
  authority: string;
  clientId: string;
  scope: string;
}

export interface ConsoleConfig {
  /** The public GraphQL endpoint: the gateway's /graphql. */
  gateway: string;
  environment: string;
  /** Development only: the console server mints dev tokens at POST /dev/session. */
  devSignIn: boolean;
  devAgencies: string[];
  /** Production: the identity provider that issues the bearer token (OpenID Connect). */
  oidc: OidcConfig | null;
}

function read(): ConsoleConfig {
  const el = document.getElementById("xinyong-config");
  const fallback: ConsoleConfig = {
    gateway: "http://127.0.0.1:4000/graphql",
    environment: "development",
    devSignIn: false,
    devAgencies: [],
    oidc: null,
  };
  if (!el?.textContent) return fallback;
  return { ...fallback, ...(JSON.parse(el.textContent) as Partial<ConsoleConfig>) };
}

export const config: ConsoleConfig = read();
