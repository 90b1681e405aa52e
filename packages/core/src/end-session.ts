// The IdP's part of a logout, in the protocol chunk: the local part (every
// tab signed out, no token left) is sign-out.ts's and has already happened.
import { toOAuthError, type OAuthError } from "./errors.js";
import type { Protocol } from "./protocol.js";
import { randomToken } from "./random.js";
import { forgetAll, type LogoutOptions, type LogoutResult } from "./sign-out.js";
import type { SafeStorage } from "./storage.js";
import type { StorageKeys } from "./storage-keys.js";
import { within } from "./timers.js";
import type { TokenSet } from "./types.js";

/** How long a leaving tab waits for a refresh in flight, so the tokens it brings are revoked too. */
const REFRESH_IN_FLIGHT_WAIT_MS = 5_000;

export interface EndSessionParts {
  protocol: Protocol;
  storage: SafeStorage;
  keys: StorageKeys;
  /** Settles once no refresh of this tab is in flight, the revocation of what it brought included. */
  refreshSettled: () => Promise<void>;
}

/** Revokes the session's grant (RFC 7009), then leaves for the IdP's end-session endpoint. */
export async function endSession(parts: EndSessionParts, tokens: TokenSet, options: LogoutOptions, leave: (navigating: boolean) => void): Promise<LogoutResult> {
  const { protocol, storage, keys } = parts;
  let revoked = false;
  let revocationError: OAuthError | null = null;
  if (options.revoke !== false) {
    try {
      await protocol.revokeTokens(tokens);
      revoked = true;
    } catch (error) {
      revocationError = toOAuthError(error);
    }
  }
  const location = globalThis.location;
  if (location) {
    // A fresh state (RP-Initiated Logout §2) that comes back on the return; start() removes it from
    // the address bar then. Nothing else is done with returned parameters (security case 36).
    const state = randomToken();
    const logoutUrl = await protocol
      .logoutUrl({ idTokenHint: tokens.idToken, ...(options.returnTo ? { postLogoutRedirectUri: options.returnTo } : {}), state })
      .catch(() => null);
    if (logoutUrl) {
      // A refresh still in flight brings tokens nobody will hold: they are revoked on arrival, before we leave.
      await within(parts.refreshSettled(), REFRESH_IN_FLIGHT_WAIT_MS);
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

/**
 * Another tab logged out and this tab holds another lineage than the one it revoked (a login that
 * completed here as it logged out, a new tab's own grant): revoked too, and the issuer cache the
 * revocation may fill is not left behind (security case 34).
 */
export async function revokeOwnLineage(parts: EndSessionParts, tokens: TokenSet): Promise<void> {
  await parts.protocol.revokeTokens(tokens).catch(() => undefined);
  parts.storage.remove(parts.keys.issuer);
}
