// The OpenID Connect exchanges with the IdP. Loaded on demand by the client
// (with jose and the response schemas), so a page that restores a stored
// session downloads none of it until it first talks to the IdP.
import type { JSONWebKeySet } from "jose";
import { AuthenticatedAgent } from "./agent.js";
import * as z from "zod/mini";
import { fetchMetadata, parseMetadata, type IssuerMetadata } from "./discovery.js";
import {
  DiscoveryError,
  errorFromCode,
  InvalidResponseError,
  IssuerMismatchError,
  JwksError,
  StateMismatchError,
  SubjectMismatchError,
  TokenExpiredError,
  TokenParseError,
} from "./errors.js";
import { expectJson, send, type HttpContext } from "./http.js";
import { verifyIdToken, type IdTokenExpectations } from "./id-token.js";
import type { ResolvedOptions } from "./options.js";
import { parseOrganizations } from "./organizations.js";
import { PendingLogins } from "./pending-login.js";
import { randomToken, s256 } from "./random.js";
import { seal, unseal } from "./sealed-record.js";
import type { SafeStorage } from "./storage.js";
import { normalizeTokenSet, parseTokenResponse, toTokenSet, type TokenResponse } from "./tokens.js";
import type { IdTokenClaims, TokenSet, UserInfo } from "./types.js";

export interface AuthorizationUrl {
  url: string;
  codeVerifier: string;
  state: string;
  nonce: string;
}

export interface AuthorizationOptions {
  scopes?: readonly string[];
  state?: string;
  nonce?: string;
  org?: string;
  prompt?: "none" | "login" | "consent" | "select_account";
  maxAge?: number;
  loginHint?: string;
  resources?: readonly string[];
  extraParams?: Record<string, string>;
}

/** Parameters the SDK owns; `extraParams` may not override them. */
const PROTECTED_PARAMS = new Set([
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
]);

/** Public issuer data this tab keeps across reloads: no secrets, re-validated on read. */
interface IssuerCache {
  metadata: unknown;
  keys?: JSONWebKeySet;
  savedAt: number;
}

const issuerCacheSchema = z.object({
  metadata: z.unknown(),
  keys: z.optional(z.object({ keys: z.array(z.record(z.string(), z.unknown())) })),
  savedAt: z.number(),
});
const CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** One client's conversation with its issuer: discovery and keys fetched once, then reused. */
export class Protocol {
  #metadata: Promise<IssuerMetadata> | null = null;
  #keys: Promise<JSONWebKeySet> | null = null;

  /** Logins in flight in this tab; only the protocol half reads or writes them. */
  readonly pending: PendingLogins;

