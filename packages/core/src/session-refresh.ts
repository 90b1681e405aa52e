import type { AuthenticatedAgent } from "./agent.js";
import { isTransient, LoginRequiredError, RefreshError, toOAuthError } from "./errors.js";
import type { EventBus } from "./events.js";
import type { ResolvedOptions } from "./options.js";
import type { Protocol } from "./protocol.js";
import type { RefreshScheduler } from "./refresh-scheduler.js";
import { agentFromRecord, parseSessionRecord, readSessionRecord, type SessionRecord } from "./session-record.js";
import type { Session, SessionStore } from "./session-store.js";
import type { SafeStorage } from "./storage.js";
import type { StorageKeys } from "./storage-keys.js";
import { timers } from "./timers.js";
import { digestOf, type TabCoordinator, type TabMessage } from "./tab-coordinator.js";

/** How long a tab waits for the tokens of a refresh another tab already made, once it can open them. */
const ADOPT_TIMEOUT_MS = 3_000;
/** How often a tab waiting for those tokens asks again: an ask can be lost (see #awaitAdoption). */
const SYNC_REPEAT_MS = 1_000;

export const signedOut = (description = "not signed in") => new LoginRequiredError(description);

export interface RefreshParts {
  options: ResolvedOptions;
  storage: SafeStorage;
  keys: StorageKeys;
  store: SessionStore;
  tabs: TabCoordinator;
  scheduler: () => RefreshScheduler;
  protocol: () => Promise<Protocol>;
  events: EventBus;
}

/**
 * Refreshes the session's tokens, one refresh at a time in this tab and,
 * through the tab coordinator, across tabs: the refresh token is spent once,
 * and tabs holding a copy of it adopt the tokens that replaced it.
 */
export class SessionRefresh {
  #inFlight: Promise<AuthenticatedAgent> | null = null;
  /** Revocation of tokens that arrived after the session ended: a logout waits for it. */
  #lateRevocation: Promise<void> | null = null;

