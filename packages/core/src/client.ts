import { ActiveOrgChoice, chooseActiveOrg } from "./active-org.js";
import { AuthenticatedAgent } from "./agent.js";
import { isTransient, NetworkError, signedOut } from "./errors.js";
import { EventBus, type AuthPIEventListener, type AuthPIEvents } from "./events.js";
import type { HttpContext } from "./http.js";
import { resolveOptions, type AuthPIClientOptions, type ResolvedOptions } from "./options.js";
import type { AgentOptions, AuthorizationOptions, AuthorizationUrl, Protocol } from "./protocol.js";
import type { LoginFlow } from "./login-flow.js";
import type { TokenRotation } from "./token-rotation.js";
import { isRedirectCallback, RedirectLogin, type CallbackResult, type LoginOptions, type SignedOutReturn } from "./redirect-login.js";
import { RefreshScheduler, sessionDueAt } from "./refresh-scheduler.js";
import { restoreSession } from "./session-record.js";
import { SessionHint } from "./session-hint.js";
import { SessionRefresh } from "./session-refresh.js";
import { SessionStore, type AuthSnapshot } from "./session-store.js";
import { forgetAll, signOut, type LogoutOptions, type LogoutResult, type SignOutParts } from "./sign-out.js";
import { ledgerStorage, resolveStorage, SafeStorage } from "./storage.js";
import { storageKeys, type StorageKeys } from "./storage-keys.js";
import { digestOf, TabCoordinator, type TabMessage } from "./tab-coordinator.js";
import type { TokenSet, UserInfo } from "./types.js";

export type { AuthorizationOptions, AuthorizationUrl } from "./protocol.js";
export type { CallbackResult, LoginOptions, SignedOutReturn } from "./redirect-login.js";
export type { AuthSnapshot, AuthStatus } from "./session-store.js";
export type { LogoutOptions, LogoutResult } from "./sign-out.js";

export type { AgentOptions } from "./protocol.js";

/** What the protocol chunk gives this client once loaded. */
interface ProtocolChunk {
  protocol: Protocol;
  rotation: TokenRotation;
  login: LoginFlow;
  endSession: SignOutParts["endSession"];
  revokeOwnLineage: (tokens: TokenSet) => Promise<void>;
}

/**
 * The AuthPI client for single-page apps: a public OpenID Connect client
 * (authorization code + PKCE) and an observable session store. This class
 * only wires the parts, each in its own file: the session store, the refresh
 * scheduler, the session refresh, the tab coordinator, the redirect login and
 * sign-out; the protocol half is loaded on first use.
 */
export class AuthPIClient {
  readonly #options: ResolvedOptions;
  readonly #http: HttpContext;
  readonly #storage: SafeStorage;
  readonly #keys: StorageKeys;
  readonly #store: SessionStore;
  readonly #tabs: TabCoordinator;
  readonly #scheduler: RefreshScheduler;
  readonly #refresh: SessionRefresh;
  readonly #login: RedirectLogin;
  readonly #events = new EventBus();
  #protocolChunk: Promise<ProtocolChunk> | null = null;
  #started = false;
  #mounts = 0;
  /** The page was loaded on a redirect callback that nobody has handled yet. */
  #callbackOnStart: boolean;
  /** A brand-new tab of a browser with a session: start() restores it from the IdP (session-hint.ts). */
  #restoreOnStart: boolean;
  readonly #hint: SessionHint;
  /** That callback or restoration, while start() completes it. */
  #startCallback: Promise<CallbackResult | SignedOutReturn | null> | null = null;

