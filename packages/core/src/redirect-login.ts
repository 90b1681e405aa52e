import type { AuthenticatedAgent } from "./agent.js";
import { CALLBACK_PARAMS, singleParams } from "./callback-params.js";
import { LoginRequiredError, NoPendingLoginError, StateMismatchError, toOAuthError } from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import type { AuthorizationOptions, Protocol } from "./protocol.js";
import type { SessionStore } from "./session-store.js";
import type { SafeStorage } from "./storage.js";
import type { StorageKeys } from "./storage-keys.js";

export interface LoginOptions extends AuthorizationOptions {
  /** Same-origin path to land on after login; default: the current location. */
  returnTo?: string;
}

export interface CallbackResult {
  agent: AuthenticatedAgent;
  /** The same-origin path the login started from. */
  returnTo: string;
}

/** Authorization-response parameters that must leave the address bar (RFC 9700 §4.2.4). */
const ADDRESS_BAR_PARAMS = [...CALLBACK_PARAMS, "session_state", "error_uri"];

/** `url` is a response to an authorization request of this redirect URI: its path, a code or error, and a state. */
export function isRedirectCallback(url: unknown, redirectUri: string): boolean {
  if (typeof url !== "string" || !URL.canParse(url)) return false;
  const parsed = new URL(url);
  const redirect = new URL(redirectUri);
  const params = parsed.searchParams;
  return parsed.origin === redirect.origin && parsed.pathname === redirect.pathname && (params.has("code") || params.has("error")) && params.has("state");
}

/**
 * Login by redirect: the pending login stored before leaving for the IdP, and
 * the callback that comes back, checked and completed once.
 */
export class RedirectLogin {
  readonly #callbacks = new Map<string, Promise<CallbackResult>>();
  #login: Promise<void> | null = null;
  /** A logout in this tab; resolves to whether it is navigating to the IdP's end-session page. */
  #leaving: Promise<boolean> | null = null;
  /** The user logged out (here or in another tab) while this page was open. */
  #loggedOut = false;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly store: SessionStore,
    private readonly storage: SafeStorage,
    private readonly keys: StorageKeys,
    private readonly protocol: () => Promise<Protocol>,
  ) {}

  /** After a logout the IdP's session may still be alive: the next login asks for credentials (case 33). */
  loggedOut(leaving?: Promise<boolean>): void {
    this.#loggedOut = true;
    if (leaving) this.#leaving = leaving;
    this.#callbacks.clear();
  }

  /**
   * Stores a single-use pending login and navigates to the IdP. One login at a
   * time: a call while one is being prepared joins it (StrictMode's second
   * effect, nested guards). A failed start is the snapshot's `error`.
   */
  loginWithRedirect(options: LoginOptions = {}): Promise<void> {
    this.#login ??= this.#start(options).finally(() => {
      this.#login = null;
    });
    return this.#login;
  }

  async #start(options: LoginOptions): Promise<void> {
    const location = globalThis.location;
    if (!location) throw new TypeError("loginWithRedirect() needs a browser; use createAuthorizationUrl() elsewhere");
    // A login started during our own logout goes after it, or not at all if the logout is leaving
    // for the IdP: two navigations would race and leave a stray pending login behind.
    if (this.#leaving && (await this.#leaving)) return;
    const { returnTo, ...authOptions } = options;
    if (this.#loggedOut) authOptions.prompt ??= "login";
    this.store.loginStarted();
    let url: string;
    try {
      const protocol = await this.protocol();
      const auth = await protocol.authorizationUrl(authOptions);
      const here = `${location.pathname}${location.search}${location.hash}`;
      const org = authOptions.org ?? this.options.org;
      const pending = { codeVerifier: auth.codeVerifier, nonce: auth.nonce, returnTo: returnTo ?? here, createdAt: this.options.now(), maxAge: authOptions.maxAge, org };
      protocol.pending.add(auth.state, pending, location.origin);
      url = auth.url;
    } catch (error) {
      const oauthError = toOAuthError(error);
      this.store.failed(oauthError);
      throw error instanceof TypeError ? error : oauthError;
    }
    location.assign(url);
  }

  /**
   * Completes a login on the redirect URI. Safe to call more than once for
   * the same callback (StrictMode, two instances): the code is sent at most once.
   */
  handleRedirectCallback(href: string): Promise<CallbackResult> {
    if (!URL.canParse(href)) return Promise.reject(new TypeError(`not a URL: ${href}`));
    const url = new URL(href);
    const state = url.searchParams.get("state");
    const inFlight = state === null ? undefined : this.#callbacks.get(state);
    if (inFlight) return inFlight;
    // Tracked from before it starts: a callback refused at once must still end as `error`, not `loading`.
    const settled = this.store.callbackStarted();
    const result = this.#complete(url);
    result.then(settled, settled);
    if (state !== null) this.#callbacks.set(state, result);
    return result;
  }

  async #complete(url: URL): Promise<CallbackResult> {
    // The address bar is cleaned synchronously, before the app renders again (RFC 9700 §4.2.4).
    const search = new URLSearchParams(url.search);
    this.#cleanAddressBar(url, ADDRESS_BAR_PARAMS);
    const ticket = this.store.ticket();
    try {
      // Repeated parameters are refused before the pending login is touched (RFC 6749 §3.1).
      const { state } = singleParams(search, CALLBACK_PARAMS);
      const protocol = await this.protocol();
      // Consumed before the token request: a replayed or concurrent callback finds nothing (case 10).
      const login = state === null ? undefined : protocol.pending.take(state, url.origin);
      if (!login) throw state !== null && protocol.pending.isEmpty() ? new NoPendingLoginError() : new StateMismatchError();
      const receivedAt = this.options.now() / 1000;
      const agent = await protocol.completeCallback(search, login);
      // Signed out (here or in any tab) meanwhile: this login must not look applied, and its grant must not outlive the logout.
      if (!this.store.isCurrent(ticket)) {
        protocol.revokeTokens(agent.tokens).catch(() => undefined);
        throw new LoginRequiredError("the session ended while this login completed; it was not applied");
      }
      this.store.signedIn(agent, receivedAt, login.org, ticket);
      return { agent, returnTo: login.returnTo };
    } catch (error) {
      const oauthError = toOAuthError(error);
      if (this.store.isCurrent(ticket)) this.store.failed(oauthError);
      throw oauthError;
    }
  }

  #cleanAddressBar(url: URL, names: readonly string[]): void {
    const { location, history } = globalThis;
    if (!location || !history || location.href !== url.href) return;
    const clean = new URL(url.href);
    for (const name of names) clean.searchParams.delete(name);
    history.replaceState(history.state, "", `${clean.pathname}${clean.search}${clean.hash}`);
  }

  /** Back from the IdP's end-session endpoint with our logout's state: drop it from the address bar. */
  finishLogoutReturn(): void {
    const expected = this.storage.get(this.keys.logoutState);
    const href = globalThis.location?.href;
    if (!expected || !href) return;
    this.storage.remove(this.keys.logoutState);
    const url = new URL(href);
    const states = url.searchParams.getAll("state");
    if (states.length === 1 && states[0] === expected) this.#cleanAddressBar(url, ["state"]);
  }
}
