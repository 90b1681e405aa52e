import type { JSONWebKeySet } from "jose";
import { AuthenticatedAgent } from "./agent.js";
import { fetchMetadata, type IssuerMetadata } from "./discovery.js";
import {
  DiscoveryError,
  errorFromCode,
  InvalidResponseError,
  IssuerMismatchError,
  JwksError,
  LoginRequiredError,
  NoPendingLoginError,
  OAuthError,
  RefreshError,
  StateMismatchError,
  SubjectMismatchError,
  TokenExpiredError,
  TokenParseError,
} from "./errors.js";
import { expectJson, isTransient, send, type HttpContext } from "./http.js";
import type { IdTokenExpectations } from "./id-token.js";
import { resolveOptions, type AuthPIClientOptions, type ResolvedOptions } from "./options.js";
import { parseOrganizations } from "./organizations.js";
import { PendingLogins } from "./pending-login.js";
import { randomToken, s256 } from "./random.js";
import { sameOriginPath } from "./return-to.js";
import { isSessionRecord, readSessionRecord, type SessionRecord } from "./session-record.js";
import { resolveStorage, SafeStorage } from "./storage.js";
import { digestOf, TabSync, type TabMessage } from "./tab-sync.js";
import { normalizeTokenSet, parseTokenResponse, toTokenSet, type TokenResponse } from "./tokens.js";
import type { IdTokenClaims, TokenSet, UserInfo } from "./types.js";

export type AuthStatus = "loading" | "authenticated" | "unauthenticated" | "error";

/** What the UI renders from. The same object until something changes (for `useSyncExternalStore`). */
export interface AuthSnapshot {
  readonly status: AuthStatus;
  readonly agent: AuthenticatedAgent | null;
  readonly error: OAuthError | null;
}

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

export interface LoginOptions extends AuthorizationOptions {
  /** Same-origin path to land on after login; default: the current location. */
  returnTo?: string;
}

export interface LogoutOptions {
  /** Absolute URL registered as a post-logout redirect URI; default `postLogoutRedirectUri`. */
  returnTo?: string;
  /** Revoke the refresh token at the IdP first (RFC 7009). Default true. */
  revoke?: boolean;
}

export interface LogoutResult {
  /** The IdP confirmed the revocation. Local logout happens either way. */
  revoked: boolean;
  revocationError: OAuthError | null;
}

export interface AgentOptions {
  onRefresh?: (tokens: TokenSet) => void;
  onRefreshError?: (error: OAuthError) => void;
  autoRefresh?: boolean;
}

/** Authorization-response parameters that must leave the address bar (RFC 9700 §4.2.4). */
const CALLBACK_PARAMS = ["code", "state", "iss", "session_state", "error", "error_description", "error_uri"];
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
const MAX_RETRY_DELAY_MS = 60_000;
/** Timers are re-armed at least this often so a clock jump (sleep) is noticed. */
const MAX_TIMER_MS = 30_000;
/** How long a tab waits for the tokens of a refresh another tab already made. */
const ADOPT_TIMEOUT_MS = 3_000;

interface Session {
  agent: AuthenticatedAgent;
  record: SessionRecord;
}

/**
 * The AuthPI client for single-page apps: a public OpenID Connect client
 * (authorization code + PKCE) and an observable session store.
 */
export class AuthPIClient {
  readonly #options: ResolvedOptions;
  readonly #http: HttpContext;
  readonly #storage: SafeStorage;
  readonly #sessionKey: string;
  readonly #pending: PendingLogins;
  readonly #listeners = new Set<() => void>();
  #snapshot: AuthSnapshot;
  #session: Session | null = null;
  /** Bumped whenever the session is replaced or ended: stale async work must not write back. */
  #generation = 0;
  #metadata: Promise<IssuerMetadata> | null = null;
  #keys: Promise<JSONWebKeySet> | null = null;
  #callbacks = new Map<string, Promise<{ agent: AuthenticatedAgent; returnTo: string }>>();
  #callbackOnStart: boolean;
  #refreshing: Promise<AuthenticatedAgent> | null = null;
  /** Digests of refresh tokens this tab has seen replaced, to answer a `sync` from a tab that slept. */
  #retired = new Set<string>();
  #retryAttempt = 0;
  #retryAt: number | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #tabs: TabSync | null = null;
  #started = false;
  #removeListeners: (() => void) | null = null;

