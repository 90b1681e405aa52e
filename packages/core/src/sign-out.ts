import { toOAuthError, type OAuthError } from "./errors.js";
import { isSecureUrl } from "./options.js";
import { randomToken } from "./random.js";
import type { RedirectLogin } from "./redirect-login.js";
import type { RefreshScheduler } from "./refresh-scheduler.js";
import type { SessionRefresh } from "./session-refresh.js";
import type { SessionStore } from "./session-store.js";
import type { SafeStorage } from "./storage.js";
import type { StorageKeys } from "./storage-keys.js";
import type { TabCoordinator } from "./tab-coordinator.js";
import { within } from "./timers.js";
import type { TokenSet } from "./types.js";

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

/** How long a leaving tab waits for a refresh in flight, so the tokens it brings are revoked too. */
const REFRESH_IN_FLIGHT_WAIT_MS = 5_000;

export interface SignOutParts {
  store: SessionStore;
  tabs: TabCoordinator;
  login: RedirectLogin;
  refresh: SessionRefresh;
  scheduler: RefreshScheduler;
  storage: SafeStorage;
  keys: StorageKeys;
  revokeTokens: (tokens: TokenSet) => Promise<void>;
  logoutUrl: (options: { idTokenHint: string; postLogoutRedirectUri?: string; state: string }) => Promise<string>;
}

/** After a logout, here or in another tab, no SDK key is left but the tombstone (security case 34). */
export function forgetAll(storage: SafeStorage, keys: StorageKeys): void {
  storage.remove(keys.logins);
  storage.remove(keys.issuer);
}

/**
 * Signs out: this tab and every other tab at once (local first, so no
 * failure can leave tokens behind), then revokes the refresh token and ends
 * the IdP session by navigating to its end-session endpoint.
 */
export async function signOut(parts: SignOutParts, options: LogoutOptions): Promise<LogoutResult> {
  // Checked before anything is cleared: a path here would land the user on an IdP error page.
  if (options.returnTo !== undefined && !isSecureUrl(options.returnTo)) {
    throw new TypeError(`logout({ returnTo }) takes the absolute post-logout redirect URI registered at the IdP, got ${JSON.stringify(options.returnTo)}`);
  }
  const { store, tabs, login, refresh, scheduler, storage, keys } = parts;
  const tokens = store.session?.agent.tokens;
  let leave: (navigating: boolean) => void = () => undefined;
  login.loggedOut(new Promise((resolve) => (leave = resolve)));
  tabs.signOutEverywhere();
  scheduler.reset();
  store.signedOut();
  let revoked = false;
  let revocationError: OAuthError | null = null;
  if (tokens && options.revoke !== false) {
    try {
      await parts.revokeTokens(tokens);
      revoked = true;
    } catch (error) {
      revocationError = toOAuthError(error);
    }
  }
  const location = globalThis.location;
  if (location && tokens) {
    // A fresh state (RP-Initiated Logout §2) that comes back on the return; start() removes it from
    // the address bar then. Nothing else is done with returned parameters (security case 36).
    const state = randomToken();
    const logoutUrl = await parts
      .logoutUrl({ idTokenHint: tokens.idToken, ...(options.returnTo ? { postLogoutRedirectUri: options.returnTo } : {}), state })
      .catch(() => null);
    if (logoutUrl) {
      // A refresh still in flight brings tokens nobody will hold: they are revoked on arrival, before we leave.
      await within(refresh.settled(), REFRESH_IN_FLIGHT_WAIT_MS);
      forgetAll(storage, keys);
      storage.set(keys.logoutState, state);
      leave(true);
      location.assign(logoutUrl);
      return { revoked, revocationError };
    }
  }
  // Last, since revocation and the logout URL may have fetched (and cached) discovery.
  forgetAll(storage, keys);
  leave(false);
  return { revoked, revocationError };
}
