import type { AuthPIClient } from "@authpi/core";

/**
 * The redirect callback each client is completing, as the promise of its
 * `returnTo`. Kept per client, not per mount: by StrictMode's second mount (or
 * a remount) the client has already cleaned the address bar, so only the first
 * mount can recognise the callback.
 */
const callbacks = new WeakMap<AuthPIClient, Promise<string>>();

/** Starts `client` and returns its redirect callback in progress, if any. */
export function startClient(client: AuthPIClient): Promise<string> | undefined {
  const href = globalThis.location?.href;
  const isNewCallback = href !== undefined && !callbacks.has(client) && client.isRedirectCallback(href);
  // start() first: a client built on the callback URL completes it inside start(),
  // and asking again with the same URL joins that exchange instead of failing on
  // the cleaned address bar. The code is sent once either way.
  void client.start();
  if (isNewCallback) callbacks.set(client, client.handleRedirectCallback(href).then(({ returnTo }) => returnTo));
  return callbacks.get(client);
}

/** True for the first mount that asks: the app navigates to `returnTo` once. */
export function claimRedirect(client: AuthPIClient, callback: Promise<string>): boolean {
  if (callbacks.get(client) !== callback) return false;
  callbacks.delete(client);
  return true;
}

/** A failed callback is reported through the client's snapshot (status `error`); the promise is done with. */
export function forgetRedirect(client: AuthPIClient, callback: Promise<string>): void {
  if (callbacks.get(client) === callback) callbacks.delete(client);
}
