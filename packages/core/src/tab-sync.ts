import { SafeStorage, type StorageLike } from "./storage.js";
import type { Sealed } from "./sealed-record.js";

/**
 * Messages between tabs of one origin and client. Tokens travel only in
 * `rotated`, sealed under the refresh token they replaced (`from` names it):
 * only a tab holding that very token, a copy of the one that spent it, can
 * open them.
 */
export type TabMessage =
  | { type: "rotated"; from: string; sealed: Sealed }
  | { type: "sync"; from: string }
  | { type: "logout" };

/** How many rotations the ledger remembers; older entries are pruned first. */
const LEDGER_SIZE = 500;

/**
 * Cross-tab coordination of refresh-token rotation (SPEC §5, security case 27).
 *
 * Public-client refresh tokens rotate, and a reused one makes the IdP revoke
 * the whole grant (RFC 9700 §4.14.2). A duplicated tab holds a copy of the
 * same refresh token, so two tabs must never both spend it:
 * - a Web Lock serialises refreshes across tabs of one client;
 * - a ledger in localStorage records a hash of every refresh token already
 *   spent (never the token), so a tab that got the lock
 *   second sees that its token is gone and waits for the new tokens instead;
 * - a BroadcastChannel hands the new tokens, sealed, to the tabs that held the old one.
 * Without Web Locks or BroadcastChannel each tab falls back to refreshing on
 * its own (still single-flight within the tab).
 */
export class TabSync {
  readonly #channel: BroadcastChannel | null;
  readonly #lockName: string;
  readonly #ledger: SafeStorage | null;
  readonly #ledgerKey: string;

  constructor(name: string, onMessage: (message: TabMessage) => void) {
    this.#lockName = `${name}:refresh`;
    this.#ledgerKey = `${name}:spent`;
    this.#channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(name) : null;
    if (this.#channel) this.#channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
    let local: StorageLike | undefined;
    try {
      local = globalThis.localStorage;
    } catch {
      local = undefined;
    }
    this.#ledger = local ? new SafeStorage(local) : null;
  }

  post(message: TabMessage): void {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // A closed channel (the tab is going away): nothing to tell.
    }
  }

  /** Runs `task` holding the client's refresh lock, or directly where Web Locks are missing. */
  withLock<T>(task: () => Promise<T>): Promise<T> {
    const locks = typeof navigator === "object" ? navigator.locks : undefined;
    return locks ? (locks.request(this.#lockName, task) as Promise<T>) : task();
  }

  #spent(): Record<string, number> {
    const value = this.#ledger?.getJson(this.#ledgerKey);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, number>) : {};
  }

  isSpent(digest: string): boolean {
    return Object.hasOwn(this.#spent(), digest);
  }

  markSpent(digest: string, nowMs: number): void {
    if (!this.#ledger) return;
    const entries = Object.entries(this.#spent()).filter(([, at]) => typeof at === "number");
    entries.push([digest, nowMs]);
    this.#ledger.set(this.#ledgerKey, JSON.stringify(Object.fromEntries(entries.slice(-LEDGER_SIZE))));
  }

  clearLedger(): void {
    this.#ledger?.remove(this.#ledgerKey);
  }

  close(): void {
    this.#channel?.close();
  }
}

/**
 * The ledger's name for a refresh token: a 53-bit hash (cyrb53). Synchronous,
 * so the check-and-spend under the lock has no await in it. It names a token
 * without revealing it: 53 bits cannot rebuild a 256-bit secret, and script
 * that can read the ledger can read sessionStorage anyway.
 */
export function digestOf(token: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
