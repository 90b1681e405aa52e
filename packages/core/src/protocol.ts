// The OpenID Connect exchanges with the IdP. Loaded on demand by the client
// (with jose and the response schemas), so a page that restores a stored
// session downloads none of it until it first talks to the IdP.
import { AuthenticatedAgent } from "./agent.js";
import { CALLBACK_PARAMS, singleParams } from "./callback-params.js";
import { DiscoveryError, errorFromCode, OAuthError, InvalidResponseError, IssuerMismatchError, JwksError, StateMismatchError, SubjectMismatchError, TokenExpiredError, TokenParseError } from "./errors.js";
import { expectJson, send, type HttpContext } from "./http.js";
import type { IdTokenExpectations } from "./id-token.js";
import { Issuer } from "./issuer.js";
import type { ResolvedOptions } from "./options.js";
import { parseOrganizations } from "./organizations.js";
import { PendingLogins, type PendingLogin } from "./pending-login.js";
import { randomToken, s256 } from "./random.js";
import { refreshDueAt } from "./refresh-scheduler.js";
import { seal, unseal } from "./sealed-record.js";
import type { SafeStorage } from "./storage.js";
import type { StorageKeys } from "./storage-keys.js";
import { sleep } from "./timers.js";
import { normalizeTokenSet, parseTokenResponse, toTokenSet, type TokenResponse } from "./tokens.js";
import type { IdTokenClaims, TokenSet, UserInfo } from "./types.js";

/** Loaded with this chunk: the login's and the refresh's IdP-facing work needs it anyway. */
export { endSession, revokeOwnLineage } from "./end-session.js";
export { LoginFlow } from "./login-flow.js";
export { TokenRotation } from "./token-rotation.js";

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

export interface AgentOptions {
  onRefresh?: (tokens: TokenSet) => void;
  onRefreshError?: (error: OAuthError) => void;
  autoRefresh?: boolean;
}

