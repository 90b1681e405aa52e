// The refresh work that talks to the IdP and to other tabs, in the protocol
// chunk: spending the session's refresh token under its claim, or taking
// what replaced it (tab-coordinator.ts, docs/session-protocol.md).
import type { AuthenticatedAgent } from "./agent.js";
import { isTransient, RefreshError, signedOut } from "./errors.js";
import type { EventBus } from "./events.js";
import type { ResolvedOptions } from "./options.js";
import type { Protocol } from "./protocol.js";
import { sessionDueAt, type RefreshScheduler } from "./refresh-scheduler.js";
import { agentFromRecord, ofEpoch, parseSessionRecord, readSessionRecord, type SessionRecord } from "./session-record.js";
import type { Session, SessionStore, Ticket } from "./session-store.js";
import type { SafeStorage } from "./storage.js";
import type { StorageKeys } from "./storage-keys.js";
import { digestOf, type Claim, type TabCoordinator, type TabMessage } from "./tab-coordinator.js";
import { timers } from "./timers.js";

/**
 * How long a tab waits for the tokens of a refresh another tab already made: several rounds of
 * ask and answer on the channel, whose messages can take seconds on a busy machine and whose
 * first posts from a new page can be lost (3 s gave up on answers already on their way).
 */
const ADOPT_TIMEOUT_MS = 10_000;
/** A claim outlives its request's timeout by this much (no Web Locks: then another tab may take the token). */
const CLAIM_MARGIN_MS = 10_000;
/** How often a tab waiting for those tokens asks again: an ask can be lost (see #awaitHandoff). */
const SYNC_REPEAT_MS = 1_000;

export interface RotationParts {
  options: ResolvedOptions;
  storage: SafeStorage;
  keys: StorageKeys;
  store: SessionStore;
  tabs: TabCoordinator;
  scheduler: () => RefreshScheduler;
  events: EventBus;
}

/**
 * One tab's part in refresh-token rotation across tabs: the refresh token is
 * sent once, by the tab that claims it, and the tabs holding a copy adopt the
 * tokens that replaced it, sealed so that only they can open them.
 */
export class TokenRotation {
  /** Revocation of tokens that arrived after the session ended: a logout waits for it. */
  lateRevocation: Promise<void> | null = null;

  constructor(
    private readonly parts: RotationParts,
    private readonly protocol: Protocol,
  ) {}

  /**
   * Sends the session's refresh token under its claim (tab-coordinator.ts), or
   * takes what replaced it: tokens another tab stored (shared storage) or
   * hands over. A tab whose token another tab spent or is spending asks for
   * the replacement at once and waits; it claims the token itself only if the
   * spender gives it back (its request reached no IdP) or went away mid-request.
   */
  async refreshOrAdopt(planned: Session, ticket: Ticket, attempt: { ours: boolean }): Promise<AuthenticatedAgent> {
    let agent = await this.#refreshOrAdoptOnce(planned, ticket, attempt);
    // What a tab adopts can itself be due: handoffs queued while this page was frozen bring tokens
    // that expired long ago, one after another. Again from those (a few times at most), or the
    // caller gets an expired token.
    const { store, options } = this.parts;
    for (let round = 0; round < 3; round += 1) {
      const adopted = store.session;
      if (attempt.ours || !adopted || options.now() < sessionDueAt(adopted.record, options.refreshBufferSeconds)) break;
      agent = await this.#refreshOrAdoptOnce(adopted, store.ticket(), attempt);
    }
    return agent;
  }

  async #refreshOrAdoptOnce(planned: Session, ticket: Ticket, attempt: { ours: boolean }): Promise<AuthenticatedAgent> {
    const { store, tabs, options } = this.parts;
    const refreshToken = planned.agent.tokens.refreshToken;
    if (!refreshToken) return this.protocol.refresh(planned.agent);
    // Keys before the claim: a JWKS outage costs a retry, not a spent token whose answer cannot be
    // verified. With keys and discovery cached, the request then leaves in the same task as the
    // last check below: no logout (a message, a click) can come in between.
    if (!tabs.isSpent(refreshToken)) await this.protocol.issuer.keys(false);
    let claim = this.#changed(ticket) ? null : await tabs.claim(refreshToken, options.timeoutMs + CLAIM_MARGIN_MS);
    if (typeof claim === "string") claim = await this.#awaitHandoff(ticket, refreshToken);
    if (claim && this.#changed(ticket)) claim.release(false);
    else if (claim) return this.#spend(planned, refreshToken, claim, ticket, attempt);
    if (!store.session) throw signedOut("signed out while refreshing");
    return store.session.agent;
  }

