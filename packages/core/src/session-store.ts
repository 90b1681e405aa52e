import type { AuthenticatedAgent } from "./agent.js";
import type { OAuthError } from "./errors.js";
import { sessionRecord, type SessionRecord } from "./session-record.js";
import type { SafeStorage } from "./storage.js";
import { timers } from "./timers.js";

export type AuthStatus = "loading" | "authenticated" | "unauthenticated" | "error";

/** What the UI renders from. The same object until something changes (for `useSyncExternalStore`). */
export interface AuthSnapshot {
  readonly status: AuthStatus;
  readonly agent: AuthenticatedAgent | null;
  readonly error: OAuthError | null;
}

export interface Session {
  readonly agent: AuthenticatedAgent;
  readonly record: SessionRecord;
}

/**
 * The observable session: the one place that changes it, through the named
 * transitions below, and persists it. Async work notes `generation` before it
 * awaits and writes back only if it is unchanged: a session replaced or ended
 * meanwhile (a logout in another tab, a newer login) wins.
 */
export class SessionStore {
  #session: Session | null;
  #snapshot: AuthSnapshot;
  #generation = 0;
  readonly #listeners = new Set<() => void>();
  /** Callbacks being completed: the old session must not refresh under them. */
  readonly #callbacks = new Set<object>();
  readonly #settledWaiters: Array<() => void> = [];

  constructor(
    private readonly storage: SafeStorage,
    private readonly key: string,
    private readonly owner: { issuerUrl: string; clientId: string },
    restored: Session | null,
    status: AuthStatus,
  ) {
    this.#session = restored;
    this.#snapshot = { status, agent: status === "authenticated" ? (restored?.agent ?? null) : null, error: null };
  }

  get session(): Session | null {
    return this.#session;
  }

  get generation(): number {
    return this.#generation;
  }

  getSnapshot = (): AuthSnapshot => this.#snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** True at the next replacement or end of the session, false if `ms` pass first. Waits on a timer, never polls the clock. */
  changedWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const generation = this.#generation;
      const finish = (changed: boolean) => {
        unsubscribe();
        timers.clearTimeout(timer);
        resolve(changed);
      };
      const unsubscribe = this.subscribe(() => {
        if (this.#generation !== generation) finish(true);
      });
      const timer = timers.setTimeout(() => finish(false), ms);
    });
  }

  #publish(status: AuthStatus, error: OAuthError | null = null): void {
    const agent = status === "authenticated" || status === "error" ? (this.#session?.agent ?? null) : null;
    const current = this.#snapshot;
    if (current.status === status && current.agent === agent && current.error === error) return;
    this.#snapshot = { status, agent, error };
    for (const listener of this.#listeners) listener();
  }

  #replace(session: Session, persist: boolean): void {
    if (persist) this.storage.set(this.key, JSON.stringify(session.record));
    this.#generation += 1;
    this.#session = session;
    this.#publish("authenticated");
  }

  #persist(agent: AuthenticatedAgent, receivedAt: number): SessionRecord {
    const record = sessionRecord(this.owner.issuerUrl, this.owner.clientId, agent.tokens, agent.claims, receivedAt);
    this.#replace({ agent, record }, true);
    return record;
  }

  // ------------------------------------------------------------ transitions

  /** A redirect callback is being completed; until it settles the old session does not refresh. Returns its `settled`. */
  callbackStarted(): () => void {
    const callback = {};
    this.#callbacks.add(callback);
    if (!this.#session) this.#publish("loading");
    return () => {
      this.#callbacks.delete(callback);
      if (this.#callbacks.size === 0) for (const resolve of this.#settledWaiters.splice(0)) resolve();
    };
  }

  /** Settles once no callback is in flight (at once when none is). */
  callbacksSettled(): Promise<void> {
    return this.#callbacks.size === 0 ? Promise.resolve() : new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  get callbackInFlight(): boolean {
    return this.#callbacks.size > 0;
  }

  /** A login completed: its tokens are the session now. */
  signedIn(agent: AuthenticatedAgent, receivedAt: number): SessionRecord {
    return this.#persist(agent, receivedAt);
  }

  /** This tab refreshed. */
  refreshed(agent: AuthenticatedAgent, receivedAt: number): SessionRecord {
    return this.#persist(agent, receivedAt);
  }

  /** Another tab refreshed and handed us its tokens (or shared storage shows them). */
  adopted(agent: AuthenticatedAgent, record: SessionRecord): void {
    this.#replace({ agent, record }, true);
  }

  /** A refresh failed and will be retried: a restored session still waiting says why instead of spinning. */
  refreshStalled(error: OAuthError): void {
    if (this.#snapshot.status === "loading" && this.#session) this.#publish("error", error);
  }

  /** A callback or a login failed: an existing session stays as it was (security case 12). */
  failed(error: OAuthError): void {
    this.#publish(this.#session ? "authenticated" : "error", error);
  }

  /** A new login clears the error it replaces. */
  loginStarted(): void {
    if (this.#snapshot.status === "error") this.#publish(this.#session ? "authenticated" : "unauthenticated");
  }

  /** The session ended: logout here or in another tab, or a refresh the IdP refused (`error`). */
  signedOut(error: OAuthError | null = null): void {
    this.#generation += 1;
    this.#session = null;
    this.storage.remove(this.key);
    this.#publish("unauthenticated", error);
  }
}
