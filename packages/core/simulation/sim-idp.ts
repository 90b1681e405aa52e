// An IdP that behaves like oidc-provider for a public client (see /work/shared/OIDC-PROVIDER-NOTES.md):
// PKCE code flow on the user's IdP session, `prompt=none` → `login_required` without one, codes
// single-use (a second exchange → invalid_grant and the grant revoked), rotating refresh tokens
// (a spent one presented again → invalid_grant AND the whole grant revoked), an absolute refresh
// lifetime carried across rotations, RFC 7009 revocation (any token of a grant ends the grant),
// RP-initiated logout ending the IdP session (not the grants), `org` restriction. ID tokens are
// unsigned JWTs: the simulation's verifyIdToken checks their claims, not a signature.
import { createHash } from "node:crypto";

export const ISSUER = "https://idp.test/i_sim";
export const CLIENT_ID = "cli_sim";
export const APP = "https://app.test";
export const REDIRECT_URI = `${APP}/callback`;

export interface IdpConfig {
  /** Access-token lifetime, s. */
  accessTtl: number;
  /** Send `expires_in`; without it the client reads the ID token's `exp` (the same lifetime here). */
  sendExpiresIn: boolean;
  idTokenTtl: number;
  /** Absolute refresh-token lifetime from the login, s (oidc-provider keeps the remaining lifetime on rotation). */
  refreshTtl: number;
}

export interface User {
  sub: string;
  orgs: string[];
}
export const USERS: Record<string, User> = {
  alice: { sub: "usr_alice", orgs: ["org_a", "org_b"] },
  bob: { sub: "usr_bob", orgs: ["org_b"] },
};

export interface Grant {
  id: string;
  user: User;
  org: string | undefined;
  /** When the authorization request that started this lineage reached the IdP. */
  lineageStart: number;
  createdAt: number;
  expiresAt: number;
  revoked: { at: number; reason: "reuse" | "revoked" | "code-reuse" } | null;
  rotations: number;
  /** Successful refreshes at the token endpoint. */
  refreshes: number;
  latestRefreshToken: string;
}

export interface RefreshToken {
  token: string;
  grant: Grant;
  issuedAt: number;
  /** The request that spent it (rotated it), if any. */
  spentBy: IdpRequest | null;
  /** The rotation this token came from (0: the code exchange). */
  generation: number;
}

export interface AccessToken {
  token: string;
  grant: Grant;
  issuedAt: number;
  expiresAt: number;
}

/** A request to the IdP's token or revocation endpoint, and what became of its answer. */
export interface IdpRequest {
  id: number;
  sentAt: number;
  page: string;
  tab: number;
  path: string;
  grantType: string | null;
  refreshToken: string | null;
  /** When the IdP processed it (`null`: it never got there, a fault on the way). */
  processedAt: number | null;
  outcome: string;
  issued: { refreshToken: RefreshToken; accessToken: AccessToken } | null;
  /** `delivered` to a live page, or lost: the page was gone, the network lost it, the client timed out. */
  fate: "pending" | "delivered" | "lost-page" | "lost-network" | "lost-timeout";
  deliveredAt: number | null;
  /** The page that sent it (its state tells whether anyone could still receive the answer). */
  pageRef: { state: string; label: string; goneAt: number | null };
}

interface Code {
  user: User;
  redirectUri: string;
  challenge: string;
  nonce: string;
  org: string | undefined;
  authTime: number;
  lineageStart: number;
  issuedAt: number;
  grant: Grant | null;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export class SimIdp {
  readonly grants: Grant[] = [];
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly #codes = new Map<string, Code>();
  /** The user's IdP session (one browser, one cookie jar). */
  session: { user: User; authTime: number } | null = null;
  #counter = 0;

  constructor(
    readonly config: IdpConfig,
    private readonly now: () => number,
  ) {}

  #id(prefix: string): string {
    this.#counter += 1;
    return `${prefix}${this.#counter}`;
  }

