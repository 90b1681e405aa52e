import type { EventBus } from "./events.js";
import type { Sealed } from "./sealed-record.js";
import type { SafeStorage } from "./storage.js";
import type { StorageKeys } from "./storage-keys.js";
import { timers } from "./timers.js";

/**
 * Messages between tabs of one origin and client. Tokens travel only in
 * `rotated`, sealed under the refresh token they replaced (`from` names it):
 * only a tab holding that very token, a copy of the one that spent it, can
 * open them.
 */
export type TabMessage = { type: "rotated"; from: string; sealed: Sealed } | { type: "sync"; from: string } | { type: "logout" };

/** How many rotations the ledger remembers; older entries are pruned first. */
const LEDGER_SIZE = 500;
/**
 * How long after a rotation this tab still answers a `sync` for the token it
 * replaced. Long enough for a tab that was duplicated while the refresh was in
 * flight; short, because whoever holds that spent token gets today's tokens.
 */
const RETIRED_ANSWER_MS = 60_000;
/** How long a refresh waits for the Web Lock before going on without it (a script may hold it forever). */
const LOCK_WAIT_MS = 10_000;

/**
 * Cross-tab coordination of refresh-token rotation (security case 27).
 *
 * Public-client refresh tokens rotate, and a reused one makes the IdP revoke
 * the whole grant (RFC 9700 §4.14.2). A duplicated tab holds a copy of the
 * same refresh token, so two tabs must never both spend it:
 * - a Web Lock serialises refreshes across tabs of one client (bounded wait);
 * - a ledger records every refresh token already spent, by digest and a
 *   second digest as proof (never the token): a tab that got the lock second
 *   sees that its token is gone and waits for the new tokens instead. Only
 *   a tab that held the token can write a valid proof, so a mark forged by
 *   another same-origin script is ignored;
 * - a BroadcastChannel hands the new tokens, sealed, to the tabs that held the
 *   old one, and tells every tab about a logout.
 * Without Web Locks or BroadcastChannel each tab refreshes on its own (still
 * single-flight within the tab), guarded by the ledger.
 */
export class TabCoordinator {
  #channel: BroadcastChannel | null = null;
  /** The refresh token the latest rotation replaced, to answer a tab that missed it. */
  #retired: { digest: string; refreshToken: string; at: number } | null = null;
  /** Lets go of the Web Lock that names the token this tab spent last. */
  #releaseSpentLock: (() => void) | null = null;

  constructor(
    private readonly keys: StorageKeys,
    /** Where the ledger and the logout tombstone live: shared by every tab when the session's storage allows it. */
    private readonly shared: SafeStorage,
    private readonly now: () => number,
    private readonly events: EventBus,
  ) {}

  open(onMessage: (message: TabMessage) => void): void {
    if (this.#channel || typeof BroadcastChannel !== "function") return;
    this.#channel = new BroadcastChannel(this.keys.channel);
    this.#channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
  }

  close(): void {
    this.#channel?.close();
    this.#channel = null;
    this.#letGoOfSpentLock();
  }

  post(message: TabMessage): void {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // A closed channel (the tab is going away): nothing to tell.
    }
  }

  /**
   * Runs `task` holding the client's refresh lock. Where Web Locks are
   * missing, the request is refused, or the lock is not granted within
   * LOCK_WAIT_MS, `task` runs without it: the ledger still guards the token.
   */
  async withLock<T>(task: () => Promise<T>): Promise<T> {
    const locks = webLocks();
    if (!locks) return task();
    let started = false;
    const requestedAt = this.now();
    const controller = new AbortController();
    const timer = timers.setTimeout(() => controller.abort(), LOCK_WAIT_MS);
    try {
      return await locks.request(this.keys.lock, { signal: controller.signal }, () => {
        started = true;
        timers.clearTimeout(timer);
        const waited = this.now() - requestedAt;
        if (waited >= 50) this.events.emit("tab", { kind: "lock-waited", at: requestedAt, durationMs: waited });
        return task();
      });
    } catch (error) {
      if (started) throw error;
      return task();
    } finally {
      timers.clearTimeout(timer);
    }
  }

