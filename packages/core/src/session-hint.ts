import type { SafeStorage } from "./storage.js";

/** AuthPI ends a session unused for 12 h: a hint older than that is not worth a redirect. */
const HINT_TTL_MS = 12 * 3_600_000;
/** A tab tries to restore at most once in this long, whatever happens in between: never a loop. */
const RETRY_AFTER_MS = 5 * 60_000;

/**
 * Restoring the session in a brand-new tab (SPEC §9). With the default
 * sessionStorage, a tab opened by typing the URL or from a link holds no
 * session; it asks the IdP, never another tab, with a `prompt=none` redirect.
 * What decides whether to try is a hint in localStorage that this browser had
 * a session for this client: no token and nothing derived from one, only the
 * logout epoch it belongs to and until when it is worth trying. It is written
 * whenever a session is stored (sign-in, refresh, adoption) and removed when a
 * session ends here (logout, a refused refresh, a failed restoration); a
 * logout in any tab also changes the epoch, which kills it everywhere at once.
 */
export class SessionHint {
  constructor(
    /** localStorage, which every tab shares. */
    private readonly shared: SafeStorage,
    /** This tab's own storage: when it last tried. */
    private readonly tab: SafeStorage,
    private readonly keys: { hint: string; restore: string },
    private readonly now: () => number,
  ) {}

  write(epoch: string): void {
    this.shared.set(this.keys.hint, JSON.stringify({ epoch, until: this.now() + HINT_TTL_MS }));
  }

  remove(): void {
    this.shared.remove(this.keys.hint);
  }

  /** A live hint of this logout epoch, and no attempt by this tab within RETRY_AFTER_MS (either side of now: a clock set back does not unlock a loop). */
  worthTrying(epoch: string): boolean {
    const hint = this.shared.getJson(this.keys.hint) as { epoch?: unknown; until?: unknown } | undefined;
    // Not a number (garbage, missing): NaN, and every comparison below fails safe.
    const left = Number(hint?.until) - this.now();
    const tried = Number(this.tab.get(this.keys.restore));
    return hint?.epoch === epoch && left > 0 && left <= HINT_TTL_MS && !(Math.abs(this.now() - tried) < RETRY_AFTER_MS);
  }

  /** Noted before leaving for the IdP: if the redirect never comes back (Stop, the IdP down), the next load of this tab does not try again. */
  attempted(): void {
    this.tab.set(this.keys.restore, String(this.now()));
  }
}