  constructor(options: AuthPIClientOptions) {
    this.#options = resolveOptions(options);
    this.#http = { fetch: this.#options.fetch, timeoutMs: this.#options.timeoutMs };
    this.#storage = new SafeStorage(resolveStorage(this.#options.storage ?? "session"));
    this.#sessionKey = `authpi:${this.#options.clientId}:session`;
    this.#pending = new PendingLogins(this.#storage, `authpi:${this.#options.clientId}:logins`, this.#options.now);
    // Restore synchronously (SPEC §5): the first snapshot, and so the first render, already knows the user.
    const record = readSessionRecord(this.#storage, this.#sessionKey, this.#options.issuerUrl, this.#options.clientId);
    const agent = record ? this.#agentFrom(record) : null;
    // A record we cannot build an agent from, or a dead one, is removed: the app starts signed out.
    if (record && agent && (!agent.isExpired(0) || agent.tokens.refreshToken)) this.#session = { agent, record };
    else if (record) this.#storage.remove(this.#sessionKey);
    this.#callbackOnStart = this.isRedirectCallback();
    const status: AuthStatus = this.#callbackOnStart
      ? "loading"
      : this.#session
        ? this.#session.agent.isExpired(0)
          ? "loading"
          : "authenticated"
        : "unauthenticated";
    this.#snapshot = { status, agent: status === "authenticated" ? (this.#session?.agent ?? null) : null, error: null };
  }

  // ---------------------------------------------------------------- store

  getSnapshot = (): AuthSnapshot => this.#snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #publish(status: AuthStatus, error: OAuthError | null = null): void {
    const agent = status === "authenticated" || (status === "error" && this.#session) ? (this.#session?.agent ?? null) : null;
    const current = this.#snapshot;
    if (current.status === status && current.agent === agent && current.error === error) return;
    this.#snapshot = { status, agent, error };
    for (const listener of this.#listeners) listener();
  }

  /** Restores (already done in the constructor), handles a pending callback, starts timers and tab sync. Idempotent. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#tabs = new TabSync(`authpi:${this.#options.clientId}`, (message) => this.#onTabMessage(message));
    this.#removeListeners = this.#listen();
    if (this.#callbackOnStart) {
      this.#callbackOnStart = false;
      await this.handleRedirectCallback().catch(() => undefined);
    }
    // An expired restored session refreshes now, background refresh or not (SPEC §7.5).
    if (this.#session?.agent.isExpired(0) && this.#snapshot.status === "loading") this.#refreshSession().catch(() => undefined);
    else this.#schedule();
  }

  dispose(): void {
    this.#started = false;
    this.#removeListeners?.();
    this.#removeListeners = null;
    this.#tabs?.close();
    this.#tabs = null;
    this.#clearTimer();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #listen(): () => void {
    if (typeof window === "undefined" || typeof document === "undefined") return () => undefined;
    // Timers in hidden tabs are throttled and stop during sleep: judge by the wall clock when the page comes back.
    const wake = () => {
      if (document.visibilityState !== "hidden") this.#schedule();
    };
    const online = () => {
      this.#retryAt = null;
      this.#schedule();
    };
    document.addEventListener("visibilitychange", wake);
    window.addEventListener("focus", wake);
    window.addEventListener("online", online);
    return () => {
      document.removeEventListener("visibilitychange", wake);
      window.removeEventListener("focus", wake);
      window.removeEventListener("online", online);
    };
  }

  // ---------------------------------------------------------------- discovery and keys

  #nowSeconds(): number {
    return this.#options.now() / 1000;
  }

  #getMetadata(): Promise<IssuerMetadata> {
    this.#metadata ??= fetchMetadata(this.#http, this.#options.issuerUrl, this.#options.now()).catch((error: unknown) => {
      this.#metadata = null; // a failed discovery is retried next time
      throw error;
    });
    return this.#metadata;
  }

  async #getKeys(refetch: boolean): Promise<JSONWebKeySet> {
    if (refetch || !this.#keys) {
      this.#keys = this.#getMetadata().then(async ({ jwks_uri }) => {
        try {
          const body = await expectJson(await send(this.#http, jwks_uri, { headers: { accept: "application/json" } }), jwks_uri, {
            now: this.#options.now(),
          });
          if (!Array.isArray(body.keys)) throw new InvalidResponseError("the JWKS has no keys array");
          return body as unknown as JSONWebKeySet;
        } catch (cause) {
          // Fail closed (security case 3): no key set, no verification, no tokens.
          throw new JwksError(`fetching the issuer's keys from ${jwks_uri} failed`, { cause });
        }
      });
      this.#keys.catch(() => (this.#keys = null));
    }
    return this.#keys;
  }

  async #verifyIdToken(idToken: string, expect: Partial<IdTokenExpectations>): Promise<IdTokenClaims> {
    const metadata = await this.#getMetadata();
    const { verifyIdToken } = await import("./id-token.js");
    return verifyIdToken(idToken, (refetch) => this.#getKeys(refetch), {
      issuer: metadata.issuer,
      clientId: this.#options.clientId,
      clockSkewSeconds: this.#options.clockSkewSeconds,
      nowMs: this.#options.now(),
      advertisedAlgorithms: metadata.id_token_signing_alg_values_supported,
      ...expect,
    });
  }

  async #tokenRequest(params: Record<string, string>, refresh: boolean): Promise<TokenResponse> {
    const { token_endpoint } = await this.#getMetadata();
    const response = await send(this.#http, token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ ...params, client_id: this.#options.clientId }),
    });
    return parseTokenResponse(await expectJson(response, token_endpoint, { refresh, now: this.#options.now() }));
  }

  #agentFrom(record: SessionRecord): AuthenticatedAgent | null {
    try {
      return new AuthenticatedAgent(record.tokens, record.claims, this.#options.now);
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------- login

  async createAuthorizationUrl(options: AuthorizationOptions = {}): Promise<AuthorizationUrl> {
    const metadata = await this.#getMetadata();
    const state = options.state ?? randomToken();
    const nonce = options.nonce ?? randomToken();
    const codeVerifier = randomToken();
    const url = new URL(metadata.authorization_endpoint);
    const scopes = options.scopes ?? this.#options.scopes;
    const params: Array<[string, string | undefined]> = [
      ["response_type", "code"],
      ["client_id", this.#options.clientId],
      ["redirect_uri", this.#options.redirectUri],
      ["scope", [...new Set(["openid", ...scopes])].join(" ")],
      ["state", state],
      ["nonce", nonce],
      ["code_challenge", await s256(codeVerifier)],
      ["code_challenge_method", "S256"],
      ["prompt", options.prompt],
      ["max_age", options.maxAge === undefined ? undefined : String(options.maxAge)],
      ["login_hint", options.loginHint],
      ["org", options.org ?? this.#options.org],
    ];
    for (const [name, value] of params) if (value !== undefined) url.searchParams.set(name, value);
    for (const resource of options.resources ?? this.#options.resources) url.searchParams.append("resource", resource);
    for (const [name, value] of Object.entries(options.extraParams ?? {})) {
      if (PROTECTED_PARAMS.has(name)) throw new TypeError(`extraParams may not set "${name}": the SDK owns it`);
      url.searchParams.set(name, value);
    }
    return { url: url.href, codeVerifier, state, nonce };
  }

  /** Stores a single-use pending login and navigates to the IdP. */
  async loginWithRedirect(options: LoginOptions = {}): Promise<void> {
    const location = globalThis.location;
    if (!location) throw new TypeError("loginWithRedirect() needs a browser; use createAuthorizationUrl() elsewhere");
    const { returnTo, ...authOptions } = options;
    const auth = await this.createAuthorizationUrl(authOptions);
    const here = `${location.pathname}${location.search}${location.hash}`;
    this.#pending.add(auth.state, {
      codeVerifier: auth.codeVerifier,
      nonce: auth.nonce,
      returnTo: sameOriginPath(returnTo ?? here, location.origin),
      createdAt: this.#options.now(),
    });
    if (this.#snapshot.status === "error") this.#publish(this.#session ? "authenticated" : "unauthenticated");
    location.assign(auth.url);
  }

  /** The URL is a response to this client's authorization request: its redirect path, a code or error, and a state. */
  isRedirectCallback(url: string | undefined = globalThis.location?.href): boolean {
    if (typeof url !== "string") return false;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    const redirect = new URL(this.#options.redirectUri);
    const params = parsed.searchParams;
    return (
      parsed.origin === redirect.origin &&
      parsed.pathname === redirect.pathname &&
      (params.has("code") || params.has("error")) &&
      params.has("state")
    );
  }

  /**
   * Completes a login on the redirect URI. Safe to call more than once for
   * the same callback (StrictMode, two instances): the code is sent at most once.
   */
  handleRedirectCallback(url?: string): Promise<{ agent: AuthenticatedAgent; returnTo: string }> {
    const href = url ?? globalThis.location?.href;
    if (typeof href !== "string") return Promise.reject(new TypeError("handleRedirectCallback() needs the callback URL"));
    let parsed: URL;
    try {
      parsed = new URL(href);
    } catch {
      return Promise.reject(new TypeError(`not a URL: ${href}`));
    }
    const state = parsed.searchParams.get("state");
    const inFlight = state === null ? undefined : this.#callbacks.get(state);
    if (inFlight) return inFlight;
    const result = this.#completeLogin(parsed);
    if (state !== null) this.#callbacks.set(state, result);
    return result;
  }

  async #completeLogin(url: URL): Promise<{ agent: AuthenticatedAgent; returnTo: string }> {
    // Everything up to the first `await` runs synchronously: the address bar is
    // cleaned and the pending login consumed before any other code can run.
    const params = new URLSearchParams(url.search);
    this.#cleanAddressBar(url);
    const state = params.get("state");
    const login = state === null ? undefined : this.#pending.take(state);
    const generation = this.#generation;
    const previous = this.#snapshot.status;
    if (!this.#session) this.#publish("loading");
    try {
      if (!login) throw state !== null && this.#pending.isEmpty() ? new NoPendingLoginError() : new StateMismatchError();
      const metadata = await this.#getMetadata();
      this.#checkIssuerParam(params.get("iss"), metadata);
      const error = params.get("error");
      if (error !== null) throw errorFromCode(error, params.get("error_description") ?? undefined);
      const code = params.get("code");
      if (!code) throw new InvalidResponseError("the callback has neither a code nor an error");
      const receivedAt = this.#nowSeconds();
      const agent = await this.exchangeCode(code, login.codeVerifier, { nonce: login.nonce });
      if (generation === this.#generation) this.#setSession(agent, receivedAt);
      return { agent, returnTo: sameOriginPath(login.returnTo, url.origin) };
    } catch (error) {
      const oauthError = error instanceof OAuthError ? error : new OAuthError("unexpected_error", String(error), { cause: error });
      // A failed callback leaves an existing session as it was (security case 12).
      if (generation === this.#generation) this.#publish(this.#session && previous !== "loading" ? previous : "error", oauthError);
      throw oauthError;
    }
  }

  /** RFC 9207: `iss` must be the issuer; it must be present when the IdP says it sends it. */
  #checkIssuerParam(iss: string | null, metadata: IssuerMetadata): void {
    if (iss === null ? metadata.authorization_response_iss_parameter_supported === true : iss !== metadata.issuer) {
      throw new IssuerMismatchError(metadata.issuer, iss);
    }
  }

  #cleanAddressBar(url: URL): void {
    const { location, history } = globalThis;
    if (!location || !history || location.href !== url.href) return;
    const clean = new URL(url.href);
    for (const name of CALLBACK_PARAMS) clean.searchParams.delete(name);
    history.replaceState(history.state, "", `${clean.pathname}${clean.search}${clean.hash}`);
  }

  /** Stateless: completes a login whose authorization URL the caller kept. Touches no session. */
  async exchangeCallback(callbackUrl: string, auth: AuthorizationUrl): Promise<AuthenticatedAgent> {
    if (typeof callbackUrl !== "string" || !auth || typeof auth.state !== "string") {
      throw new TypeError("exchangeCallback(callbackUrl, auth) needs the callback URL and the AuthorizationUrl");
    }
    const params = new URL(callbackUrl).searchParams;
    if (params.get("state") !== auth.state) throw new StateMismatchError();
    this.#checkIssuerParam(params.get("iss"), await this.#getMetadata());
    const error = params.get("error");
    if (error !== null) throw errorFromCode(error, params.get("error_description") ?? undefined);
    const code = params.get("code");
    if (!code) throw new InvalidResponseError("the callback has neither a code nor an error");
    return this.exchangeCode(code, auth.codeVerifier, { nonce: auth.nonce });
  }

  /** Stateless: redeems a code (RFC 6749 §4.1.3 with PKCE) and verifies the ID token. Touches no session. */
  async exchangeCode(code: string, codeVerifier: string, options: { nonce?: string } = {}): Promise<AuthenticatedAgent> {
    if (typeof code !== "string" || typeof codeVerifier !== "string") throw new TypeError("exchangeCode(code, codeVerifier) takes two strings");
    const receivedAt = this.#nowSeconds();
    // The keys are needed next: fetch them alongside the token request (a failure surfaces at verification).
    this.#getKeys(false).catch(() => undefined);
    const response = await this.#tokenRequest(
      { grant_type: "authorization_code", code, code_verifier: codeVerifier, redirect_uri: this.#options.redirectUri },
      false,
    );
    // AuthPI requires the ID token; without one there is no verified identity (security case 16).
    if (!response.id_token) throw new TokenParseError("missing_id_token", "the token response has no id_token");
    const claims = await this.#verifyIdToken(response.id_token, { nonce: options.nonce });
    return new AuthenticatedAgent(toTokenSet(response, response.id_token, claims.exp, receivedAt), claims, this.#options.now);
  }

  /** Stateless: an agent from stored tokens (either shape), refreshed first when it has expired. */
  async createAgent(tokens: TokenSet | Record<string, unknown>, options: AgentOptions = {}): Promise<AuthenticatedAgent> {
    const tokenSet = normalizeTokenSet(tokens);
    // The ID token was verified when received; it may have expired since, which is no reason to refuse the set.
    const claims = await this.#verifyIdToken(tokenSet.idToken, { ignoreExpiry: true });
    const agent = new AuthenticatedAgent(tokenSet, claims, this.#options.now);
    if (!(options.autoRefresh ?? this.#options.autoRefresh) || !agent.isExpired(this.#options.refreshBufferSeconds)) return agent;
    try {
      const refreshed = await this.#refreshAgent(agent);
      options.onRefresh?.(refreshed.tokens);
      return refreshed;
    } catch (error) {
      if (error instanceof OAuthError) options.onRefreshError?.(error);
      throw error;
    }
  }

  // ---------------------------------------------------------------- refresh

  /**
   * Refreshes `agent`'s tokens (the session's when omitted, which updates the
   * session). Rotation is mandatory at AuthPI: the new refresh token replaces
   * the old atomically with the access and ID tokens (security case 25).
   */
  refresh(agent?: AuthenticatedAgent): Promise<AuthenticatedAgent> {
    if (agent === undefined || agent === this.#session?.agent) return this.#refreshSession();
    if (!(agent instanceof AuthenticatedAgent)) return Promise.reject(new TypeError("refresh(agent) takes an AuthenticatedAgent"));
    return this.#refreshAgent(agent);
  }

  async #refreshAgent(agent: AuthenticatedAgent): Promise<AuthenticatedAgent> {
    const refreshToken = agent.tokens.refreshToken;
    if (!refreshToken) throw new TokenExpiredError();
    const receivedAt = this.#nowSeconds();
    const response = await this.#tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken }, true);
    let claims = agent.claims as IdTokenClaims;
    if (response.id_token) {
      const fresh = await this.#verifyIdToken(response.id_token, {});
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
    return new AuthenticatedAgent(tokens, claims, this.#options.now);
  }

  #refreshSession(): Promise<AuthenticatedAgent> {
    this.#refreshing ??= this.#runSessionRefresh().finally(() => {
      this.#refreshing = null;
      this.#schedule();
    });
    return this.#refreshing;
  }

  async #runSessionRefresh(): Promise<AuthenticatedAgent> {
    const planned = this.#session;
    if (!planned) throw new LoginRequiredError("not signed in");
    const run = async (): Promise<AuthenticatedAgent> => {
      // Another tab may have refreshed while we waited for the lock: use its tokens.
      this.#adoptFromStorage();
      const current = this.#session;
      if (!current) throw new LoginRequiredError("signed out while refreshing");
      if (current.agent !== planned.agent) return current.agent;
      const generation = this.#generation;
      const refreshToken = current.agent.tokens.refreshToken;
      const digest = refreshToken ? digestOf(refreshToken) : null;
      if (digest && this.#tabs?.isSpent(digest)) return this.#awaitAdoption(current, digest, generation);
      const receivedAt = this.#nowSeconds();
      let agent: AuthenticatedAgent;
      try {
        agent = await this.#refreshAgent(current.agent);
      } catch (error) {
        this.#onRefreshFailure(error, generation);
        throw error;
      }
      if (digest) {
        this.#tabs?.markSpent(digest, this.#options.now());
        this.#retired.add(digest);
      }
      // A logout (here or in another tab) during the request wins: the tokens are dropped (security case 33).
      if (this.#generation !== generation) throw new LoginRequiredError("signed out while refreshing");
      this.#retryAttempt = 0;
      this.#retryAt = null;
      const record = this.#setSession(agent, receivedAt);
      if (digest) this.#tabs?.post({ type: "rotated", from: digest, record });
      this.#options.onRefresh?.(agent.tokens);
      return agent;
    };
    return this.#tabs ? this.#tabs.withLock(run) : run();
  }

  /** Our refresh token was already spent by another tab: wait for its replacement instead of reusing it. */
  async #awaitAdoption(current: Session, digest: string, generation: number): Promise<AuthenticatedAgent> {
    this.#tabs?.post({ type: "sync", from: digest });
    const deadline = this.#options.now() + ADOPT_TIMEOUT_MS;
    while (this.#options.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (!this.#session) throw new LoginRequiredError("signed out while refreshing");
      if (this.#session !== current) return this.#session.agent;
    }
    // Nobody holds the newer tokens any more: sending the spent one would get the grant revoked for every tab.
    const error = new RefreshError("invalid_grant", "this tab's refresh token was already used by another tab");
    this.#onRefreshFailure(error, generation);
    throw error;
  }

  #onRefreshFailure(error: unknown, generation: number): void {
    if (this.#generation !== generation) return;
    if (isTransient(error)) {
      // Keep the session; retry with capped exponential backoff and jitter, or when the server says.
      const backoff = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** this.#retryAttempt) * (0.5 + Math.random() / 2);
      const asked = error instanceof OAuthError && error.retryAfter !== undefined ? error.retryAfter * 1000 : 0;
      this.#retryAttempt += 1;
      this.#retryAt = this.#options.now() + Math.max(backoff, asked);
      // A restored session waiting on its first refresh says why instead of spinning; retries go on.
      if (this.#snapshot.status === "loading" && error instanceof OAuthError) this.#publish("error", error);
      return;
    }
    const oauthError = error instanceof OAuthError ? error : new OAuthError("unexpected_error", String(error), { cause: error });
    this.#endSession(oauthError, false);
    this.#options.onRefreshError?.(oauthError);
  }

  /** With shared storage (`storage: "local"`), another tab's refresh is visible right there. */
  #adoptFromStorage(): void {
    const current = this.#session;
    const record = readSessionRecord(this.#storage, this.#sessionKey, this.#options.issuerUrl, this.#options.clientId);
    if (!current || !record || record.tokens.refreshToken === current.record.tokens.refreshToken) return;
    if (record.claims.sub !== current.record.claims.sub || record.receivedAt < current.record.receivedAt) return;
    const agent = this.#agentFrom(record);
    if (agent) this.#replaceSession(agent, record);
  }

  #onTabMessage(message: TabMessage): void {
    if (message.type === "logout") {
      if (this.#session) this.#endSession(null, false);
      return;
    }
    const current = this.#session;
    if (!current) return;
    if (message.type === "sync") {
      // A tab that missed our rotation asks for the tokens that replaced its own.
      if (this.#retired.has(message.from) && this.#tabs) this.#tabs.post({ type: "rotated", from: message.from, record: current.record });
      return;
    }
    const refreshToken = current.agent.tokens.refreshToken;
    if (!isSessionRecord(message.record) || !refreshToken || digestOf(refreshToken) !== message.from) return;
    const record = message.record;
    if (record.issuer !== this.#options.issuerUrl || record.clientId !== this.#options.clientId || record.claims.sub !== current.agent.id) return;
    const agent = this.#agentFrom(record);
    if (!agent) return;
    this.#retired.add(message.from);
    this.#replaceSession(agent, record);
    this.#storage.set(this.#sessionKey, JSON.stringify(record));
  }

  // ---------------------------------------------------------------- session

  #setSession(agent: AuthenticatedAgent, receivedAt: number): SessionRecord {
    const record: SessionRecord = {
      v: 1,
      issuer: this.#options.issuerUrl,
      clientId: this.#options.clientId,
      tokens: agent.tokens,
      claims: agent.claims,
      receivedAt,
    };
    this.#storage.set(this.#sessionKey, JSON.stringify(record));
    this.#replaceSession(agent, record);
    return record;
  }

  #replaceSession(agent: AuthenticatedAgent, record: SessionRecord): void {
    this.#generation += 1;
    this.#session = { agent, record };
    this.#publish("authenticated");
    this.#schedule();
  }

  #endSession(error: OAuthError | null, broadcast: boolean): void {
    this.#generation += 1;
    this.#session = null;
    this.#retryAt = null;
    this.#retryAttempt = 0;
    this.#clearTimer();
    this.#storage.remove(this.#sessionKey);
    if (broadcast) this.#tabs?.post({ type: "logout" });
    this.#publish("unauthenticated", error);
  }

  /** When the session's refresh is due: `expiresAt − min(buffer, lifetime / 2)` (SPEC §7.5), in ms. */
  #refreshDueAt(session: Session): number {
    const { expiresAt } = session.agent.tokens;
    const lifetime = Math.max(0, expiresAt - session.record.receivedAt);
    return (expiresAt - Math.min(this.#options.refreshBufferSeconds, lifetime / 2)) * 1000;
  }

  /**
   * Judges by the wall clock whether a refresh is due, refreshes if so, else
   * arms a timer. Runs again on wake-up, focus and `online`, because timers in
   * hidden tabs are throttled and do not run during sleep.
   */
  #schedule(): void {
    this.#clearTimer();
    const session = this.#session;
    if (!this.#started || !session || !this.#options.autoRefresh || this.#refreshing) return;
    const delay = (this.#retryAt ?? this.#refreshDueAt(session)) - this.#options.now();
    if (delay <= 0) {
      this.#refreshSession().catch(() => undefined);
      return;
    }
    this.#timer = setTimeout(() => this.#schedule(), Math.min(delay, MAX_TIMER_MS));
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  // ---------------------------------------------------------------- tokens for APIs

  /** A valid access token: refreshed first when it is within the refresh buffer. */
  async getAccessToken(): Promise<string> {
    const session = this.#session;
    if (!session) throw new LoginRequiredError("not signed in");
    if (this.#options.now() < this.#refreshDueAt(session)) return session.agent.tokens.accessToken;
    return (await this.#refreshSession()).tokens.accessToken;
  }

  /**
   * `fetch` that adds `Authorization: Bearer` for the origins in `apiOrigins`
   * and nowhere else (RFC 6750 §2.1, security case 32): never in a query.
   */
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    if (!this.#options.apiOrigins.has(new URL(request.url).origin)) return this.#options.fetch(request);
    const headers = new Headers(request.headers);
    headers.set("authorization", `Bearer ${await this.getAccessToken()}`);
    return this.#options.fetch(new Request(request, { headers }));
  }

  // ---------------------------------------------------------------- user info, logout, revocation

  /** The userinfo claims; their `sub` must be the agent's (OIDC Core §5.3.2, security case 37). */
  async getUserInfo(agent: AuthenticatedAgent | undefined = this.#session?.agent): Promise<UserInfo> {
    if (!agent) throw new LoginRequiredError("not signed in");
    const { userinfo_endpoint } = await this.#getMetadata();
    if (!userinfo_endpoint) throw new DiscoveryError("the issuer has no userinfo_endpoint");
    const accessToken = agent === this.#session?.agent ? await this.getAccessToken() : agent.tokens.accessToken;
    const response = await send(this.#http, userinfo_endpoint, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    });
    const body = await expectJson(response, userinfo_endpoint, { now: this.#options.now() });
    if (typeof body.sub !== "string") throw new InvalidResponseError("the userinfo response has no sub");
    if (body.sub !== agent.id) throw new SubjectMismatchError(agent.id, body.sub);
    return { ...body, sub: body.sub, organizations: parseOrganizations(body.organizations) };
  }

  /** The RP-initiated logout URL (OpenID RP-Initiated Logout 1.0 §2). */
  async createLogoutUrl(options: { idTokenHint?: string; postLogoutRedirectUri?: string; state?: string } = {}): Promise<string> {
    const { end_session_endpoint } = await this.#getMetadata();
    if (!end_session_endpoint) throw new DiscoveryError("the issuer has no end_session_endpoint");
    const url = new URL(end_session_endpoint);
    const idTokenHint = options.idTokenHint ?? this.#session?.agent.tokens.idToken;
    const postLogout = options.postLogoutRedirectUri ?? this.#options.postLogoutRedirectUri;
    if (idTokenHint) url.searchParams.set("id_token_hint", idTokenHint);
    url.searchParams.set("client_id", this.#options.clientId);
    if (postLogout) url.searchParams.set("post_logout_redirect_uri", postLogout);
    if (options.state) url.searchParams.set("state", options.state);
    return url.href;
  }

  /**
   * Signs out: this tab and every other tab at once (local first, so no
   * failure can leave tokens behind), then revokes the refresh token and ends
   * the IdP session by navigating to its end-session endpoint.
   */
  async logout(options: LogoutOptions = {}): Promise<LogoutResult> {
    const session = this.#session;
    const tokens = session?.agent.tokens;
    this.#endSession(null, true);
    this.#pending.clear();
    this.#callbacks.clear();
    let revoked = false;
    let revocationError: OAuthError | null = null;
    if (tokens && options.revoke !== false) {
      try {
        // The refresh token first (RFC 7009 §2.1): revoking it ends the grant and its access tokens.
        if (tokens.refreshToken) await this.revokeToken(tokens.refreshToken, "refresh_token");
        else await this.revokeToken(tokens.accessToken, "access_token");
        revoked = true;
      } catch (error) {
        revocationError = error instanceof OAuthError ? error : new OAuthError("unexpected_error", String(error), { cause: error });
      }
    }
    const location = globalThis.location;
    if (location && tokens) {
      const logoutUrl = await this.createLogoutUrl({
        idTokenHint: tokens.idToken,
        ...(options.returnTo ? { postLogoutRedirectUri: options.returnTo } : {}),
        state: randomToken(),
      }).catch(() => null);
      if (logoutUrl) location.assign(logoutUrl);
    }
    return { revoked, revocationError };
  }

  /** RFC 7009: a 200 is success, even for a token the IdP does not know. */
  async revokeToken(token: string, hint?: "access_token" | "refresh_token"): Promise<void> {
    if (typeof token !== "string" || token === "") throw new TypeError("revokeToken(token) takes a token string");
    const { revocation_endpoint } = await this.#getMetadata();
    if (!revocation_endpoint) throw new DiscoveryError("the issuer has no revocation_endpoint");
    const body = new URLSearchParams({ token, client_id: this.#options.clientId });
    if (hint) body.set("token_type_hint", hint);
    const response = await send(this.#http, revocation_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    if (response.ok) return;
    await expectJson(response, revocation_endpoint, { now: this.#options.now() });
  }
}