  constructor(private readonly parts: RefreshParts) {}

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
    await this.#lateRevocation;
  }

  async #run(): Promise<AuthenticatedAgent> {
    const { store } = this.parts;
    // A login completing in this tab replaces the session: refreshing the old one would race it,
    // and the new one's tokens are fresh.
    const requested = store.session;
    await store.callbacksSettled();
    const planned = store.session;
    if (!planned) throw signedOut();
    if (planned !== requested) return planned.agent;
    const attempt: { session: Session; ours: boolean } = { session: planned, ours: false };
    const startedAt = this.parts.options.now();
    const report = (outcome: "refreshed" | "adopted" | "retrying" | "failed", error: unknown = null) =>
      this.parts.events.emit("refresh", { outcome, startedAt, durationMs: this.parts.options.now() - startedAt, error: error === null ? null : toOAuthError(error) });
    try {
      const agent = await this.#refreshOrAdopt(planned, attempt);
      report(attempt.ours ? "refreshed" : "adopted");
      return agent;
    } catch (error) {
      // Every failure goes through here once: a fatal one ends the session, any other waits out the backoff.
      if (store.session === attempt.session) {
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
      store.refreshStalled(toOAuthError(error));
      return;
    }
    const oauthError = toOAuthError(error);
    tabs.forget();
    store.signedOut(oauthError);
    options.onRefreshError?.(oauthError);
  }

  /**
   * Looks before queueing on the lock, and again once holding it: tokens
   * another tab already stored, or a refresh token the ledger shows spent, need
   * no grant. A tab whose token is spent asks for the replacement at once, and
   * waits for it outside the lock: only the latest rotation is answered
   * (tab-coordinator.ts), and a queue of tabs, each waiting for its own
   * handoff on a busy machine, can outlast it (then the tab signed out and a
   * new login started a second grant, refreshing on its own schedule).
   */
  async #refreshOrAdopt(planned: Session, attempt: { session: Session; ours: boolean }): Promise<AuthenticatedAgent> {
    const outcome = this.#settledElsewhere(planned) ?? (await this.parts.tabs.withLock(() => this.#refreshUnderLock(planned, attempt)));
    return "agent" in outcome ? outcome.agent : this.#awaitAdoption(planned, outcome.spent);
  }

  /** What other tabs already did about `planned`: newer tokens it can use, or its refresh token spent; `null`: nothing, refresh it. */
  #settledElsewhere(planned: Session): { agent: AuthenticatedAgent } | { spent: string } | null {
    const { store, tabs } = this.parts;
    this.#adoptFromStorage();
    const current = store.session;
    if (!current) throw signedOut("signed out while refreshing");
    if (current.agent !== planned.agent) return { agent: current.agent };
    const refreshToken = current.agent.tokens.refreshToken;
    return refreshToken && tabs.isSpent(refreshToken) ? { spent: refreshToken } : null;
  }

  async #refreshUnderLock(planned: Session, attempt: { session: Session; ours: boolean }): Promise<{ agent: AuthenticatedAgent } | { spent: string }> {
    const { store, tabs, scheduler, options } = this.parts;
    // Another tab may have refreshed while we waited for the lock.
    const elsewhere = this.#settledElsewhere(planned);
    if (elsewhere) return elsewhere;
    const current = store.session ?? planned;
    attempt.session = current;
    const refreshToken = current.agent.tokens.refreshToken;
    // The tab before us in the lock may have spent it, its ledger write still on the way here.
    if (refreshToken && (await tabs.spentByAnotherTab(refreshToken))) return { spent: refreshToken };
    const generation = store.generation;
    const receivedAt = options.now() / 1000;
    const lifetime = current.record.tokens.expiresAt - current.record.receivedAt;
    const agent = await (await this.parts.protocol()).refresh(current.agent, lifetime);
    if (refreshToken) tabs.markSpent(refreshToken);
    // A logout (here or in another tab) during the request wins: the new tokens are revoked, not kept (security case 33).
    if (store.generation !== generation) {
      this.#revokeLate(agent);
      throw signedOut("signed out while refreshing");
    }
    if (refreshToken) tabs.retire(refreshToken);
    attempt.ours = true;
    scheduler().succeeded();
    const record = store.refreshed(agent, receivedAt);
    options.onRefresh?.(agent.tokens);
    // Tabs that hold the spent token wait for this (sealing is async; the lock need not wait).
    if (refreshToken) this.#handOff(digestOf(refreshToken), refreshToken, record).catch(() => undefined);
    return { agent };
  }

  /**
   * Our refresh token was already spent by another tab: ask for its replacement instead of reusing
   * it, and ask again every SYNC_REPEAT_MS until it comes or the wait ends. A page that just opened
   * its channel may post into nothing: Chromium registers a BroadcastChannel asynchronously
   * (whatwg/html#7267); in the fault suite's ten tabs what late duplicates posted at startup
   * reached no tab in 6 of 9 pages, one posted 500 ms later always did. The asks run on a timer,
   * not after the protocol chunk: that download took up to 3 s there, and only the latest
   * rotation is answered, so an ask made after it came behind the next rotation, unanswerable.
   */
  async #awaitAdoption(planned: Session, refreshToken: string): Promise<AuthenticatedAgent> {
    const { store, tabs } = this.parts;
    let timer: unknown = null;
    const ask = () => {
      tabs.post({ type: "sync", from: digestOf(refreshToken) });
      timer = timers.setTimeout(ask, SYNC_REPEAT_MS);
    };
    ask();
    try {
      // Opening the answer takes the protocol chunk, which a page that just started may still have to
      // download (seconds on a busy machine): the wait below is for the other tab, not for our download.
      await this.parts.protocol();
      if (store.session === planned && !(await store.changedWithin(ADOPT_TIMEOUT_MS))) {
        // Nobody handed over the newer tokens: sending the spent one would get the grant revoked for every tab.
        throw new RefreshError("invalid_grant", "this tab's refresh token was already used by another tab, which did not hand over the new tokens");
      }
    } finally {
      timers.clearTimeout(timer);
    }
    if (!store.session) throw signedOut("signed out while refreshing");
    return store.session.agent;
  }

  #revokeLate(agent: AuthenticatedAgent): void {
    const token = agent.tokens.refreshToken ?? agent.tokens.accessToken;
    const hint = agent.tokens.refreshToken ? "refresh_token" : "access_token";
    this.#lateRevocation = this.parts.protocol().then((protocol) => protocol.revoke(token, hint)).catch(() => undefined);
  }

  /** With shared storage (`storage: "local"`), another tab's refresh is visible right there. */
  #adoptFromStorage(): void {
    const { store, storage, keys, options } = this.parts;
    const current = store.session;
    const record = readSessionRecord(storage, keys.session, options.issuerUrl, options.clientId);
    if (!current || !record || record.tokens.refreshToken === current.record.tokens.refreshToken) return;
    if (record.claims.sub !== current.record.claims.sub || record.receivedAt < current.record.receivedAt) return;
    const agent = agentFromRecord(record, options.now);
    if (agent) store.adopted(agent, record);
  }

  /** Tells the tabs that held `refreshToken` what replaced it, sealed so only they can read it. */
  async #handOff(digest: string, refreshToken: string, record: SessionRecord): Promise<void> {
    const sealed = await (await this.parts.protocol()).seal(record, refreshToken);
    this.parts.tabs.post({ type: "rotated", from: digest, sealed });
    this.parts.events.emit("tab", { kind: "rotation-handed-off", at: this.parts.options.now(), durationMs: 0 });
  }

  /** A rotation or a request for one from another tab. */
  async onTabMessage(message: Exclude<TabMessage, { type: "logout" }>): Promise<void> {
    const { store, tabs, options } = this.parts;
    const current = store.session;
    if (!current) return;
    if (message.type === "sync") {
      // A tab that missed our latest rotation asks for the tokens that replaced its own.
      const retired = tabs.retiredFor(message.from);
      if (retired) await this.#handOff(message.from, retired, current.record);
      return;
    }
    // A login completing here replaces this session anyway; adopting now would make it look stale.
    if (store.callbackInFlight) return;
    const refreshToken = current.agent.tokens.refreshToken;
    if (!refreshToken || digestOf(refreshToken) !== message.from) return;
    const opened = await (await this.parts.protocol()).unseal(message.sealed, refreshToken);
    const record = parseSessionRecord(opened, options.issuerUrl, options.clientId);
    if (store.session !== current || !record || record.claims.sub !== current.agent.id) return;
    const agent = agentFromRecord(record, options.now);
    if (!agent) return;
    tabs.retire(refreshToken);
    store.adopted(agent, record);
    this.parts.events.emit("tab", { kind: "rotation-adopted", at: options.now(), durationMs: 0 });
  }
}
