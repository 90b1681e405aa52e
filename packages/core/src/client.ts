import { AuthenticatedAgent } from "./agent.js";
import { isTransient, LoginRequiredError, NetworkError, NoPendingLoginError, OAuthError, RefreshError, StateMismatchError } from "./errors.js";
import type { HttpContext } from "./http.js";
import { isSecureUrl, resolveOptions, type AuthPIClientOptions, type ResolvedOptions } from "./options.js";
import { randomToken } from "./random.js";
import type { AuthorizationOptions, AuthorizationUrl, Protocol } from "./protocol.js";
import { isSessionRecord, readSessionRecord, type SessionRecord } from "./session-record.js";
import { resolveStorage, SafeStorage } from "./storage.js";
import { digestOf, TabSync, type TabMessage } from "./tab-sync.js";
import type { TokenSet, UserInfo } from "./types.js";

export type { AuthorizationOptions, AuthorizationUrl } from "./protocol.js";

export type AuthStatus = "loading" | "authenticated" | "unauthenticated" | "error";

/** What the UI renders from. The same object until something changes (for `useSyncExternalStore`). */
export interface AuthSnapshot {
  readonly status: AuthStatus;
  readonly agent: AuthenticatedAgent | null;
  readonly error: OAuthError | null;
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

const signedOut = (description = "not signed in") => new LoginRequiredError(description);

/** Authorization-response parameters that must leave the address bar (RFC 9700 §4.2.4). */
const CALLBACK_PARAMS = ["code", "state", "iss", "session_state", "error", "error_description", "error_uri"];
const MAX_RETRY_DELAY_MS = 60_000;
/** Timers are re-armed at least this often so a clock jump (sleep) is noticed. */
const MAX_TIMER_MS = 30_000;
/** How long a tab waits for the tokens of a refresh another tab already made. */
const ADOPT_TIMEOUT_MS = 3_000;
/** Replaced refresh tokens a tab remembers, to answer tabs that missed a rotation. */
const MAX_RETIRED = 32;

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
  readonly #logoutKey: string;
  readonly #pendingKey: string;
  readonly #issuerKey: string;
  readonly #listeners = new Set<() => void>();
  #snapshot: AuthSnapshot;
  #session: Session | null = null;
  /** Bumped whenever the session is replaced or ended: stale async work must not write back. */
  #generation = 0;
  #protocolModule: Promise<Protocol> | null = null;
  #callbacks = new Map<string, Promise<{ agent: AuthenticatedAgent; returnTo: string }>>();
  #callbackOnStart: boolean;
  #refreshing: Promise<AuthenticatedAgent> | null = null;
  /** Refresh tokens this tab has seen replaced, by digest, to answer a `sync` from a tab that slept. */
  #retired = new Map<string, string>();
  #retryAttempt = 0;
  #retryAt: number | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #tabs: TabSync | null = null;
  #started = false;
  #removeListeners: (() => void) | null = null;
  /** The user logged out while this page was open. */
  #loggedOut = false;
  /** logout() is revoking and navigating to the end-session endpoint. */
  #leaving = false;

