import type { SigningAlg } from "./keys.js";
import { type DevIdpUser, parseUsers, seededUsers } from "./users.js";

export interface DevIdpOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default "/i_dev": AuthPI issuers are path-based. */
  issuerPath?: string;
  /** Default "cli_dev_demo". */
  clientId?: string;
  /** What the login and logout pages call the client ("Sign in to NAME"). Default "AuthPI dev client". */
  clientName?: string;
  /** Exact redirect URIs of the SPA client; their origins are the only ones granted CORS. Default: the demo's. */
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  /** Seconds, default 300. Short lifetimes make refresh testable. */
  accessTokenTtl?: number;
  /** Seconds, default 300. */
  idTokenTtl?: number;
  /** Default "ES256". */
  signingAlg?: SigningAlg;
  /** Default: {@link seededUsers}. */
  users?: DevIdpUser[];
  /** No log lines at all (by default sign-ins and failed requests are logged). */
  quiet?: boolean;
}

export type ResolvedOptions = Required<DevIdpOptions>;

const ALGS: readonly SigningAlg[] = ["RS256", "ES256", "EdDSA"];

/** Applies the defaults and rejects caller mistakes at once, naming the option. */
export function resolveOptions(options: DevIdpOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: options.port ?? 0,
    issuerPath: options.issuerPath ?? "/i_dev",
    clientId: options.clientId ?? "cli_dev_demo",
    clientName: options.clientName ?? "AuthPI dev client",
    redirectUris: options.redirectUris ?? ["http://127.0.0.1:5173/callback"],
    postLogoutRedirectUris: options.postLogoutRedirectUris ?? ["http://127.0.0.1:5173/"],
    accessTokenTtl: options.accessTokenTtl ?? 300,
    idTokenTtl: options.idTokenTtl ?? 300,
    signingAlg: options.signingAlg ?? "ES256",
    // Own copies: blocking a user must not change the caller's objects (or the seeded list).
    users: parseUsers(structuredClone(options.users ?? seededUsers)),
    quiet: options.quiet ?? false,
  };
  const { port, issuerPath, clientId, clientName, accessTokenTtl, idTokenTtl, signingAlg } = resolved;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`port: expected 0–65535, got ${port}`);
  if (!/^(\/[\w.~-]+)+$/.test(issuerPath)) {
    throw new TypeError(`issuerPath: expected a path like "/i_dev" (no trailing slash), got ${JSON.stringify(issuerPath)}`);
  }
  if (clientId === "") throw new TypeError("clientId: expected a non-empty string");
  if (typeof clientName !== "string" || clientName.trim() === "") throw new TypeError("clientName: expected a non-empty string");
  for (const [name, ttl] of [["accessTokenTtl", accessTokenTtl], ["idTokenTtl", idTokenTtl]] as const) {
    if (!Number.isInteger(ttl) || ttl < 1) throw new TypeError(`${name}: expected whole seconds ≥ 1, got ${ttl}`);
  }
  if (!ALGS.includes(signingAlg)) throw new TypeError(`signingAlg: expected one of ${ALGS.join(", ")}, got ${signingAlg}`);
  checkUris("redirectUris", resolved.redirectUris, true);
  checkUris("postLogoutRedirectUris", resolved.postLogoutRedirectUris, false);
  return resolved;
}

function checkUris(name: string, uris: string[], required: boolean): void {
  if (!Array.isArray(uris) || (required && uris.length === 0)) throw new TypeError(`${name}: expected an array of URLs`);
  for (const uri of uris) {
    if (!URL.canParse(uri) || !/^https?:$/.test(new URL(uri).protocol)) {
      throw new TypeError(`${name}: expected absolute http(s) URLs, got ${JSON.stringify(uri)}`);
    }
  }
}
