import { randomToken } from "./random.js";
import type { Sealed } from "./sealed-record.js";
import type { SafeStorage } from "./storage.js";
import type { StorageKeys } from "./storage-keys.js";
import { timers, within } from "./timers.js";

/**
 * Messages between tabs of one origin and client. Tokens travel only in
 * `rotated`, sealed under the refresh token they replaced (`from` names it):
 * only a tab holding that very token, a copy of the one that spent it, can
 * open them.
 */
export type TabMessage =
  | { type: "rotated"; from: string; sealed: Sealed }
  | { type: "sync"; from: string }
  /** The new logout epoch names the refresh token the logging-out tab revokes (see `signOutEverywhere`). */
  | { type: "logout" };

/** How many rotations the ledger remembers; older entries are pruned first. */
const LEDGER_SIZE = 500;
/**
 * How long after a rotation a tab still answers a `sync` for the token it
 * replaced, and the spender keeps the token's claim. Long enough for a tab
 * that was duplicated while the refresh was in flight; short, because whoever
 * holds that spent token gets today's tokens.
 */
const RETIRED_ANSWER_MS = 60_000;

/** The right to send one refresh token to the IdP, held by one tab at a time; see `TabCoordinator.claim`. */
export interface Claim {
  /** The request is over: `spent` (the IdP answered, or refused the token) or not (nothing reached it: the token is still good). */
  release(spent: boolean): void;
}

/**
 * Cross-tab coordination of refresh-token rotation (security case 27); the
 * whole protocol is written down in docs/session-protocol.md.
 *
 * Public-client refresh tokens rotate, and a reused one makes the IdP revoke
 * the whole grant (RFC 9700 §4.14.2). A duplicated tab holds a copy of the
 * same refresh token, so two tabs must never both send it:
 * - a tab sends a refresh token only under its claim: a Web Lock named for the
 *   token, taken with `ifAvailable` (one atomic test-and-set in the browser,
 *   whatever renderer process a tab lives in, never waited for), and a mark in
 *   the ledger written before the request leaves. A tab that finds the token
 *   claimed or spent waits for the new tokens instead;
 * - the ledger records every refresh token spent or being spent, by digest and
 *   a second digest as proof (never the token): only a tab that held the token
 *   can write a valid proof, so a mark forged by another same-origin script is
 *   ignored. Where Web Locks are missing it is the claim on its own;
 * - a BroadcastChannel hands the new tokens, sealed, to the tabs that held the
 *   old one, and tells every tab about a logout; the logout epoch (`epoch()`)
 *   tells the tabs that did not hear it.
 */
export class TabCoordinator {
  #channel: BroadcastChannel | null = null;
  /** The refresh token the latest rotation replaced, and when that rotation was, to answer a tab that missed it. */
  #retired: { digest: string; refreshToken: string; at: number } | null = null;

  constructor(
    private readonly keys: StorageKeys,
    /** Where the ledger and the logout epoch live: shared by every tab when the session's storage allows it. */
    private readonly shared: SafeStorage,
    private readonly now: () => number,
  ) {}

  open(onMessage: (message: TabMessage) => void): void {
    if (this.#channel || typeof BroadcastChannel !== "function") return;
    this.#channel = new BroadcastChannel(this.keys.channel);
    this.#channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
  }

  close(): void {
    this.#channel?.close();
    this.#channel = null;
  }

  post(message: TabMessage): void {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // A closed channel (the tab is going away): nothing to tell.
    }
  }