  discovery(): HttpAnswer {
    return this.#json(200, {
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/auth`,
      token_endpoint: `${ISSUER}/token`,
      jwks_uri: `${ISSUER}/jwks`,
      userinfo_endpoint: `${ISSUER}/me`,
      revocation_endpoint: `${ISSUER}/revoke`,
      end_session_endpoint: `${ISSUER}/logout`,
      id_token_signing_alg_values_supported: ["ES256"],
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
    });
  }

  jwks(): HttpAnswer {
    return this.#json(200, { keys: [] });
  }

  /** `/auth`: the redirect back with a code or an error, or `login` when the user must sign in first. */
  authorize(url: URL): { redirect: string } | { login: true } {
    const p = url.searchParams;
    const back = (params: Record<string, string>) => {
      const target = new URL(p.get("redirect_uri") ?? REDIRECT_URI);
      for (const [name, value] of Object.entries({ ...params, state: p.get("state") ?? "", iss: ISSUER })) target.searchParams.set(name, value);
      return { redirect: target.href };
    };
    if (p.get("client_id") !== CLIENT_ID || p.get("redirect_uri") !== REDIRECT_URI) throw new Error(`sim IdP: bad authorization request ${url.href}`);
    const prompt = p.get("prompt");
    if (!this.session || prompt === "login") {
      if (prompt === "none") return back({ error: "login_required" });
      return { login: true };
    }
    const org = p.get("org") ?? undefined;
    const user = this.session.user;
    if (org !== undefined && !user.orgs.includes(org)) return back({ error: "access_denied", error_description: "not a member" });
    const code = this.#id("code-");
    this.#codes.set(code, {
      user,
      redirectUri: p.get("redirect_uri") ?? "",
      challenge: p.get("code_challenge") ?? "",
      nonce: p.get("nonce") ?? "",
      org,
      authTime: this.session.authTime,
      lineageStart: this.now(),
      issuedAt: this.now(),
      grant: null,
    });
    return back({ code });
  }

  /** The user signed in at the IdP (after `authorize` asked for it). */
  signIn(user: User): void {
    this.session = { user, authTime: Math.floor(this.now() / 1000) };
  }

  /** RP-initiated logout: the IdP session ends; grants live on until revoked (oidc-provider with refresh tokens outside `offline_access` may differ). */
  endSession(): void {
    this.session = null;
  }

  /** POST /token. */
  token(params: URLSearchParams, request: IdpRequest): HttpAnswer {
    const refused = (outcome: string, description: string) => {
      request.outcome = outcome;
      return this.#json(400, { error: "invalid_grant", error_description: description });
    };
    if (params.get("client_id") !== CLIENT_ID) return this.#json(401, { error: "invalid_client" });
    const type = params.get("grant_type");
    if (type === "authorization_code") {
      const code = this.#codes.get(params.get("code") ?? "");
      if (!code || this.now() - code.issuedAt > 60_000) return refused("code-unknown", "grant request is invalid");
      if (code.grant) {
        // oidc-provider: a code used twice revokes what its first exchange issued.
        this.#revoke(code.grant, "code-reuse");
        return refused("code-reuse", "grant request is invalid");
      }
      const challenge = createHash("sha256").update(params.get("code_verifier") ?? "").digest("base64url");
      if (challenge !== code.challenge || params.get("redirect_uri") !== code.redirectUri) return refused("code-pkce", "grant request is invalid");
      const grant: Grant = {
        id: this.#id("g"),
        user: code.user,
        org: code.org,
        lineageStart: code.lineageStart,
        createdAt: this.now(),
        expiresAt: this.now() + this.config.refreshTtl * 1000,
        revoked: null,
        rotations: 0,
        refreshes: 0,
        latestRefreshToken: "",
      };
      code.grant = grant;
      this.grants.push(grant);
      request.outcome = `code → ${grant.id} (${code.user.sub})`;
      return this.#issue(grant, request, code.nonce, code.authTime, 0);
    }
    if (type === "refresh_token") {
      const presented = this.refreshTokens.get(params.get("refresh_token") ?? "");
      if (!presented) return refused("rt-unknown", "grant request is invalid");
      const grant = presented.grant;
      if (grant.revoked) return refused(`rt-of-revoked-grant(${grant.revoked.reason})`, "grant request is invalid");
      if (presented.spentBy) {
        // Reuse detection (RFC 9700 §4.14.2): the whole grant dies, the newest tokens with it.
        this.#revoke(grant, "reuse");
        return refused("REUSE", "grant request is invalid");
      }
      if (this.now() >= grant.expiresAt) return refused("rt-expired", "grant request is invalid");
      presented.spentBy = request;
      grant.refreshes += 1;
      request.outcome = `rotated ${presented.token} (${grant.id})`;
      return this.#issue(grant, request, undefined, undefined, presented.generation + 1);
    }
    return this.#json(400, { error: "unsupported_grant_type" });
  }

  /** POST /revoke (RFC 7009): any token of a grant revokes the grant; unknown tokens are a 200 too. */
  revoke(params: URLSearchParams, request: IdpRequest): HttpAnswer {
    const token = params.get("token") ?? "";
    const grant = this.refreshTokens.get(token)?.grant ?? this.accessTokens.get(token)?.grant;
    if (grant && !grant.revoked) this.#revoke(grant, "revoked");
    request.outcome = grant ? `revoked ${grant.id}` : "revoke: unknown token";
    return { status: 200, headers: this.#headers("text/plain"), body: "" };
  }

  #revoke(grant: Grant, reason: "reuse" | "revoked" | "code-reuse"): void {
    grant.revoked ??= { at: this.now(), reason };
  }

  #issue(grant: Grant, request: IdpRequest, nonce: string | undefined, authTime: number | undefined, generation: number): HttpAnswer {
    const now = this.now();
    grant.rotations = generation;
    const refreshToken: RefreshToken = { token: this.#id("rt-"), grant, issuedAt: now, spentBy: null, generation };
    const lifetime = this.config.sendExpiresIn ? this.config.accessTtl : this.config.idTokenTtl;
    const accessToken: AccessToken = { token: this.#id("at-"), grant, issuedAt: now, expiresAt: now + lifetime * 1000 };
    this.refreshTokens.set(refreshToken.token, refreshToken);
    this.accessTokens.set(accessToken.token, accessToken);
    grant.latestRefreshToken = refreshToken.token;
    request.issued = { refreshToken, accessToken };
    const iat = Math.floor(now / 1000);
    const organizations = grant.user.orgs
      .filter((org) => grant.org === undefined || org === grant.org)
      .map((id) => ({ id, title: id.toUpperCase(), scopes: ["projects:read"], joined_at: 1_700_000_000 }));
    const payload = { iss: ISSUER, aud: CLIENT_ID, sub: grant.user.sub, iat, exp: iat + this.config.idTokenTtl, organizations, ...(nonce ? { nonce } : {}), ...(authTime ? { auth_time: authTime } : {}) };
    const idToken = `${b64url(JSON.stringify({ alg: "ES256", kid: "sim", typ: "JWT" }))}.${b64url(JSON.stringify(payload))}.c2lt`;
    return this.#json(200, {
      access_token: accessToken.token,
      token_type: "Bearer",
      ...(this.config.sendExpiresIn ? { expires_in: this.config.accessTtl } : {}),
      refresh_token: refreshToken.token,
      id_token: idToken,
      scope: "openid profile email",
    });
  }

  #headers(type: string): Record<string, string> {
    return { "content-type": type, date: new Date(this.now()).toUTCString(), "cache-control": "no-store" };
  }

  #json(status: number, body: unknown): HttpAnswer {
    return { status, headers: this.#headers("application/json"), body: JSON.stringify(body) };
  }

  /** The grant a token (refresh or access) belongs to. */
  grantOf(token: string | undefined): Grant | undefined {
    if (!token) return undefined;
    return this.refreshTokens.get(token)?.grant ?? this.accessTokens.get(token)?.grant;
  }
}

/** The payload of an ID token the sim IdP issued (or any compact JWT), unverified. */
export function jwtPayload(token: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
