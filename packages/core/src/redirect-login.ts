import type { AuthenticatedAgent } from "./agent.js";
import { CALLBACK_PARAMS } from "./callback-params.js";
import { toOAuthError } from "./errors.js";
import type { LoginFlow } from "./login-flow.js";
import type { AuthorizationOptions } from "./protocol.js";
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

/** Where a new tab's silent restoration that found no session leaves the app: at the deep link, signed out. */
export interface SignedOutReturn {
  agent: null;
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
 * the callback that comes back, checked and completed once. What talks to the
 * IdP is in the protocol chunk (login-flow.ts).
 */
export class RedirectLogin {
  readonly #callbacks = new Map<string, Promise<CallbackResult>>();
  #login: Promise<void> | null = null;
  /** A logout in this tab; resolves to whether it is navigating to the IdP's end-session page. */
  #leaving: Promise<boolean> | null = null;
  /** The user logged out (here or in another tab) while this page was open. */
  #loggedOut = false;
  constructor(
    private readonly store: SessionStore,
    private readonly storage: SafeStorage,
    private readonly keys: StorageKeys,
    /** The IdP-facing half, in the protocol chunk (login-flow.ts). */
    readonly flow: () => Promise<LoginFlow>,
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
  loginWithRedirect(options: LoginOptions = {}, silent = false): Promise<void> {
    this.#login ??= this.#start(options, silent).finally(() => {
      this.#login = null;
    });
    return this.#login;
  }

  /**
   * A brand-new tab's silent restoration (SPEC §9, session-hint.ts): `prompt=none`, so the IdP
   * answers at once with a code or `login_required`, never a page; back at `returnTo` either way.
   */
  restore(returnTo: string): Promise<void> {
    return this.loginWithRedirect({ prompt: "none", returnTo }, true);
  }

  async #start(options: LoginOptions, silent: boolean): Promise<void> {
    const location = globalThis.location;
    if (!location) throw new TypeError("loginWithRedirect() needs a browser; use createAuthorizationUrl() elsewhere");
    // A login started during our own logout goes after it, or not at all if the logout is leaving
    // for the IdP: two navigations would race and leave a stray pending login behind.
    if (this.#leaving && (await this.#leaving)) return;
    const { pathname, search, hash } = location;
    const login = { ...options, returnTo: options.returnTo ?? `${pathname}${search}${hash}` };
    if (this.#loggedOut) login.prompt ??= "login";
    this.store.loginStarted();
    let url: string;
    try {
      url = await (await this.flow()).begin(login, silent, location.origin);
    } catch (error) {
      const oauthError = toOAuthError(error);
      // A restoration that cannot reach the IdP leaves the tab signed out, saying why.
      if (silent) this.store.restoreFailed(oauthError);
      else this.store.failed(oauthError);
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
    const flow = await this.flow().catch((error: unknown) => {
      // The protocol chunk could not load (offline): the callback fails like any other.
      this.store.failed(toOAuthError(error));
      throw toOAuthError(error);
    });
    return flow.complete(search, url.origin, ticket);
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