  constructor(options: AuthPIClientOptions) {
    const resolved = (this.#options = resolveOptions(options));
    this.#http = { fetch: resolved.fetch, timeoutMs: resolved.timeoutMs };
    const storage = resolveStorage(resolved.storage);
    this.#storage = new SafeStorage(storage);
    const keys = (this.#keys = storageKeys(resolved.clientId));
    const shared = new SafeStorage(ledgerStorage(resolved.storage, storage));
    const tabs = (this.#tabs = new TabCoordinator(keys, shared, resolved.now));
    const hint = (this.#hint = new SessionHint(shared, this.#storage, keys, resolved.now));
    const session = restoreSession(this.#storage, keys.session, resolved, tabs.epoch());
    const href = globalThis.location?.href;
    this.#callbackOnStart = isRedirectCallback(href, resolved.redirectUri);
    this.#restoreOnStart = !session && !this.#callbackOnStart && href !== undefined && resolved.restoreSession && hint.worthTrying(tabs.epoch());
    const status = this.#callbackOnStart || this.#restoreOnStart || session?.agent.isExpired(0) ? "loading" : session ? "authenticated" : "unauthenticated";
    this.#store = new SessionStore(this.#storage, keys.session, resolved, new ActiveOrgChoice(this.#storage, keys.activeOrg), tabs.epoch, hint, session, status);
    this.#store.onLogoutNoticed = () => this.#signedOutElsewhere();
    this.#login = new RedirectLogin(this.#store, this.#storage, keys, () => this.#loadProtocol().then((chunk) => chunk.login));
    this.#scheduler = new RefreshScheduler(
      resolved.now,
      () => {
        // The re-armed timer, too, finds a logout another tab made (the broadcast may never come).
        this.#store.noticeLogout();
        const current = this.#store.session;
        if (!current || !resolved.autoRefresh || this.#refresh.inFlight || this.#store.callbackInFlight) return null;
        return sessionDueAt(current.record, resolved.refreshBufferSeconds);
      },
      () => void this.#refresh.run().catch(() => undefined),
      this.#events,
    );
    const parts = { options: resolved, storage: this.#storage, keys, store: this.#store, tabs: this.#tabs, scheduler: () => this.#scheduler, events: this.#events };
    this.#refresh = new SessionRefresh({ ...parts, rotation: () => this.#loadProtocol().then((chunk) => chunk.rotation) });
    // The restoration's redirect needs the protocol chunk (discovery, PKCE): fetch it now, not at start().
    if (this.#restoreOnStart) this.#loadProtocol().catch(() => undefined);
    this.#store.subscribe(() => this.#scheduler.plan());
  }

  // ---------------------------------------------------------------- store

  getSnapshot = (): AuthSnapshot => this.#store.getSnapshot();

  subscribe = (listener: () => void): (() => void) => this.#store.subscribe(listener);

  /** Observe the client at work (`refresh`, `schedule`, `tab`): for devtools and logging. Returns the unsubscribe. */
  on<K extends keyof AuthPIEvents>(type: K, listener: AuthPIEventListener<K>): () => void {
    return this.#events.on(type, listener);
  }

  /** Resolves once the status is no longer `loading` (restore, callback, first refresh settled); starts the client if need be. */
  ready = (): Promise<AuthSnapshot> => {
    void this.#start();
    return this.#store.settled();
  };

  /**
   * Restores (already done in the constructor), handles a pending callback,
   * starts timers and tab sync. Idempotent. Resolves to the result of the
   * callback the page was loaded on, while it is being completed: the agent and
   * the path to return to, or `agent: null` and that path after a new tab's
   * silent restoration found no session; else `null`. In a brand-new tab of a
   * browser that has a session, it leaves for the IdP (`prompt=none`) instead.
   */
  start(): Promise<CallbackResult | SignedOutReturn | null> {
    return this.#start();
  }

  #start(): Promise<CallbackResult | SignedOutReturn | null> {
    if (!this.#started) {
      this.#started = true;
      this.#tabs.open((message) => void this.#onTabMessage(message).catch(() => undefined));
      // Built before a logout in another tab, started after it: the logout wins.
      this.#store.noticeLogout();
      this.#login.finishLogoutReturn();
      if (this.#callbackOnStart) {
        this.#callbackOnStart = false;
        this.#startCallback = this.handleRedirectCallback().catch(() => this.#login.flow().then((flow) => flow.signedOutReturn, () => null));
        void this.#startCallback.finally(() => (this.#startCallback = null));
      }
      if (this.#restoreOnStart) {
        this.#restoreOnStart = false;
        this.#hint.attempted();
        const { pathname, search, hash } = globalThis.location;
        this.#login.restore(`${pathname}${search}${hash}`).catch(() => undefined);
      }
      // A tab that was away (back-forward cache, frozen) may have missed a logout broadcast: the epoch tells.
      this.#scheduler.start(() => this.#store.noticeLogout());
      // An expired restored session refreshes now, background refresh or not.
      if (this.#store.getSnapshot().status === "loading" && this.#store.session?.agent.isExpired(0)) this.#refresh.run().catch(() => undefined);
    }
    return this.#startCallback ?? Promise.resolve(null);
  }

  dispose(): void {
    this.#started = false;
    this.#tabs.close();
    this.#scheduler.stop();
  }

  [Symbol.dispose] = (): void => this.dispose();

  /** For owners that share one client (two providers): the first mount starts it, the last unmount disposes it. */
  mount(): () => void {
    this.#mounts += 1;
    void this.#start();
    let mounted = true;
    return () => {
      if (!mounted) return;
      mounted = false;
      this.#mounts -= 1;
      if (this.#mounts === 0) this.dispose();
    };
  }

  async #onTabMessage(message: TabMessage): Promise<void> {
    if (message.type === "logout") {
      this.#events.emit("tab", { kind: "logout-received", at: this.#options.now(), durationMs: 0 });
      this.#signedOutElsewhere();
    }
    else await this.#refresh.onTabMessage(message);
  }

  /**
   * Another tab logged out (its message, or the logout epoch when the message never came). A
   * session of another lineage than the one it revoked (`spare`, `"*"`: none was) is revoked here:
   * a login that completed here as the other tab logged out must not outlive "sign out everywhere".
   */
  #signedOutElsewhere(): void {
    const spare = this.#tabs.epoch().split(".")[1];
    const tokens = this.#store.session?.agent.tokens;
    if (tokens && spare !== "*" && digestOf(tokens.refreshToken ?? tokens.accessToken) !== spare) this.#loadProtocol().then((chunk) => chunk.revokeOwnLineage(tokens), () => undefined);
    this.#login.loggedOut();
    this.#tabs.forget();
    this.#scheduler.reset();
    if (this.#store.session) this.#store.signedOut();
    forgetAll(this.#storage, this.#keys);
  }

  /**
   * The protocol half, loaded on first use: a restored session needs none of it
   * until it refreshes. A failed load (offline) is a NetworkError, retried like
   * any other, never a reason to end the session.
   */
  #protocol(): Promise<Protocol> {
    return this.#loadProtocol().then((chunk) => chunk.protocol);
  }

  #loadProtocol(): Promise<ProtocolChunk> {
    this.#protocolChunk ??= import("./protocol.js").then(
      ({ Protocol, TokenRotation, LoginFlow, endSession, revokeOwnLineage }) => {
        const protocol = new Protocol(this.#options, this.#http, this.#storage, this.#keys);
        const parts = this.#refresh.parts;
        const leaving = { protocol, storage: this.#storage, keys: this.#keys, refreshSettled: () => this.#refresh.settled() };
        return {
          protocol,
          rotation: new TokenRotation(parts, protocol),
          login: new LoginFlow(parts, protocol),
          endSession: (tokens: TokenSet, options: LogoutOptions, leave: (navigating: boolean) => void) => endSession(leaving, tokens, options, leave),
          revokeOwnLineage: (tokens: TokenSet) => revokeOwnLineage(leaving, tokens),
        };
      },
      (cause: unknown) => {
        this.#protocolChunk = null;
        throw new NetworkError("loading the SDK's protocol code failed", { cause });
      },
    );
    return this.#protocolChunk;
  }

  // ---------------------------------------------------------------- login

  async createAuthorizationUrl(options: AuthorizationOptions = {}): Promise<AuthorizationUrl> {
    return (await this.#protocol()).authorizationUrl(options);
  }

  /** Stores a single-use pending login and navigates to the IdP; a call while one is being prepared joins it. */
  loginWithRedirect(options: LoginOptions = {}): Promise<void> {
    return this.#login.loginWithRedirect(options);
  }

  /** The URL is a response to this client's authorization request: its redirect path, a code or error, and a state. */
  isRedirectCallback(url: string | undefined = globalThis.location?.href): boolean {
    return isRedirectCallback(url, this.#options.redirectUri);
  }

  /** Completes a login on the redirect URI; the code is sent at most once however often it is called. */
  handleRedirectCallback(url?: string): Promise<CallbackResult> {
    const href = url ?? globalThis.location?.href;
    if (typeof href !== "string") return Promise.reject(new TypeError("handleRedirectCallback() needs the callback URL"));
    // Whoever handles the callback first, start() must not handle it again from the cleaned URL.
    this.#callbackOnStart = false;
    const result = this.#login.handleRedirectCallback(href);
    // Refreshes waited for the callback: the session it leaves gets its schedule now.
    void result.catch(() => undefined).then(() => this.#scheduler.plan());
    return result;
  }

  /** Stateless: completes a login whose authorization URL the caller kept. Touches no session. */
  async exchangeCallback(callbackUrl: string, auth: AuthorizationUrl): Promise<AuthenticatedAgent> {
    return (await this.#protocol()).exchangeCallback(callbackUrl, auth);
  }

  /** Stateless: redeems a code (RFC 6749 §4.1.3 with PKCE) and verifies the ID token. Touches no session. */
  async exchangeCode(code: string, codeVerifier: string, options: { nonce?: string } = {}): Promise<AuthenticatedAgent> {
    return (await this.#protocol()).exchangeCode(code, codeVerifier, { nonce: options.nonce });
  }

  /** Stateless: an agent from stored tokens (either shape), refreshed first when it is due. */
  async createAgent(tokens: TokenSet | Record<string, unknown>, options: AgentOptions = {}): Promise<AuthenticatedAgent> {
    return (await this.#protocol()).createAgent(tokens, { autoRefresh: this.#options.autoRefresh, ...options });
  }

  /** The organization this tab acts in (`null`: none); see active-org.ts for the rules. */
  setActiveOrg(orgId: string | null): Promise<void> {
    return chooseActiveOrg(this.#store, (options) => this.loginWithRedirect(options), orgId);
  }

  // ---------------------------------------------------------------- refresh and tokens

  /**
   * Refreshes `agent`'s tokens (the session's when omitted, which updates the
   * session). Rotation is mandatory at AuthPI: the new refresh token replaces
   * the old atomically with the access and ID tokens (security case 25).
   */
  refresh(agent?: AuthenticatedAgent): Promise<AuthenticatedAgent> {
    if (agent === undefined || agent === this.#store.session?.agent) return this.#refresh.run();
    if (!(agent instanceof AuthenticatedAgent)) return Promise.reject(new TypeError("refresh(agent) takes an AuthenticatedAgent"));
    return this.#protocol().then((protocol) => protocol.refresh(agent));
  }

  /**
   * A valid access token: refreshed first when due. While the IdP cannot be
   * reached, the current token is returned as long as it has not expired.
   */
  async getAccessToken(): Promise<string> {
    this.#store.noticeLogout();
    const session = this.#store.session;
    if (!session) throw signedOut();
    // Not due (which includes "received moments ago": as fresh as it gets, whatever lifetime the IdP states).
    if (this.#options.now() < sessionDueAt(session.record, this.#options.refreshBufferSeconds)) {
      if (!session.agent.isExpired(0)) return session.agent.tokens.accessToken;
      // Expired on arrival, within the floor: nothing may be sent. Another tab's newer tokens still
      // beat it: stored (storage "local"), or on their way when that tab spent our refresh token
      // (the refresh below then only waits for its handoff).
      const refreshToken = session.agent.tokens.refreshToken;
      if (!refreshToken || !this.#tabs.isSpent(refreshToken)) {
        await this.#refresh.adoptStored().catch(() => undefined);
        return (this.#store.session ?? session).agent.tokens.accessToken;
      }
    }
    try {
      return (await this.#refresh.run()).tokens.accessToken;
    } catch (error) {
      const current = this.#store.session;
      if (current && isTransient(error) && !current.agent.isExpired(0)) return current.agent.tokens.accessToken;
      throw error;
    }
  }

  /** `fetch` that adds `Authorization: Bearer` for `apiOrigins` only, never in a query (RFC 6750 §2.1, case 32). */
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    if (!this.#options.apiOrigins.has(new URL(request.url).origin)) return this.#options.fetch(request);
    const headers = new Headers(request.headers);
    headers.set("authorization", `Bearer ${await this.getAccessToken()}`);
    return this.#options.fetch(new Request(request, { headers }));
  }

  // ---------------------------------------------------------------- user info, logout, revocation

  /** The userinfo claims; their `sub` must be the agent's (OIDC Core §5.3.2, security case 37). */
  async getUserInfo(agent: AuthenticatedAgent | undefined = this.#store.session?.agent): Promise<UserInfo> {
    if (!agent) throw signedOut();
    const accessToken = agent === this.#store.session?.agent ? await this.getAccessToken() : agent.tokens.accessToken;
    return (await this.#protocol()).userInfo(agent, accessToken);
  }

  /** The RP-initiated logout URL; `idTokenHint` defaults to the session's ID token. */
  async createLogoutUrl(options: { idTokenHint?: string; postLogoutRedirectUri?: string; state?: string } = {}): Promise<string> {
    return (await this.#protocol()).logoutUrl({ ...options, idTokenHint: options.idTokenHint ?? this.#store.session?.agent.tokens.idToken });
  }

  /** Signs out every tab at once, revokes the refresh token and ends the IdP session (see sign-out.ts). */
  logout(options: LogoutOptions = {}): Promise<LogoutResult> {
    const parts = { store: this.#store, tabs: this.#tabs, login: this.#login, scheduler: this.#scheduler, storage: this.#storage, keys: this.#keys };
    return signOut({ ...parts, endSession: (...args) => this.#loadProtocol().then((chunk) => chunk.endSession(...args)) }, options);
  }

  /** RFC 7009: a 200 is success, even for a token the IdP does not know. */
  async revokeToken(token: string, hint?: "access_token" | "refresh_token"): Promise<void> {
    return (await this.#protocol()).revoke(token, hint);
  }
}
