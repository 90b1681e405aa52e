import { toOAuthError, type OAuthError } from "./errors.js";
import { isSecureUrl } from "./options.js";
import type { RedirectLogin } from "./redirect-login.js";
import type { RefreshScheduler } from "./refresh-scheduler.js";
import type { SessionStore } from "./session-store.js";
import type { SafeStorage } from "./storage.js";
import type { StorageKeys } from "./storage-keys.js";
import type { TabCoordinator } from "./tab-coordinator.js";
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

export interface SignOutParts {
  store: SessionStore;
  tabs: TabCoordinator;
  login: RedirectLogin;
  scheduler: RefreshScheduler;
  storage: SafeStorage;
  keys: StorageKeys;
  /** The IdP's part (end-session.ts, in the protocol chunk): revocation, then the end-session page. */
  endSession: (tokens: TokenSet, options: LogoutOptions, leave: (navigating: boolean) => void) => Promise<LogoutResult>;
}

/** After a logout, here or in another tab, no SDK key is left but the logout epoch (security case 34). */
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
  const { store, tabs, login, scheduler, storage, keys } = parts;
  const tokens = store.session?.agent.tokens;
  let leave: (navigating: boolean) => void = () => undefined;
  login.loggedOut(new Promise((resolve) => (leave = resolve)));
  tabs.signOutEverywhere(options.revoke === false ? null : (tokens?.refreshToken ?? null));
  scheduler.reset();
  store.signedOut();
  let revocationError: OAuthError | null = null;
  if (tokens) {
    try {
      return await parts.endSession(tokens, options, leave);
    } catch (error) {
      // The protocol chunk could not load (offline): the local logout stands, unconfirmed at the IdP.
      revocationError = toOAuthError(error);
    }
  }
  forgetAll(storage, keys);
  leave(false);
  return { revoked: false, revocationError };
}