  #ledger(): Record<string, unknown> {
    const value = this.shared.getJson(this.keys.spent);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  }

  /** The ledger's word on `refreshToken`: `until` > 0 while a tab is sending it, 0 once spent; `null`: no valid mark. */
  #mark(refreshToken: string): { until: number } | null {
    const entry = this.#ledger()[digestOf(refreshToken)];
    return Array.isArray(entry) && entry[1] === proofOf(refreshToken) ? { until: Number(entry[2]) || 0 } : null;
  }

  #write(refreshToken: string, until: number | null): void {
    const entries = Object.entries(this.#ledger()).filter(([digest, entry]) => Array.isArray(entry) && digest !== digestOf(refreshToken));
    if (until !== null) entries.push([digestOf(refreshToken), [this.now(), proofOf(refreshToken), until]]);
    this.shared.set(this.keys.spent, JSON.stringify(Object.fromEntries(entries.slice(-LEDGER_SIZE))));
  }

  /** `refreshToken` was spent by a tab that held it (a mark without a valid proof is not believed). */
  isSpent(refreshToken: string): boolean {
    return this.#mark(refreshToken)?.until === 0;
  }

  /**
   * The right to send `refreshToken`, or why not: `"spent"` (its answer went
   * to another tab: wait for the handoff) or `"claimed"` (another tab is
   * sending it now). The ledger can reach a tab in another renderer process
   * late (measured in Chromium: two processes taking turns under one lock,
   * each adding one to a localStorage counter, lost 12–18% of the adds); the
   * lock cannot. A claimed mark whose lock is free is a spender that went away
   * mid-request (tabs' locks die with them): the token may be claimed again.
   * A claim that is not given up within `sendingMs` is taken to be over (no
   * Web Locks: the ledger's deadline is all there is).
   */
  async claim(refreshToken: string, sendingMs: number): Promise<Claim | "spent" | "claimed"> {
    if (this.isSpent(refreshToken)) return "spent";
    const release = await lockIfAvailable(`${this.keys.lock}:${digestOf(refreshToken)}.${proofOf(refreshToken)}`);
    if (release === null) return "claimed";
    const mark = this.#mark(refreshToken);
    if (mark && (mark.until === 0 || (release === undefined && mark.until > this.now()))) {
      release?.();
      return mark.until === 0 ? "spent" : "claimed";
    }
    this.#write(refreshToken, this.now() + sendingMs);
    return {
      release: (spent) => {
        this.#write(refreshToken, spent ? 0 : null);
        // A spent token's lock is held RETIRED_ANSWER_MS more, whatever this tab does next (its next
        // refresh, a logout, an unmount): a tab whose ledger lags finds it taken and waits for our
        // handoff instead of reading the old "sending" mark as a spender that went away. Only the
        // page's end lets go of it sooner, and then the ledger has long caught up.
        if (spent) timers.setTimeout(() => release?.(), RETIRED_ANSWER_MS);
        else release?.();
      },
    };
  }

  /** Remembers the token a rotation made at `rotatedAt` (ms) replaced: only the latest, until RETIRED_ANSWER_MS after that rotation. */
  retire(refreshToken: string, rotatedAt: number): void {
    this.#retired = { digest: digestOf(refreshToken), refreshToken, at: rotatedAt };
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
  }

  /**
   * A logout here: every tab hears of it, and every tab that is not running now finds the epoch
   * changed. `revoking`: the refresh token this tab revokes (`null`: none), so that a tab holding
   * another lineage revokes its own and a copy of ours does not send the same revocation again.
   */
  signOutEverywhere(revoking: string | null): void {
    this.forget();
    this.shared.remove(this.keys.spent);
    // The epoch names the revoked token (`*`: none was), so that every tab, told by the message or
    // finding the epoch changed, spares it and revokes only a lineage of its own.
    this.shared.set(this.keys.logoutEpoch, `${randomToken()}.${revoking === null ? "*" : digestOf(revoking)}`);
    this.post({ type: "logout" });
  }

  /**
   * The logout epoch: a random id every tab shares, replaced at each logout
   * (`""` before the first), and carried by every session record. A record of
   * another epoch is dead (security case 33), in whatever tab holds it:
   * running, back from the back-forward cache, restored by a reload. Logical,
   * never a time: a device clock that ran fast or was set back at logout must
   * neither sign out the next login nor spare a tab that was away, and no value
   * written here, however large, outlives the next login, which takes the epoch
   * it finds.
   */
  epoch = (): string => this.shared.get(this.keys.logoutEpoch) ?? "";
}

/** How long the lock manager may take to answer `ifAvailable` (it need not wait for anyone) before the ledger goes on alone. */
const LOCK_ANSWER_MS = 1_000;

/**
 * The Web Lock `name` if no one holds it: its release, `null` when another
 * tab holds it, `undefined` where Web Locks are missing, refused or do not
 * answer (a lock granted after that is let go at once).
 */
function lockIfAvailable(name: string): Promise<(() => void) | null | undefined> {
  const locks = typeof navigator === "object" ? navigator.locks : undefined;
  if (!locks) return Promise.resolve(undefined);
  const answer = new Promise<(() => void) | null | undefined>((resolve) => {
    locks.request(name, { ifAvailable: true }, (lock) => (lock ? new Promise<void>((release) => resolve(release)) : resolve(null))).catch(() => resolve(undefined));
  });
  return within(answer, LOCK_ANSWER_MS).then((release) => {
    if (release === undefined) void answer.then((late) => late?.());
    return release;
  });
}

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