  /** True at the next replacement or end of the session, false if `ms` pass first. Waits on a timer, never polls the clock. */
  #changedWithin(ms: number): Promise<boolean> {
    const { store } = this.parts;
    const ticket = store.ticket();
    return new Promise((resolve) => {
      const finish = (changed: boolean) => {
        unsubscribe();
        timers.clearTimeout(timer);
        resolve(changed);
      };
      const unsubscribe = store.subscribe(() => !store.isCurrent(ticket) && finish(true));
      const timer = timers.setTimeout(() => finish(false), ms);
    });
  }

  /** Tokens another tab stored for us, a logout or a newer login since `ticket`. */
  #changed(ticket: Ticket): boolean {
    this.adoptStored();
    return !this.parts.store.isCurrent(ticket);
  }

  async #spend(planned: Session, refreshToken: string, claim: Claim, ticket: Ticket, attempt: { ours: boolean }): Promise<AuthenticatedAgent> {
    const { store, tabs, scheduler, options } = this.parts;
    const lifetime = planned.record.tokens.expiresAt - planned.record.receivedAt;
    let agent: AuthenticatedAgent;
    try {
      agent = await this.protocol.refresh(planned.agent, lifetime);
    } catch (error) {
      // Only what never reached the IdP (or a proxy's answer) leaves the token good for a retry.
      claim.release(!isTransient(error));
      throw error;
    }
    claim.release(true);
    // The rotation's time, and what the 5 s floor counts from: the answer, not the request's start
    // (expiry already counts from the start: a slow answer makes the tokens older, never younger).
    const receivedAt = options.now() / 1000;
    // A logout (here or in any tab) or a newer login during the request wins: the new tokens are revoked, not kept (security case 33).
    if (!store.isCurrent(ticket)) {
      this.lateRevocation = this.protocol.revokeTokens(agent.tokens).catch(() => undefined);
      throw signedOut("signed out while refreshing");
    }
    tabs.retire(refreshToken, receivedAt * 1000);
    attempt.ours = true;
    scheduler().succeeded();
    const record = store.refreshed(agent, receivedAt);
    options.onRefresh?.(agent.tokens);
    // Tabs that hold the spent token wait for this (sealing is async; nothing need wait for it).
    this.#handOff(digestOf(refreshToken), refreshToken, record).catch(() => undefined);
    return agent;
  }

  /**
   * Our refresh token was spent, or is being spent, by another tab: ask for
   * its replacement instead of reusing it, every SYNC_REPEAT_MS until it comes.
   * Resolves to a claim when the token became ours to send after all, `null`
   * when the session changed (adopted, signed out). A page that just opened its
   * channel may post into nothing: Chromium registers a BroadcastChannel
   * asynchronously (whatwg/html#7267); in the fault suite's ten tabs what late
   * duplicates posted at startup reached no tab in 6 of 9 pages, one posted
   * 500 ms later always did. Only the latest rotation is answered, so asks go
   * out at once and then on a timer, never after a download (the protocol chunk
   * took up to 3 s there).
   * A spender still sending is waited for; a spent token's answer, ADOPT_TIMEOUT_MS.
   */
  async #awaitHandoff(ticket: Ticket, refreshToken: string): Promise<Claim | null> {
    const { tabs, options } = this.parts;
    const sendingMs = options.timeoutMs + CLAIM_MARGIN_MS;
    let spentForMs = 0;
    let claimedForMs = 0;
    for (;;) {
      // The first ask went out before this chunk loaded (SessionRefresh): a page that just opened its channel asks again at once.
      tabs.post({ type: "sync", from: digestOf(refreshToken) });
      // Checked again when the wait ends on its timer: a logout another tab made meanwhile signs this tab out now.
      if (this.#changed(ticket) || (await this.#changedWithin(SYNC_REPEAT_MS)) || this.#changed(ticket)) return null;
      // A claim held longer than any request takes is a spend (its lock outlives the answer by 60 s),
      // whatever this tab's copy of the ledger says: a lagging ledger may have lost the mark.
      const claim = claimedForMs > sendingMs ? "spent" : await tabs.claim(refreshToken, sendingMs);
      if (typeof claim === "object") return claim;
      if (claim === "claimed") claimedForMs += SYNC_REPEAT_MS;
      else if ((spentForMs += SYNC_REPEAT_MS) >= ADOPT_TIMEOUT_MS) {
        // Nobody handed over the newer tokens: sending the spent one would get the grant revoked for every tab.
        throw new RefreshError("invalid_grant", "another tab spent this refresh token and handed over no new tokens");
      }
    }
  }

  /** With shared storage (`storage: "local"`), another tab's refresh is visible right there. */
  adoptStored(): void {
    const { store, storage, keys, options } = this.parts;
    const current = store.session;
    const record = readSessionRecord(storage, keys.session, options.issuerUrl, options.clientId);
    if (!current || !record || record.tokens.refreshToken === current.record.tokens.refreshToken) return;
    if (record.claims.sub !== current.record.claims.sub || record.receivedAt < current.record.receivedAt) return;
    const agent = agentFromRecord(record, options.now);
    if (agent) this.#adopted(agent, record);
  }

  /** Another tab's refresh is ours now: a retry this tab still had pending is over (else a storm after an outage). */
  #adopted(agent: AuthenticatedAgent, record: SessionRecord): void {
    this.parts.store.adopted(agent, record);
    this.parts.scheduler().succeeded();
  }

  /** Tells the tabs that held `refreshToken` what replaced it, sealed so only they can read it. */
  async #handOff(digest: string, refreshToken: string, record: SessionRecord): Promise<void> {
    const sealed = await this.protocol.seal(record, refreshToken);
    this.parts.tabs.post({ type: "rotated", from: digest, sealed });
    this.parts.events.emit("tab", { kind: "rotation-handed-off", at: this.parts.options.now(), durationMs: 0 });
  }

  /** A rotation or a request for one from another tab. */
  async onTabMessage(message: Exclude<TabMessage, { type: "logout" }>): Promise<void> {
    const { store, tabs, options } = this.parts;
    const ticket = store.ticket();
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
    const opened = await this.protocol.unseal(message.sealed, refreshToken);
    const record = parseSessionRecord(opened, options.issuerUrl, options.clientId);
    // The same user, the same logout epoch, and nothing changed here meanwhile (security cases 27, 33).
    if (!store.isCurrent(ticket) || !record || record.claims.sub !== current.agent.id || !ofEpoch(record, ticket.epoch)) return;
    const agent = agentFromRecord(record, options.now);
    if (!agent) return;
    // The rotation happened when the spender received these tokens, not now (a late adopter must not extend the 60 s).
    tabs.retire(refreshToken, record.receivedAt * 1000);
    this.#adopted(agent, record);
    this.parts.events.emit("tab", { kind: "rotation-adopted", at: options.now(), durationMs: 0 });
  }
}
