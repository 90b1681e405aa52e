import { resolveActiveOrg, sameOrganization, type ActiveOrgChoice } from "./active-org.js";
import type { AuthenticatedAgent } from "./agent.js";
import type { OAuthError } from "./errors.js";
import { ofEpoch, sessionRecord, type SessionRecord } from "./session-record.js";
import type { SessionHint } from "./session-hint.js";
import type { SafeStorage } from "./storage.js";
import type { Organization } from "./types.js";

export type AuthStatus = "loading" | "authenticated" | "unauthenticated" | "error";

/** What the UI renders from. The same object until something changes (for `useSyncExternalStore`). */
export interface AuthSnapshot {
  readonly status: AuthStatus;
  readonly agent: AuthenticatedAgent | null;
  readonly error: OAuthError | null;
  /** The organization this tab acts in (see active-org.ts for the rules); `null` without an agent. */
  readonly activeOrg: Organization | null;
  /** The organization the session was signed in to alone (`org`), if so: switching signs in again. */
  readonly restrictedTo: string | null;
  /**
   * The access token has run out and the refresh cannot get through (offline,
   * IdP unreachable), while retries go on: `status` stays as it is, since a
   * retry can still succeed. Say so in the UI; API calls would fail meanwhile.
   */
  readonly stale: boolean;
}

export interface Session {
  readonly agent: AuthenticatedAgent;
  readonly record: SessionRecord;
}

/**
 * What async work notes before its first `await`, to ask afterwards whether
 * its result still applies: the session as it was (`generation`, bumped by
 * every replacement or end) and the logout epoch (tab-coordinator.ts), which a
 * logout in any tab changes at once, its broadcast heard or not.
 */
export interface Ticket {
  readonly generation: number;
  readonly epoch: string;
}

/**
 * The observable session: the one place that changes it, through the named
 * transitions below, and persists it. Every "is this result still current?"
 * decision (a refresh, a callback, an adoption) takes a `ticket()` before its
 * first await and writes back only if `isCurrent(ticket)`: a session replaced
 * or ended meanwhile (a logout in any tab, a newer login) wins.
 */
export class SessionStore {
  #session: Session | null;
  #snapshot: AuthSnapshot;
  #generation = 0;
  readonly #listeners = new Set<() => void>();
  /** Callbacks being completed: the old session must not refresh under them. */
  readonly #callbacks = new Set<object>();
  readonly #settledWaiters: Array<() => void> = [];
  /** This tab's choice of organization: an id, `null` for none, `undefined` for none made. */
  #chosenOrg: string | null | undefined;

  /** Ends the session of a tab that finds the logout epoch changed (set by the client: it also clears the tab's keys). */
  onLogoutNoticed: () => void = () => this.signedOut();

  constructor(
    private readonly storage: SafeStorage,
    private readonly key: string,
    private readonly owner: { issuerUrl: string; clientId: string },
    private readonly choice: ActiveOrgChoice,
    /** The logout epoch now (tab-coordinator.ts). */
    private readonly epoch: () => string,
    /** Written with every stored session, removed when one ends: what a new tab decides by. */
    private readonly hint: SessionHint,
    restored: Session | null,
    status: AuthStatus,
  ) {
    this.#session = restored;
    this.#chosenOrg = restored ? choice.read(restored.agent.id) : undefined;
    const agent = status === "authenticated" ? (restored?.agent ?? null) : null;
    const activeOrg = resolveActiveOrg(agent, restored?.record.org, this.#chosenOrg);
    this.#snapshot = { status, agent, error: null, activeOrg, restrictedTo: agent ? (restored?.record.org ?? null) : null, stale: false };
  }

  get session(): Session | null {
    return this.#session;
  }

  /** Noted before async work; see `Ticket`. A session already dead by another tab's logout ends first. */
  ticket(): Ticket {
    this.noticeLogout();
    return { generation: this.#generation, epoch: this.epoch() };
  }

  /** Nothing replaced or ended the session, and no tab logged out, since `ticket` was taken. */
  isCurrent(ticket: Ticket): boolean {
    this.noticeLogout();
    return ticket.generation === this.#generation && ticket.epoch === this.epoch();
  }

  /** A tab that missed the logout broadcast (away, deaf, late) finds out here, before it acts (security case 33). */
  noticeLogout(): void {
    if (this.#session && !ofEpoch(this.#session.record, this.epoch())) this.onLogoutNoticed();
  }

  getSnapshot = (): AuthSnapshot => this.#snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** The first snapshot whose status is not `loading`. */
  settled(): Promise<AuthSnapshot> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.#snapshot.status === "loading") return;
        unsubscribe();
        resolve(this.#snapshot);
      };
      const unsubscribe = this.subscribe(check);
      check();
    });
  }