  constructor(options: AuthPIClientOptions) {
    this.#options = resolveOptions(options);
    this.#http = { fetch: this.#options.fetch, timeoutMs: this.#options.timeoutMs };
    this.#storage = new SafeStorage(resolveStorage(this.#options.storage));
    this.#sessionKey = `authpi:${this.#options.clientId}:session`;
    this.#logoutKey = `authpi:${this.#options.clientId}:logout`;
    this.#pendingKey = `authpi:${this.#options.clientId}:logins`;
    this.#issuerKey = `authpi:${this.#options.clientId}:issuer`;
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
    this.#tabs = new TabSync(`authpi:${this.#options.clientId}`, (message) => this.#onTabMessage(message).catch(() => undefined));
    this.#removeListeners = this.#listen();
    this.#finishLogoutReturn();
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

  /**
   * The protocol half, loaded on first use: a restored session needs none of it
   * until it refreshes. A failed load (offline) is a NetworkError, retried like
   * any other, never a reason to end the session.
   */
  #protocol(): Promise<Protocol> {
    this.#protocolModule ??= import("./protocol.js").then(
      ({ Protocol }) => new Protocol(this.#options, this.#http, this.#storage, { pending: this.#pendingKey, issuer: this.#issuerKey }),
      (cause: unknown) => {
        this.#protocolModule = null;
        throw new NetworkError("loading the SDK's protocol code failed", { cause });
      },
    );
    return this.#protocolModule;
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
    return (await this.#protocol()).authorizationUrl(options);
  }

  /** Stores a single-use pending login and navigates to the IdP. */
  async loginWithRedirect(options: LoginOptions = {}): Promise<void> {
    const location = globalThis.location;
    if (!location) throw new TypeError("loginWithRedirect() needs a browser; use createAuthorizationUrl() elsewhere");
    // This tab is on its way to the IdP's end-session page: a login started now (a guard that saw the
    // session end) would race that navigation and leave a stray pending login behind.
    if (this.#leaving) return;
    const { returnTo, ...authOptions } = options;
    // After a logout in this tab or another, the IdP's session may still be alive (its end-session
    // page is not confirmed yet): ask for the credentials again, never sign back in silently (case 33).
    if (this.#loggedOut) authOptions.prompt ??= "login";
    const protocol = await this.#protocol();
    const auth = await protocol.authorizationUrl(authOptions);
    const here = `${location.pathname}${location.search}${location.hash}`;
    protocol.pending.add(
      auth.state,
      { codeVerifier: auth.codeVerifier, nonce: auth.nonce, returnTo: returnTo ?? here, createdAt: this.#options.now() },
      location.origin,
    );
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
    // Whoever handles the callback first, start() must not handle it again from the cleaned URL.
    this.#callbackOnStart = false;
    const state = parsed.searchParams.get("state");
    const inFlight = state === null ? undefined : this.#callbacks.get(state);
    if (inFlight) return inFlight;
    const result = this.#completeLogin(parsed);
    if (state !== null) this.#callbacks.set(state, result);
    return result;
  }

  async #completeLogin(url: URL): Promise<{ agent: AuthenticatedAgent; returnTo: string }> {
    // The address bar is cleaned synchronously, before the app renders again
    // (RFC 9700 §4.2.4); the pending login is consumed before the code is sent.
    const params = new URLSearchParams(url.search);
    this.#cleanAddressBar(url);
    const state = params.get("state");
    const generation = this.#generation;
    if (!this.#session) this.#publish("loading");
    try {
      const { pending } = await this.#protocol();
      // Consumed before the token request: a replayed or concurrent callback finds nothing (case 10).
      const login = state === null ? undefined : pending.take(state, url.origin);
      if (!login) throw state !== null && pending.isEmpty() ? new NoPendingLoginError() : new StateMismatchError();
      const receivedAt = this.#nowSeconds();
      const agent = await (await this.#protocol()).completeCallback(params, login);
      if (generation === this.#generation) this.#setSession(agent, receivedAt);
      return { agent, returnTo: login.returnTo };
    } catch (error) {
      const oauthError = error instanceof OAuthError ? error : new OAuthError("unexpected_error", String(error), { cause: error });
      // A failed callback leaves an existing session as it was (security case 12).
      if (generation === this.#generation) this.#publish(this.#session ? "authenticated" : "error", oauthError);
      throw oauthError;
    }
  }

  #cleanAddressBar(url: URL, names = CALLBACK_PARAMS): void {
    const { location, history } = globalThis;
    if (!location || !history || location.href !== url.href) return;
    const clean = new URL(url.href);
    for (const name of names) clean.searchParams.delete(name);
    history.replaceState(history.state, "", `${clean.pathname}${clean.search}${clean.hash}`);
  }

  /** Back from the IdP's end-session endpoint with our logout's state: drop it from the address bar. */
  #finishLogoutReturn(): void {
    const expected = this.#storage.get(this.#logoutKey);
    const href = globalThis.location?.href;
    if (!expected || !href) return;
    this.#storage.remove(this.#logoutKey);
    const url = new URL(href);
    if (url.searchParams.get("state") === expected) this.#cleanAddressBar(url, ["state"]);
  }

  /** Stateless: completes a login whose authorization URL the caller kept. Touches no session. */
  async exchangeCallback(callbackUrl: string, auth: AuthorizationUrl): Promise<AuthenticatedAgent> {
    if (typeof callbackUrl !== "string" || !auth || typeof auth.state !== "string") {
      throw new TypeError("exchangeCallback(callbackUrl, auth) needs the callback URL and the AuthorizationUrl");
    }
    return (await this.#protocol()).exchangeCallback(callbackUrl, auth);
  }

  /** Stateless: redeems a code (RFC 6749 §4.1.3 with PKCE) and verifies the ID token. Touches no session. */
  async exchangeCode(code: string, codeVerifier: string, options: { nonce?: string } = {}): Promise<AuthenticatedAgent> {
    if (typeof code !== "string" || typeof codeVerifier !== "string") throw new TypeError("exchangeCode(code, codeVerifier) takes two strings");
    return (await this.#protocol()).exchangeCode(code, codeVerifier, options.nonce);
  }

  /** Stateless: an agent from stored tokens (either shape), refreshed first when it has expired. */
  async createAgent(tokens: TokenSet | Record<string, unknown>, options: AgentOptions = {}): Promise<AuthenticatedAgent> {
    const agent = await (await this.#protocol()).agentFromTokens(tokens);
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
    return (await this.#protocol()).refresh(agent);
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
    if (!planned) throw signedOut();
    const run = async (): Promise<AuthenticatedAgent> => {
      // Another tab may have refreshed while we waited for the lock: use its tokens.
      this.#adoptFromStorage();
      const current = this.#session;
      if (!current) throw signedOut("signed out while refreshing");
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
      if (digest && refreshToken) {
        this.#tabs?.markSpent(digest, this.#options.now());
        this.#retire(digest, refreshToken);
      }
      // A logout (here or in another tab) during the request wins: the tokens are dropped (security case 33).
      if (this.#generation !== generation) throw signedOut("signed out while refreshing");
      this.#retryAttempt = 0;
      this.#retryAt = null;
      const record = this.#setSession(agent, receivedAt);
      this.#options.onRefresh?.(agent.tokens);
      // Tabs that hold the spent token wait for this (sealing is async; the lock need not wait).
      if (digest && refreshToken) this.#handOff(digest, refreshToken, record).catch(() => undefined);
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
      if (!this.#session) throw signedOut("signed out while refreshing");
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

  /** Remembers a replaced refresh token, the latest few only: a tab asleep longer than that signs in again. */
  #retire(digest: string, refreshToken: string): void {
    this.#retired.set(digest, refreshToken);
    for (const oldest of this.#retired.keys()) {
      if (this.#retired.size <= MAX_RETIRED) break;
      this.#retired.delete(oldest);
    }
  }

  /** Tells the tabs that held `refreshToken` what replaced it, sealed so only they can read it. */
  async #handOff(digest: string, refreshToken: string, record: SessionRecord): Promise<void> {
    const sealed = await (await this.#protocol()).seal(record, refreshToken);
    this.#tabs?.post({ type: "rotated", from: digest, sealed });
  }

  async #onTabMessage(message: TabMessage): Promise<void> {
    if (message.type === "logout") {
      this.#loggedOut = true;
      if (this.#session) this.#endSession(null, false);
      this.#forgetAll();
      return;
    }
    const current = this.#session;
    if (!current) return;
    if (message.type === "sync") {
      // A tab that missed our rotation asks for the tokens that replaced its own.
      const retired = this.#retired.get(message.from);
      if (retired) await this.#handOff(message.from, retired, current.record).catch(() => undefined);
      return;
    }
    const refreshToken = current.agent.tokens.refreshToken;
    if (!refreshToken || digestOf(refreshToken) !== message.from) return;
    const record = await (await this.#protocol()).unseal(message.sealed, refreshToken);
    if (this.#session !== current || !isSessionRecord(record)) return;
    if (record.issuer !== this.#options.issuerUrl || record.clientId !== this.#options.clientId || record.claims.sub !== current.agent.id) return;
    const agent = this.#agentFrom(record);
    if (!agent) return;
    this.#retire(message.from, refreshToken);
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

  /** After a logout, here or in another tab, no SDK key is left (security case 34). */
  #forgetAll(): void {
    this.#storage.remove(this.#pendingKey);
    this.#storage.remove(this.#issuerKey);
    this.#callbacks.clear();
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
    if (!session) throw signedOut();
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
    if (!agent) throw signedOut();
    const accessToken = agent === this.#session?.agent ? await this.getAccessToken() : agent.tokens.accessToken;
    return (await this.#protocol()).userInfo(agent, accessToken);
  }

  /** The RP-initiated logout URL; `idTokenHint` defaults to the session's ID token. */
  async createLogoutUrl(options: { idTokenHint?: string; postLogoutRedirectUri?: string; state?: string } = {}): Promise<string> {
    return (await this.#protocol()).logoutUrl({ ...options, idTokenHint: options.idTokenHint ?? this.#session?.agent.tokens.idToken });
  }

  /**
   * Signs out: this tab and every other tab at once (local first, so no
   * failure can leave tokens behind), then revokes the refresh token and ends
   * the IdP session by navigating to its end-session endpoint.
   */
  async logout(options: LogoutOptions = {}): Promise<LogoutResult> {
    // Checked before anything is cleared: a path here would land the user on an IdP error page.
    if (options.returnTo !== undefined && !isSecureUrl(options.returnTo)) {
      throw new TypeError(`logout({ returnTo }) takes the absolute post-logout redirect URI registered at the IdP, got ${JSON.stringify(options.returnTo)}`);
    }
    const session = this.#session;
    const tokens = session?.agent.tokens;
    this.#loggedOut = true;
    this.#leaving = true;
    this.#endSession(null, true);
    this.#tabs?.clearLedger();
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
      // A fresh state (RP-Initiated Logout §2) that comes back on the return; start() removes it from
      // the address bar then. Nothing else is done with returned parameters (security case 36).
      const state = randomToken();
      const logoutUrl = await this.createLogoutUrl({
        idTokenHint: tokens.idToken,
        ...(options.returnTo ? { postLogoutRedirectUri: options.returnTo } : {}),
        state,
      }).catch(() => null);
      if (logoutUrl) {
        this.#forgetAll();
        this.#storage.set(this.#logoutKey, state);
        location.assign(logoutUrl);
        return { revoked, revocationError };
      }
    }
    // Last, since revocation and the logout URL may have fetched (and cached) discovery.
    this.#forgetAll();
    this.#leaving = false;
    return { revoked, revocationError };
  }

  /** RFC 7009: a 200 is success, even for a token the IdP does not know. */
  async revokeToken(token: string, hint?: "access_token" | "refresh_token"): Promise<void> {
    if (typeof token !== "string" || token === "") throw new TypeError("revokeToken(token) takes a token string");
    return (await this.#protocol()).revoke(token, hint);
  }

}
