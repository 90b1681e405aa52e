import type { LoginOptions } from "@authpi/core";
import type { AuthPIStore } from "./store.js";

/**
 * The login each store has handed to the browser. A login ends in a
 * navigation, so once one is under way `<RequireAccess>` joins it instead of
 * starting another: StrictMode's second effect, nested guards, and the guard
 * that sees `unauthenticated` only because the user's `login()` cleared an
 * error. A failed start is forgotten so the next attempt can run.
 */
const logins = new WeakMap<AuthPIStore, Promise<void>>();

export function login(store: AuthPIStore, options?: LoginOptions): Promise<void> {
  const started = store.loginWithRedirect(options);
  logins.set(store, started);
  started.catch(() => {
    if (logins.get(store) === started) logins.delete(store);
  });
  return started;
}

/** The login under way, or a new one that returns to the current location (SPEC §7.8). */
export function loginOnce(store: AuthPIStore): Promise<void> {
  const underway = logins.get(store);
  if (underway) return underway;
  const { pathname, search, hash } = window.location;
  return login(store, { returnTo: `${pathname}${search}${hash}` });
}
