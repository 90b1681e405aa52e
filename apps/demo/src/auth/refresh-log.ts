import type { OAuthError, TokenSet } from "@authpi/core";
import { useSyncExternalStore } from "react";

export type RefreshEvent =
  | { readonly kind: "refreshed"; readonly at: number; readonly expiresAt: number }
  | { readonly kind: "failed"; readonly at: number; readonly code: string; readonly description: string | undefined };

export interface RefreshLog {
  /** Successful refreshes made by this tab (another tab's refresh is adopted silently). */
  readonly count: number;
  readonly lastRefreshAt: number | null;
  /** Newest first, at most {@link MAX_EVENTS}. */
  readonly events: readonly RefreshEvent[];
}

const MAX_EVENTS = 8;

// Module state, like the client it listens to: one per tab, outliving any component.
let log: RefreshLog = { count: 0, lastRefreshAt: null, events: [] };
const listeners = new Set<() => void>();

function record(event: RefreshEvent, success: boolean): void {
  log = {
    count: log.count + (success ? 1 : 0),
    lastRefreshAt: success ? event.at : log.lastRefreshAt,
    events: [event, ...log.events].slice(0, MAX_EVENTS),
  };
  for (const listener of listeners) listener();
}

/** The client's `onRefresh` option. */
export function logRefresh(tokens: TokenSet): void {
  record({ kind: "refreshed", at: Date.now(), expiresAt: tokens.expiresAt }, true);
}

/** The client's `onRefreshError` option: called when a refresh ends the session. */
export function logRefreshError(error: OAuthError): void {
  record({ kind: "failed", at: Date.now(), code: error.error, description: error.errorDescription }, false);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useRefreshLog(): RefreshLog {
  return useSyncExternalStore(subscribe, () => log);
}
