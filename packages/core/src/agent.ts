import { TokenParseError } from "./errors.js";
import { parseOrganizations } from "./organizations.js";
import { ScopeSet } from "./scope.js";
import type { IdTokenClaims, Organization, TokenSet } from "./types.js";

/** What kind of principal a subject is, read from its prefix (`usr_`, `ptk_`/`tok_`, `key_`, `agt_`). */
export const PrincipalType = {
  USER: "user",
  PERSONAL_TOKEN: "personal_token",
  API_KEY: "api_key",
  AGENT: "agent",
} as const;
export type PrincipalType = (typeof PrincipalType)[keyof typeof PrincipalType];

const prefixes: ReadonlyArray<readonly [string, PrincipalType]> = [
  ["usr_", PrincipalType.USER],
  ["ptk_", PrincipalType.PERSONAL_TOKEN],
  ["tok_", PrincipalType.PERSONAL_TOKEN],
  ["key_", PrincipalType.API_KEY],
  ["agt_", PrincipalType.AGENT],
];

/** The principal type of a subject; an unknown prefix is refused, never guessed. */
export function principalTypeOf(sub: string): PrincipalType {
  for (const [prefix, type] of prefixes) if (sub.startsWith(prefix) && sub.length > prefix.length) return type;
  throw new TokenParseError("invalid_id_token", `unknown subject prefix in "${sub}"`, { reason: "sub" });
}

const noScopes: readonly string[] = Object.freeze([]);

interface Membership {
  readonly org: Organization;
  readonly scopes: ScopeSet;
  readonly roles: ReadonlySet<string>;
}

/**
 * A signed-in principal: who it is, its tokens and what it may do.
 * Immutable: a refresh yields a new agent. Scopes are compiled once here, so
 * the checks on every render cost a few lookups.
 */
export class AuthenticatedAgent {
  readonly id: string;
  readonly type: PrincipalType;
  readonly email: string | null;
  readonly emailVerified: boolean | null;
  readonly tokens: TokenSet;
  readonly organizations: readonly Organization[];
  readonly claims: Readonly<IdTokenClaims>;
  readonly #now: () => number;
  readonly #memberships = new Map<string, Membership>();
  /** Every organization's scopes and the token-level ones: `hasAccess` is true when ANY grants. */
  readonly #anywhere: ScopeSet;

  constructor(tokens: TokenSet, claims: IdTokenClaims, now: () => number = Date.now) {
    if (typeof claims.sub !== "string" || claims.sub === "") {
      throw new TokenParseError("invalid_id_token", "the ID token has no subject", { reason: "sub" });
    }
    this.id = claims.sub;
    this.type = principalTypeOf(claims.sub);
    this.email = typeof claims.email === "string" ? claims.email : null;
    this.emailVerified = typeof claims.email_verified === "boolean" ? claims.email_verified : null;
    this.tokens = Object.freeze({ ...tokens });
    this.claims = Object.freeze({ ...claims });
    const organizations = parseOrganizations(claims.organizations);
    if (!organizations) throw new TokenParseError("invalid_id_token", "the organizations claim is malformed", { reason: "claims" });
    this.organizations = organizations;
    this.#now = now;
    for (const org of this.organizations) {
      this.#memberships.set(org.id, { org, scopes: new ScopeSet(org.scopes), roles: new Set(org.scopes) });
    }
    const tokenScopes = tokens.scope.split(" ");
    this.#anywhere = new ScopeSet(this.organizations.flatMap((org) => org.scopes).concat(tokenScopes));
  }

  /** Access-token expiry, unix seconds. */
  get expiresAt(): number {
    return this.tokens.expiresAt;
  }

  /** Seconds until the access token expires; negative once it has. */
  get expiresIn(): number {
    return Math.floor(this.tokens.expiresAt - this.#now() / 1000);
  }

  /** True when the access token expires within `bufferSeconds` (0: only once actually expired). */
  isExpired(bufferSeconds = 30): boolean {
    return this.#now() / 1000 >= this.tokens.expiresAt - bufferSeconds;
  }

  /** True when any organization, or the token-level scope, grants `action` on `resource`. */
  hasAccess(action: string, resource: string): boolean {
    return this.#anywhere.has(action, resource);
  }

  hasAccessIn(orgId: string, action: string, resource: string): boolean {
    return this.#memberships.get(orgId)?.scopes.has(action, resource) ?? false;
  }

  /** That organization's scopes, `[]` when not a member. */
  getScopesFor(orgId: string): readonly string[] {
    return this.#memberships.get(orgId)?.org.scopes ?? noScopes;
  }

  // Role scopes are explicit assignments: only exact membership counts, no
  // wildcard grants one, and `owner` does not imply `admin`.
  isOwnerOf(orgId: string): boolean {
    return this.#memberships.get(orgId)?.roles.has("owner") ?? false;
  }

  isAdminOf(orgId: string): boolean {
    return this.#memberships.get(orgId)?.roles.has("admin") ?? false;
  }

  /** Any membership, even one with no scopes. */
  isMemberOf(orgId: string): boolean {
    return this.#memberships.has(orgId);
  }
}
