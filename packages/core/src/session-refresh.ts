import type { AuthenticatedAgent } from "./agent.js";
import { isTransient, signedOut, toOAuthError } from "./errors.js";
import type { Session } from "./session-store.js";
import { digestOf, type TabMessage } from "./tab-coordinator.js";
import type { RotationParts, TokenRotation } from "./token-rotation.js";

export interface RefreshParts extends RotationParts {
  /** The rotation work, in the protocol chunk (token-rotation.ts). */
  rotation: () => Promise<TokenRotation>;
}

/**
 * Refreshes the session's tokens, one refresh at a time in this tab, and
 * decides what a failure means for the session. The work itself, across tabs,
 * is the protocol chunk's (token-rotation.ts): a page that restores a session
 * downloads none of it until its first refresh.
 */
export class SessionRefresh {
  #inFlight: Promise<AuthenticatedAgent> | null = null;
  #rotation: TokenRotation | null = null;

  constructor(readonly parts: RefreshParts) {}

  get inFlight(): boolean {
    return this.#inFlight !== null;
  }

  /** The session's refresh, joined if one is running. */
  run(): Promise<AuthenticatedAgent> {
    this.#inFlight ??= this.#run().finally(() => {
      this.#inFlight = null;
      this.parts.scheduler().plan();
    });
    return this.#inFlight;
  }

  /** Settles once nothing of a refresh is left in flight: its request, and the revocation of what it brought too late. */
  async settled(): Promise<void> {
    await this.#inFlight?.catch(() => undefined);
    await this.#rotation?.lateRevocation;
  }

  async #run(): Promise<AuthenticatedAgent> {
    const { store } = this.parts;
    // Before the first await: whatever happens while this refresh runs (a logout in any tab, a login) is seen by it.
    const ticket = store.ticket();
    // A login completing in this tab replaces the session: refreshing the old one would race it,
    // and the new one's tokens are fresh.
    await store.callbacksSettled();
    const current = store.isCurrent(ticket);
    const planned = store.session;
    if (!planned) throw signedOut();
    if (!current) return planned.agent;
    const attempt: { session: Session; ours: boolean } = { session: planned, ours: false };
    // A token another tab spent: ask for its replacement now, before the download below (token-rotation.ts says why).
    const refreshToken = planned.agent.tokens.refreshToken;
    if (refreshToken && this.parts.tabs.isSpent(refreshToken)) this.parts.tabs.post({ type: "sync", from: digestOf(refreshToken) });
    const startedAt = this.parts.options.now();
    const report = (outcome: "refreshed" | "adopted" | "retrying" | "failed", error: unknown = null) =>
      this.parts.events.emit("refresh", { outcome, startedAt, durationMs: this.parts.options.now() - startedAt, error: error === null ? null : toOAuthError(error) });
    try {
      const agent = await (await this.#loadRotation()).refreshOrAdopt(planned, ticket, attempt);
      report(attempt.ours ? "refreshed" : "adopted");
      return agent;
    } catch (error) {
      // Every failure goes through here once: a fatal one ends the session, any other waits out the backoff.
      if (store.session === planned) {
        this.#failed(error);
        report(isTransient(error) ? "retrying" : "failed", error);
      }
      throw toOAuthError(error);
    }
  }

  #failed(error: unknown): void {
    const { store, tabs, scheduler, options } = this.parts;
    if (isTransient(error)) {
      scheduler().failed(error);
      store.refreshStalled();
      return;
    }
    const oauthError = toOAuthError(error);
    tabs.forget();
    store.signedOut(oauthError);
    options.onRefreshError?.(oauthError);
  }


  /** Newer tokens another tab stored (shared storage), taken without sending anything. */
  async adoptStored(): Promise<void> {
    (await this.#loadRotation()).adoptStored();
  }

  #loadRotation(): Promise<TokenRotation> {
    return this.parts.rotation().then((rotation) => (this.#rotation = rotation));
  }

  /** A rotation or a request for one from another tab: both need the protocol chunk (sealing). */
  async onTabMessage(message: Exclude<TabMessage, { type: "logout" }>): Promise<void> {
    if (this.parts.store.session) await (await this.#loadRotation()).onTabMessage(message);
  }
}
