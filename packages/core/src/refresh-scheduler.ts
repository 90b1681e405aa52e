import { OAuthError } from "./errors.js";
import type { EventBus } from "./events.js";
import { timers } from "./timers.js";
import { wakeEvents, type WakeReason } from "./wake-events.js";

/**
 * Never a scheduled refresh sooner than this after a successful one, whatever
 * lifetime the server states (a refresh storm). Retries after a failure follow
 * the backoff instead.
 */
export const MIN_REFRESH_INTERVAL_MS = 5_000;
const MAX_RETRY_DELAY_MS = 60_000;
/** Timers are re-armed at least this often so a clock jump (sleep) is noticed. */
const MAX_TIMER_MS = 30_000;

/**
 * When tokens received at `receivedAt` (unix seconds) are due for a refresh,
 * in ms: `expiresAt − min(buffer, lifetime / 2)`. Half the lifetime at most,
 * so a 60 s token with the default 60 s buffer is refreshed after 30 s, not at
 * once and forever.
 */
export function refreshDueAt(expiresAt: number, receivedAt: number, bufferSeconds: number): number {
  const lifetime = Math.max(0, expiresAt - receivedAt);
  return (expiresAt - Math.min(bufferSeconds, lifetime / 2)) * 1000;
}

/**
 * The one definition of when the session is due, for the timer and for
 * `getAccessToken()` alike, in whichever tab received its tokens: as above,
 * and never within MIN_REFRESH_INTERVAL_MS of their receipt, so tokens that
 * arrive already expired (no `expires_in`, an ID token `exp` inside the skew)
 * are not refreshed again on every call.
 */
export function sessionDueAt(record: { tokens: { expiresAt: number }; receivedAt: number }, bufferSeconds: number): number {
  return Math.max(refreshDueAt(record.tokens.expiresAt, record.receivedAt, bufferSeconds), record.receivedAt * 1000 + MIN_REFRESH_INTERVAL_MS);
}

/**
 * Decides when the background refresh runs: at the due time, judged by the
 * wall clock whenever the page wakes (timers in hidden tabs are throttled and
 * do not run during sleep); after a failure, with capped exponential backoff
 * and jitter, or later if the server says so (`Retry-After`).
 */
export class RefreshScheduler {
  #timer: unknown = null;
  #attempt = 0;
  #retryAt: number | null = null;
  #stopWaking: (() => void) | null = null;

  constructor(
    private readonly now: () => number,
    /** The session's due time in ms, or `null` when nothing should run (signed out, disabled, already refreshing). */
    private readonly dueAt: () => number | null,
    private readonly run: () => void,
    private readonly events: EventBus,
  ) {}

  start(onWake: (reason: WakeReason) => void): void {
    this.#stopWaking ??= wakeEvents.listen((reason) => {
      // Back online: the network failure the backoff waits out is likely over.
      if (reason === "online") this.#retryAt = null;
      onWake(reason);
      this.plan();
    });
    this.plan();
  }

  stop(): void {
    this.#stopWaking?.();
    this.#stopWaking = null;
    this.#clearTimer();
  }

  /** Refreshes now if due, else arms a timer. Call whenever the session or the clock may have moved. */
  plan(): void {
    this.#clearTimer();
    const dueAt = this.#stopWaking ? this.dueAt() : null;
    const at = dueAt === null ? null : (this.#retryAt ?? dueAt);
    this.events.emit("schedule", { nextRefreshAt: at });
    if (at === null) return;
    const delay = at - this.now();
    if (delay <= 0) {
      this.run();
      return;
    }
    this.#timer = timers.setTimeout(() => this.plan(), Math.min(delay, MAX_TIMER_MS));
  }

  succeeded(): void {
    this.#attempt = 0;
    this.#retryAt = null;
  }

  failed(error: unknown): void {
    const backoff = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** this.#attempt) * (0.5 + Math.random() / 2);
    const asked = error instanceof OAuthError && error.retryAfter !== undefined ? error.retryAfter * 1000 : 0;
    this.#attempt += 1;
    this.#retryAt = this.now() + Math.max(backoff, asked);
  }

  /** The session ended: a new one starts with no backoff. */
  reset(): void {
    this.#attempt = 0;
    this.#retryAt = null;
    this.#clearTimer();
  }

  #clearTimer(): void {
    if (this.#timer !== null) timers.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