  #ledger(): Record<string, unknown> {
    const value = this.shared.getJson(this.keys.spent);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  }

  /** `refreshToken` was spent by a tab that held it (a mark without a valid proof is not believed). */
  isSpent(refreshToken: string): boolean {
    const entry = this.#ledger()[digestOf(refreshToken)];
    return Array.isArray(entry) && entry[1] === proofOf(refreshToken);
  }

  markSpent(refreshToken: string): void {
    const entries = Object.entries(this.#ledger()).filter(([, entry]) => Array.isArray(entry));
    entries.push([digestOf(refreshToken), [this.now(), proofOf(refreshToken)]]);
    this.shared.set(this.keys.spent, JSON.stringify(Object.fromEntries(entries.slice(-LEDGER_SIZE))));
    this.#holdSpentLock(refreshToken);
  }

  /**
   * The ledger alone is not enough: localStorage reaches a tab in another
   * renderer process some time after the write, and the refresh lock does not
   * wait for it (measured in Chromium: two processes taking turns under one
   * lock, each adding one to a localStorage counter, lost 12–18% of the adds).
   * Web Locks are one queue in the browser: a lock this tab requests before it
   * releases the refresh lock is seen by the next holder's `query()`. So the
   * spender also holds a lock named for the token (digest and proof, as in the
   * ledger) until it spends the next one or RETIRED_ANSWER_MS pass.
   */
  #holdSpentLock(refreshToken: string): void {
    const locks = webLocks();
    this.#letGoOfSpentLock();
    if (!locks?.query) return;
    const held = new Promise<void>((resolve) => {
      const timer = timers.setTimeout(resolve, RETIRED_ANSWER_MS);
      this.#releaseSpentLock = () => {
        timers.clearTimeout(timer);
        resolve();
      };
    });
    locks.request(this.#spentLockName(refreshToken), () => held).catch(() => undefined);
  }

  #letGoOfSpentLock(): void {
    this.#releaseSpentLock?.();
    this.#releaseSpentLock = null;
  }

  #spentLockName(refreshToken: string): string {
    return `${this.keys.lock}:spent:${digestOf(refreshToken)}.${proofOf(refreshToken)}`;
  }

  /** `refreshToken` was just spent by a tab whose ledger write may not have reached this one yet (see #holdSpentLock). */
  async spentByAnotherTab(refreshToken: string): Promise<boolean> {
    const locks = webLocks();
    if (!locks?.query) return false;
    const name = this.#spentLockName(refreshToken);
    try {
      const { held = [], pending = [] } = await locks.query();
      return [...held, ...pending].some((lock) => lock.name === name);
    } catch {
      return false;
    }
  }

  /** Remembers the token a rotation replaced: only the latest, for RETIRED_ANSWER_MS. */
  retire(refreshToken: string): void {
    this.#retired = { digest: digestOf(refreshToken), refreshToken, at: this.now() };
  }

  /** The retired token a `sync` names, if it is the latest one and recent; else nothing is answered. */
  retiredFor(digest: string): string | null {
    const retired = this.#retired;
    if (!retired || retired.digest !== digest) return null;
    const age = this.now() - retired.at;
    return age >= 0 && age < RETIRED_ANSWER_MS ? retired.refreshToken : null;
  }

  /** The session ended here: nothing of it may be handed out any more. */
  forget(): void {
    this.#retired = null;
    this.#letGoOfSpentLock();
  }

  /** A logout here: every tab, and every tab that is not running now (the tombstone), learns of it. */
  signOutEverywhere(): void {
    this.forget();
    this.shared.remove(this.keys.spent);
    this.shared.set(this.keys.loggedOutAt, String(this.now()));
    this.post({ type: "logout" });
  }

  /**
   * When the user last signed out in any tab, ms. A tab that was away (another
   * site, discarded, in the back-forward cache) still has its copy of the
   * session: a record received before this is dead (security case 33).
   */
  loggedOutAt(): number {
    const value = Number(this.shared.get(this.keys.loggedOutAt));
    return Number.isFinite(value) ? value : 0;
  }
}

/** The Web Locks API, where this runtime has one. */
const webLocks = (): LockManager | undefined => (typeof navigator === "object" ? navigator.locks : undefined);

/** cyrb53: a fast synchronous 53-bit hash, so the check-and-spend under the lock has no await in it. */
function hash53(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/**
 * The ledger's name for a refresh token. It names a token without revealing
 * it: 53 bits cannot rebuild a 256-bit secret.
 */
export const digestOf = (token: string): string => hash53(token, 0);
/** A second, independent digest: writing it takes the token itself, which a forger does not have. */
const proofOf = (token: string): string => hash53(token, 0x9e3779b9);