  readonly #cacheKey: string;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly http: HttpContext,
    private readonly storage: SafeStorage,
    keys: { pending: string; issuer: string },
  ) {
    this.pending = new PendingLogins(storage, keys.pending, options.now);
    this.#cacheKey = keys.issuer;
  }

  /**
   * Discovery, once per client. A reloaded page reuses what this tab fetched
   * within the last day, so a restored session's first refresh is one request,
   * not three; the copy is validated like a fresh answer.
   */
  metadata(): Promise<IssuerMetadata> {
    this.#metadata ??= this.#fromCache((cached) => parseMetadata(cached.metadata, this.options.issuerUrl, "the cache"))
      .catch(() =>
        fetchMetadata(this.http, this.options.issuerUrl, this.options.now()).then((metadata) => {
          this.#saveCache({ metadata, savedAt: this.options.now() });
          return metadata;
        }),
      )
      .catch((error: unknown) => {
        this.#metadata = null; // a failed discovery is retried next time
        throw error;
      });
    return this.#metadata;
  }

  /** The issuer's keys; `refetch` after an unknown `kid` (key rotation) skips every cache. */
  #getKeys(refetch: boolean): Promise<JSONWebKeySet> {
    if (refetch || !this.#keys) {
      const cached = refetch ? Promise.reject(new Error("refetch")) : this.#fromCache((entry) => entry.keys as JSONWebKeySet | undefined);
      this.#keys = cached.catch(() => this.#fetchKeys());
      this.#keys.catch(() => (this.#keys = null));
    }
    return this.#keys;
  }

  async #fetchKeys(): Promise<JSONWebKeySet> {
    const { jwks_uri } = await this.metadata();
    let keys: JSONWebKeySet;
    try {
      const body = await expectJson(await send(this.http, jwks_uri, { headers: { accept: "application/json" } }), jwks_uri, { now: this.options.now() });
      if (!Array.isArray(body.keys)) throw new InvalidResponseError("the JWKS has no keys array");
      keys = body as unknown as JSONWebKeySet;
    } catch (cause) {
      // Fail closed (security case 3): no key set, no verification, no tokens.
      throw new JwksError(`fetching the issuer's keys from ${jwks_uri} failed`, { cause });
    }
    this.#saveCache({ metadata: await this.metadata(), keys, savedAt: this.options.now() });
    return keys;
  }

  #readCache(): IssuerCache | undefined {
    const parsed = issuerCacheSchema.safeParse(this.storage.getJson(this.#cacheKey));
    return parsed.success && this.options.now() - parsed.data.savedAt < CACHE_MAX_AGE_MS ? (parsed.data as IssuerCache) : undefined;
  }

  /** A cached value, or a rejection when there is none (or it does not validate). */
  async #fromCache<T>(pick: (cache: IssuerCache) => T | undefined): Promise<T> {
    const cache = this.#readCache();
    const value = cache && pick(cache);
    if (value === undefined) throw new Error("not cached");
    return value;
  }

  #saveCache(cache: IssuerCache): void {
    this.storage.set(this.#cacheKey, JSON.stringify(cache));
  }

  async #verify(idToken: string, expect: Partial<IdTokenExpectations>): Promise<IdTokenClaims> {
    const metadata = await this.metadata();
    return verifyIdToken(idToken, (refetch) => this.#getKeys(refetch), {
      issuer: metadata.issuer,
      clientId: this.options.clientId,
      clockSkewSeconds: this.options.clockSkewSeconds,
      nowMs: this.options.now(),
      advertisedAlgorithms: metadata.id_token_signing_alg_values_supported,
      ...expect,
    });
  }

  async #tokenRequest(params: Record<string, string>, refresh: boolean): Promise<TokenResponse> {
    const { token_endpoint } = await this.metadata();
    const response = await send(this.http, token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ ...params, client_id: this.options.clientId }),
    });
    return parseTokenResponse(await expectJson(response, token_endpoint, { refresh, now: this.options.now() }));
  }

  async authorizationUrl(options: AuthorizationOptions): Promise<AuthorizationUrl> {
    const metadata = await this.metadata();
    const state = options.state ?? randomToken();
    const nonce = options.nonce ?? randomToken();
    const codeVerifier = randomToken();
    const url = new URL(metadata.authorization_endpoint);
    const scopes = options.scopes ?? this.options.scopes;
    const params: Array<[string, string | undefined]> = [
      ["response_type", "code"],
      ["client_id", this.options.clientId],
      ["redirect_uri", this.options.redirectUri],
      ["scope", [...new Set(["openid", ...scopes])].join(" ")],
      ["state", state],
      ["nonce", nonce],
      ["code_challenge", await s256(codeVerifier)],
      ["code_challenge_method", "S256"],
      ["prompt", options.prompt],
      ["max_age", options.maxAge === undefined ? undefined : String(options.maxAge)],
      ["login_hint", options.loginHint],
      ["org", options.org ?? this.options.org],
    ];
    for (const [name, value] of params) if (value !== undefined) url.searchParams.set(name, value);
    for (const resource of options.resources ?? this.options.resources) url.searchParams.append("resource", resource);
    for (const [name, value] of Object.entries(options.extraParams ?? {})) {
      if (PROTECTED_PARAMS.has(name)) throw new TypeError(`extraParams may not set "${name}": the SDK owns it`);
      url.searchParams.set(name, value);
    }
    return { url: url.href, codeVerifier, state, nonce };
  }

  /**
   * The authorization response whose `state` the caller already matched to a
   * login: RFC 9207 `iss` first (an error with a wrong `iss` is not the IdP's,
   * security case 9), then the IdP's error, else the code exchange.
   */
  async completeCallback(params: URLSearchParams, login: { codeVerifier: string; nonce: string }): Promise<AuthenticatedAgent> {
    const metadata = await this.metadata();
    const iss = params.get("iss");
    if (iss === null ? metadata.authorization_response_iss_parameter_supported === true : iss !== metadata.issuer) {
      throw new IssuerMismatchError(metadata.issuer, iss);
    }
    const error = params.get("error");
    if (error !== null) throw errorFromCode(error, params.get("error_description") ?? undefined);
    const code = params.get("code");
    if (!code) throw new InvalidResponseError("the callback has neither a code nor an error");
    return this.exchangeCode(code, login.codeVerifier, login.nonce);
  }

  async exchangeCallback(callbackUrl: string, auth: AuthorizationUrl): Promise<AuthenticatedAgent> {
    const params = new URL(callbackUrl).searchParams;
    if (params.get("state") !== auth.state) throw new StateMismatchError();
    return this.completeCallback(params, auth);
  }

  /** Redeems a code (RFC 6749 §4.1.3 with PKCE) and verifies the ID token. */
  async exchangeCode(code: string, codeVerifier: string, nonce: string | undefined): Promise<AuthenticatedAgent> {
    const receivedAt = this.options.now() / 1000;
    // The keys are needed next: fetch them alongside the token request (a failure surfaces at verification).
    this.#getKeys(false).catch(() => undefined);
    const response = await this.#tokenRequest(
      { grant_type: "authorization_code", code, code_verifier: codeVerifier, redirect_uri: this.options.redirectUri },
      false,
    );
    // AuthPI requires the ID token; without one there is no verified identity (security case 16).
    if (!response.id_token) throw new TokenParseError("missing_id_token", "the token response has no id_token");
    const claims = await this.#verify(response.id_token, { nonce });
    return new AuthenticatedAgent(toTokenSet(response, response.id_token, claims.exp, receivedAt), claims, this.options.now);
  }

  /** An agent from stored tokens. The ID token may have expired since it was issued: no reason to refuse the set. */
  async agentFromTokens(input: TokenSet | Record<string, unknown>): Promise<AuthenticatedAgent> {
    const tokens = normalizeTokenSet(input);
    const claims = await this.#verify(tokens.idToken, { ignoreExpiry: true });
    return new AuthenticatedAgent(tokens, claims, this.options.now);
  }

  /**
   * Rotation is mandatory at AuthPI: the new refresh token replaces the old
   * atomically with the access and ID tokens (security case 25).
   */
  async refresh(agent: AuthenticatedAgent): Promise<AuthenticatedAgent> {
    const refreshToken = agent.tokens.refreshToken;
    if (!refreshToken) throw new TokenExpiredError();
    const receivedAt = this.options.now() / 1000;
    const response = await this.#tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken }, true);
    let claims = agent.claims as IdTokenClaims;
    if (response.id_token) {
      const fresh = await this.#verify(response.id_token, {});
      // OIDC Core §12.2: the same subject, and no nonce or auth_time from another login (security case 28).
      if (fresh.sub !== claims.sub) throw new SubjectMismatchError(claims.sub, fresh.sub);
      if (fresh.nonce !== undefined && fresh.nonce !== claims.nonce) {
        throw new TokenParseError("invalid_id_token", "the refreshed ID token carries another login's nonce", { reason: "nonce" });
      }
      if (fresh.auth_time !== undefined && claims.auth_time !== undefined && fresh.auth_time !== claims.auth_time) {
        throw new TokenParseError("invalid_id_token", "the refreshed ID token comes from another authentication", { reason: "claims" });
      }
      claims = fresh;
    }
    const tokens = toTokenSet(response, response.id_token ?? agent.tokens.idToken, claims.exp, receivedAt, agent.tokens);
    return new AuthenticatedAgent(tokens, claims, this.options.now);
  }

  /** The userinfo claims; their `sub` must be the agent's (OIDC Core §5.3.2, security case 37). */
  async userInfo(agent: AuthenticatedAgent, accessToken: string): Promise<UserInfo> {
    const { userinfo_endpoint } = await this.metadata();
    if (!userinfo_endpoint) throw new DiscoveryError("the issuer has no userinfo_endpoint");
    // The token goes in the header only, never in a query (RFC 6750 §2.1, security case 32).
    const response = await send(this.http, userinfo_endpoint, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    });
    const body = await expectJson(response, userinfo_endpoint, { now: this.options.now() });
    if (typeof body.sub !== "string") throw new InvalidResponseError("the userinfo response has no sub");
    if (body.sub !== agent.id) throw new SubjectMismatchError(agent.id, body.sub);
    return { ...body, sub: body.sub, organizations: parseOrganizations(body.organizations) };
  }

  /** Tab handoff sealing lives here, in the on-demand chunk: only tabs that refresh need it. */
  readonly seal = seal;
  readonly unseal = unseal;

  /** The RP-initiated logout URL (OpenID RP-Initiated Logout 1.0 §2). */
  async logoutUrl(options: { idTokenHint?: string | undefined; postLogoutRedirectUri?: string | undefined; state?: string | undefined }): Promise<string> {
    const { end_session_endpoint } = await this.metadata();
    if (!end_session_endpoint) throw new DiscoveryError("the issuer has no end_session_endpoint");
    const url = new URL(end_session_endpoint);
    const postLogout = options.postLogoutRedirectUri ?? this.options.postLogoutRedirectUri;
    if (options.idTokenHint) url.searchParams.set("id_token_hint", options.idTokenHint);
    url.searchParams.set("client_id", this.options.clientId);
    if (postLogout) url.searchParams.set("post_logout_redirect_uri", postLogout);
    if (options.state) url.searchParams.set("state", options.state);
    return url.href;
  }

  /** RFC 7009: a 200 is success, even for a token the IdP does not know. */
  async revoke(token: string, hint?: "access_token" | "refresh_token"): Promise<void> {
    const { revocation_endpoint } = await this.metadata();
    if (!revocation_endpoint) throw new DiscoveryError("the issuer has no revocation_endpoint");
    const body = new URLSearchParams({ token, client_id: this.options.clientId });
    if (hint) body.set("token_type_hint", hint);
    const response = await send(this.http, revocation_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    if (!response.ok) await expectJson(response, revocation_endpoint, { now: this.options.now() });
  }
}