  #publish(status: AuthStatus, error: OAuthError | null = null, stale = false): void {
    const agent = status === "authenticated" || status === "error" ? (this.#session?.agent ?? null) : null;
    const current = this.#snapshot;
    const resolved = resolveActiveOrg(agent, this.#session?.record.org, this.#chosenOrg);
    // The same membership keeps its object: a refresh must not re-render what reads the active org.
    const activeOrg = sameOrganization(current.activeOrg, resolved) ? current.activeOrg : resolved;
    const restrictedTo = agent ? (this.#session?.record.org ?? null) : null;
    const same = current.status === status && current.agent === agent && current.error === error && current.activeOrg === activeOrg;
    if (same && current.stale === stale && current.restrictedTo === restrictedTo) return;
    this.#snapshot = { status, agent, error, activeOrg, restrictedTo, stale };
    for (const listener of this.#listeners) listener();
  }

  #replace(session: Session, persist: boolean): void {
    if (persist) {
      this.storage.set(this.key, JSON.stringify(session.record));
      this.hint.write(session.record.epoch ?? "");
    }
    this.#generation += 1;
    this.#session = session;
    this.#publish("authenticated");
  }

  #persist(agent: AuthenticatedAgent, receivedAt: number, org: string | undefined, epoch: string | undefined): SessionRecord {
    const record = sessionRecord(this.owner.issuerUrl, this.owner.clientId, agent.tokens, agent.claims, receivedAt, org, epoch);
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

  /** A login completed in the ticket's epoch (restricted to `org`, if it asked): its tokens are the session now. The same user keeps this tab's choice. */
  signedIn(agent: AuthenticatedAgent, receivedAt: number, org: string | undefined, ticket: Ticket): SessionRecord {
    this.#chosenOrg = this.choice.read(agent.id);
    return this.#persist(agent, receivedAt, org, ticket.epoch);
  }

  /** This tab refreshed: the restriction, if any, and the epoch carry over. */
  refreshed(agent: AuthenticatedAgent, receivedAt: number): SessionRecord {
    return this.#persist(agent, receivedAt, this.#session?.record.org, this.#session?.record.epoch);
  }

  /** The tab acts in `orgId` (`null`: in none) from now on, and after reloads. */
  orgChosen(orgId: string | null): void {
    const session = this.#session;
    if (!session) return;
    this.#chosenOrg = orgId;
    this.choice.write(session.agent.id, orgId);
    this.#publish(this.#snapshot.status, this.#snapshot.error, this.#snapshot.stale);
  }

  /** Another tab refreshed and handed us its tokens (or shared storage shows them). */
  adopted(agent: AuthenticatedAgent, record: SessionRecord): void {
    this.#replace({ agent, record }, true);
  }

  /**
   * A refresh failed and will be retried: the session is not lost. A restored session still
   * waiting shows as signed in and `stale`, as it would in a tab that had stayed open, instead of
   * spinning (or an error screen that offers a login the user does not need).
   */
  refreshStalled(): void {
    const session = this.#session;
    if (!session) return;
    const status = this.#snapshot.status === "loading" ? "authenticated" : this.#snapshot.status;
    this.#publish(status, this.#snapshot.error, session.agent.isExpired(0));
  }

  /** A callback or a login failed: an existing session stays as it was (security case 12). */
  failed(error: OAuthError): void {
    this.#publish(this.#session ? "authenticated" : "error", error, this.#snapshot.stale);
  }

  /** A new login clears the error it replaces. */
  loginStarted(): void {
    if (this.#snapshot.status === "error") this.#publish(this.#session ? "authenticated" : "unauthenticated", null, this.#snapshot.stale);
  }

  /** The session ended: logout here or in another tab, or a refresh the IdP refused (`error`). */
  signedOut(error: OAuthError | null = null): void {
    this.#generation += 1;
    this.#session = null;
    this.#chosenOrg = undefined;
    this.storage.remove(this.key);
    this.choice.clear();
    this.hint.remove();
    this.#publish("unauthenticated", error);
  }

  /**
   * A new tab's silent restoration (session-hint.ts) ended without a session:
   * signed out, not an error (`error` only when the IdP could not be reached),
   * and no hint left to try again with.
   */
  restoreFailed(error: OAuthError | null): void {
    this.hint.remove();
    if (!this.#session) this.#publish("unauthenticated", error);
  }
}