/** Parameters the SDK owns; `extraParams` may not override them. */
const PROTECTED_PARAMS = new Set(["response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "max_age"]);
/** A refresh response whose ID token cannot be verified for want of keys is held and verified again after these waits. */
const KEY_RETRY_DELAYS_MS = [1_000, 2_000, 4_000];

/** One client's conversation with its issuer. */
export class Protocol {
  readonly issuer: Issuer;
  /** Logins in flight in this tab; only the protocol half reads or writes them. */
  readonly pending: PendingLogins;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly http: HttpContext,
    storage: SafeStorage,
    keys: StorageKeys,
  ) {
    this.issuer = new Issuer(options, http, storage, keys.issuer);
    this.pending = new PendingLogins(storage, keys.logins, options.now);
  }

  async #tokenRequest(params: Record<string, string>, refresh: boolean): Promise<TokenResponse> {
    const { token_endpoint } = await this.issuer.metadata();
    const sentAt = this.options.now();
    const response = await send(this.http, token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ ...params, client_id: this.options.clientId }),
    });
    // Never cached (RFC 6749 §5.1), so its Date is the IdP's clock now: what ID tokens are judged by.
    this.issuer.clock.observe(response, sentAt);
    return parseTokenResponse(await expectJson(response, token_endpoint, { refresh, now: this.options.now() }));
  }

  async authorizationUrl(options: AuthorizationOptions): Promise<AuthorizationUrl> {
    const metadata = await this.issuer.metadata();
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
   * login: each parameter at most once (RFC 6749 §3.1), RFC 9207 `iss` first
   * (an error with a wrong `iss` is not the IdP's, security case 9), then the
   * IdP's error, else the code exchange.
   */
  async completeCallback(search: URLSearchParams, login: Pick<PendingLogin, "codeVerifier" | "nonce" | "maxAge">): Promise<AuthenticatedAgent> {
    const params = singleParams(search, CALLBACK_PARAMS);
    const metadata = await this.issuer.metadata();
    const { iss, error, code } = params;
    if (iss === null ? metadata.authorization_response_iss_parameter_supported === true : iss !== metadata.issuer) {
      throw new IssuerMismatchError(metadata.issuer, iss);
    }
    if (error !== null) throw errorFromCode(error, params.error_description ?? undefined);
    if (!code) throw new InvalidResponseError("the callback has neither a code nor an error");
    return this.exchangeCode(code, login.codeVerifier, { nonce: login.nonce, maxAge: login.maxAge });
  }

  async exchangeCallback(callbackUrl: string, auth: AuthorizationUrl): Promise<AuthenticatedAgent> {
    if (typeof callbackUrl !== "string" || !auth || typeof auth.state !== "string") {
      throw new TypeError("exchangeCallback(callbackUrl, auth) needs the callback URL and the AuthorizationUrl");
    }
    const search = new URL(callbackUrl).searchParams;
    if (singleParams(search, ["state"]).state !== auth.state) throw new StateMismatchError();
    return this.completeCallback(search, auth);
  }

  /** Redeems a code (RFC 6749 §4.1.3 with PKCE) and verifies the ID token. */
  async exchangeCode(code: string, codeVerifier: string, expect: Pick<IdTokenExpectations, "nonce" | "maxAge">): Promise<AuthenticatedAgent> {
    if (typeof code !== "string" || typeof codeVerifier !== "string") throw new TypeError("exchangeCode(code, codeVerifier) takes two strings");
    const receivedAt = this.options.now() / 1000;
    // The keys are needed next: fetch them alongside the token request (a failure surfaces at verification).
    this.issuer.keys(false).catch(() => undefined);
    const sentAt = this.options.now();
    const response = await this.#tokenRequest(
      { grant_type: "authorization_code", code, code_verifier: codeVerifier, redirect_uri: this.options.redirectUri },
      false,
    );
    // AuthPI requires the ID token; without one there is no verified identity (security case 16).
    if (!response.id_token) throw new TokenParseError("missing_id_token", "the token response has no id_token");
    // Judged at the IdP's time of our request: an answer to it is no replay, and a page frozen while
    // the answer waited must not find the token expired by the time it runs again.
    const claims = await this.issuer.verify(response.id_token, { ...expect, nowMs: this.issuer.clock.idpAt(sentAt) });
    // Without expires_in, the ID token's exp on the device's clock: the IdP's would be minutes off on a skewed device.
    return new AuthenticatedAgent(toTokenSet(response, response.id_token, this.issuer.clock.local(claims.exp), receivedAt), claims, this.options.now);
  }

  /** An agent from stored tokens. The ID token may have expired since it was issued: no reason to refuse the set. */
  async agentFromTokens(input: TokenSet | Record<string, unknown>): Promise<AuthenticatedAgent> {
    const tokens = normalizeTokenSet(input);
    const claims = await this.issuer.verify(tokens.idToken, { ignoreExpiry: true });
    return new AuthenticatedAgent(tokens, claims, this.options.now);
  }

  /** Stateless `createAgent()`: the agent of a stored token set, refreshed first when it is due (its `onRefresh` is called). */
  async createAgent(input: TokenSet | Record<string, unknown>, options: AgentOptions): Promise<AuthenticatedAgent> {
    const agent = await this.agentFromTokens(input);
    // `iat` is the IdP's time and `expiresAt` the device's: on one clock, or a skewed device would refresh on every call.
    const receivedAt = this.issuer.clock.local(agent.claims.iat);
    if (!options.autoRefresh || this.options.now() < refreshDueAt(agent.expiresAt, receivedAt, this.options.refreshBufferSeconds)) return agent;
    try {
      const refreshed = await this.refresh(agent);
      options.onRefresh?.(refreshed.tokens);
      return refreshed;
    } catch (error) {
      if (error instanceof OAuthError) options.onRefreshError?.(error);
      throw error;
    }
  }

  /**
   * Rotation is mandatory at AuthPI: the new refresh token replaces the old
   * atomically with the access and ID tokens (security case 25). `lifetime`
   * (seconds) is the session's, carried forward when the answer states none.
   */
  async refresh(agent: AuthenticatedAgent, lifetime = agent.expiresAt - this.issuer.clock.local(agent.claims.iat)): Promise<AuthenticatedAgent> {
    const refreshToken = agent.tokens.refreshToken;
    if (!refreshToken) throw new TokenExpiredError();
    // Keys before the grant, as for a code: once the request is sent the old refresh token is
    // spent, and a key set we could not fetch then would cost the session.
    await this.issuer.keys(false);
    const receivedAt = this.options.now() / 1000;
    const sentAt = this.options.now();
    const response = await this.#tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken }, true);
    let claims = agent.claims as IdTokenClaims;
    if (response.id_token) {
      const fresh = await this.#verifyHeld(response.id_token, this.issuer.clock.idpAt(sentAt));
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
    // No expires_in and no new ID token: the old ID token's exp may be long past, which would make
    // every refresh due at once (a refresh storm). The session's lifetime is carried forward instead.
    const fallbackExpiresAt = response.id_token ? this.issuer.clock.local(claims.exp) : Math.floor(receivedAt + Math.max(1, lifetime));
    const tokens = toTokenSet(response, response.id_token ?? agent.tokens.idToken, fallbackExpiresAt, receivedAt, agent.tokens);
    return new AuthenticatedAgent(tokens, claims, this.options.now);
  }

  /** Verifies an ID token of a response we hold (its refresh token is already spent): a key-set failure is retried, not fatal. */
  async #verifyHeld(idToken: string, nowMs: number): Promise<IdTokenClaims> {
    for (const delay of KEY_RETRY_DELAYS_MS) {
      try {
        return await this.issuer.verify(idToken, { nowMs });
      } catch (error) {
        if (!(error instanceof JwksError)) throw error;
        await sleep(delay);
      }
    }
    return this.issuer.verify(idToken, { nowMs });
  }

  /** The userinfo claims; their `sub` must be the agent's (OIDC Core §5.3.2, security case 37). */
  async userInfo(agent: AuthenticatedAgent, accessToken: string): Promise<UserInfo> {
    const { userinfo_endpoint } = await this.issuer.metadata();
    if (!userinfo_endpoint) throw new DiscoveryError("the issuer has no userinfo_endpoint");
    // The token goes in the header only, never in a query (RFC 6750 §2.1, security case 32).
    const response = await send(this.http, userinfo_endpoint, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    });
    const body = await expectJson(response, userinfo_endpoint, { now: this.options.now() });
    if (typeof body.sub !== "string") throw new InvalidResponseError("the userinfo response has no sub");
    if (body.sub !== agent.id) throw new SubjectMismatchError(agent.id, body.sub);
    const organizations = parseOrganizations(body.organizations);
    // A response, not an ID token: a malformed claim here is the response's fault.
    if (!organizations) throw new InvalidResponseError("the userinfo response's organizations claim is malformed");
    return { ...body, sub: body.sub, organizations };
  }

  /** Tab handoff sealing lives here, in the on-demand chunk: only tabs that refresh need it. */
  readonly seal = seal;
  readonly unseal = unseal;

  /** The RP-initiated logout URL (OpenID RP-Initiated Logout 1.0 §2). */
  async logoutUrl(options: { idTokenHint?: string | undefined; postLogoutRedirectUri?: string | undefined; state?: string | undefined }): Promise<string> {
    const { end_session_endpoint } = await this.issuer.metadata();
    if (!end_session_endpoint) throw new DiscoveryError("the issuer has no end_session_endpoint");
    const url = new URL(end_session_endpoint);
    const postLogout = options.postLogoutRedirectUri ?? this.options.postLogoutRedirectUri;
    if (options.idTokenHint) url.searchParams.set("id_token_hint", options.idTokenHint);
    url.searchParams.set("client_id", this.options.clientId);
    if (postLogout) url.searchParams.set("post_logout_redirect_uri", postLogout);
    if (options.state) url.searchParams.set("state", options.state);
    return url.href;
  }

  /** Revokes a session's grant: the refresh token first (RFC 7009 §2.1), which ends it with its access tokens, else the access token. */
  revokeTokens({ refreshToken, accessToken }: TokenSet): Promise<void> {
    return this.revoke(refreshToken ?? accessToken, refreshToken ? "refresh_token" : "access_token");
  }

  /** RFC 7009: a 200 is success, even for a token the IdP does not know. */
  async revoke(token: string, hint?: "access_token" | "refresh_token"): Promise<void> {
    if (typeof token !== "string" || token === "") throw new TypeError("revokeToken(token) takes a token string");
    const { revocation_endpoint } = await this.issuer.metadata();
    if (!revocation_endpoint) throw new DiscoveryError("the issuer has no revocation_endpoint");
    const body = new URLSearchParams({ token, client_id: this.options.clientId });
    if (hint) body.set("token_type_hint", hint);
    const response = await send(this.http, revocation_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    if (!response.ok) await expectJson(response, revocation_endpoint, { now: this.options.now() });
    // Read to the end (the request's timeout bounds it): a logout navigates right after, and an
    // unread body shows up as a cancelled request.
    else await response.text().catch(() => undefined);
  }
}
