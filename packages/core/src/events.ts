import type { OAuthError } from "./errors.js";

/**
 * What the client tells observers (devtools, logging) as it works. Times are
 * the client's clock, in ms. Listeners run synchronously; one that throws is
 * ignored, so an observer can never break the session.
 */
export interface AuthPIEvents {
  /** A session refresh ended: with our own tokens, another tab's, or a failure (retried or fatal). */
  refresh: { outcome: "refreshed" | "adopted" | "retrying" | "failed"; startedAt: number; durationMs: number; error: OAuthError | null };
  /** When the next background refresh is planned (`null`: none, e.g. signed out or one is running); a new listener gets the current plan at once. */
  schedule: { nextRefreshAt: number | null };
  /**
   * The tab protocol: tokens taken from another tab, ours announced (sealed) to any tab that holds
   * the replaced token, a logout heard.
   */
  tab: { kind: "rotation-adopted" | "rotation-handed-off" | "logout-received"; at: number; durationMs: number };
  /**
   * A new tab's silent restoration from the IdP came back (SPEC §9): `restored`, `signed-out` (no
   * session there), or `failed` (the IdP could not be reached, or its answer was refused);
   * `durationMs` since the redirect left, `null` when this tab does not know.
   */
  restore: { outcome: "restored" | "signed-out" | "failed"; at: number; durationMs: number | null };
}

export type AuthPIEventListener<K extends keyof AuthPIEvents> = (event: AuthPIEvents[K]) => void;

/** One set of listeners for every kind: the smallest thing that works, since every app ships it. */
export class EventBus {
  readonly #listeners = new Set<(type: keyof AuthPIEvents, event: unknown) => void>();
  /** The plan is state, not news: a listener that comes later is told the current one at once. */
  #schedule: AuthPIEvents["schedule"] | null = null;

  on<K extends keyof AuthPIEvents>(type: K, listener: AuthPIEventListener<K>): () => void {
    const filtered = (kind: keyof AuthPIEvents, event: unknown) => kind === type && listener(event as AuthPIEvents[K]);
    this.#listeners.add(filtered);
    if (type === "schedule" && this.#schedule) filtered("schedule", this.#schedule);
    return () => this.#listeners.delete(filtered);
  }

  emit<K extends keyof AuthPIEvents>(type: K, event: AuthPIEvents[K]): void {
    if (type === "schedule") this.#schedule = event as AuthPIEvents["schedule"];
    for (const listener of this.#listeners) {
      try {
        listener(type, event);
      } catch {
        // An observer's bug is not the session's problem.
      }
    }
  }
}
