// The five invariants of issue 19, decided from the simulation's ground truth (the IdP's grants
// and tokens, each request's fate, which logout each tab could know of) — never from the
// client's own opinion. Checked as events happen; 2b and 4a once the run has gone quiet.
// Where the protocol cannot do better by construction, the case is counted as an allowed loss
// or a classified ambiguity, by name, instead of a violation.
import type { AuthSnapshot } from "../src/index.js";
import type { Page, SimBrowser, Tab } from "./sim-browser.js";
import { digestOf } from "../src/tab-coordinator.js";
import type { IdpConfig, IdpRequest, RefreshToken, SimIdp } from "./sim-idp.js";
import type { SimNetwork } from "./sim-network.js";
import { short, type Trace } from "./trace.js";

export interface Violation {
  invariant: 1 | 2 | 3 | 4 | 5;
  at: number;
  page: string;
  what: string;
}

/** The client's scheduled-refresh floor (refresh-scheduler.ts MIN_REFRESH_INTERVAL_MS) and buffer default. */
const MIN_REFRESH_INTERVAL_MS = 5_000;
const REFRESH_BUFFER_S = 60;
/** How long a tab answers for a token it retired (tab-coordinator.ts RETIRED_ANSWER_MS). */
const RETIRED_ANSWER_MS = 60_000;

export class Checker {
  readonly violations: Violation[] = [];
  /** Allowed losses and classified ambiguities, by kind. */
  readonly counted: Record<string, number> = {};
  readonly logouts: Array<{ at: number; page: string }> = [];
  /** The tombstone value each logout wrote, to tell which logout a tab has seen. */
  readonly #tombstones = new Map<string, number>();
  /** Per tab: the latest logout (index) it can know of: its channel delivered it or its localStorage shows it. */
  readonly #knows = new Map<Tab, number>();
  readonly #clockJumps: Array<{ at: number; deltaMs: number }> = [];
  readonly #seen = new WeakMap<Page, AuthSnapshot>();
  /** Every refresh token a page's snapshot has shown: a page that moved on from one can answer for it. */
  readonly #history = new WeakMap<Page, Set<string>>();

  #remember(page: Page, snapshot: AuthSnapshot | undefined): void {
    const token = snapshot?.agent?.tokens.refreshToken;
    if (!token) return;
    const seen = this.#history.get(page) ?? new Set<string>();
    seen.add(token);
    this.#history.set(page, seen);
  }

  constructor(
    private readonly idp: SimIdp,
    private readonly network: () => SimNetwork,
    private readonly browser: SimBrowser,
    private readonly trace: Trace,
    private readonly config: IdpConfig,
    private readonly tombstoneKey: string,
  ) {}

  get #now(): number {
    return this.browser.loop.now;
  }

  /** One report per invariant, page and kind of failure: a tab that stays signed in fails at every timer. */
  readonly #reported = new Set<string>();

  #violate(invariant: Violation["invariant"], page: string, what: string): void {
    const key = `${invariant}|${page}|${what.replace(/[\w-]*\d[\w.-]*/g, "#")}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.violations.push({ invariant, at: this.#now, page, what });
    this.trace.line(page, `!!! invariant ${invariant}: ${what}`);
  }

  count(kind: string): void {
    this.counted[kind] = (this.counted[kind] ?? 0) + 1;
    this.trace.line("", `(counted: ${kind})`);
  }

  // ------------------------------------------------------------ what the world tells us

  logoutStarted(page: Page): void {
    this.logouts.push({ at: this.#now, page: page.label });
    this.#knows.set(page.tab, this.logouts.length - 1);
  }

  clockJumped(deltaMs: number): void {
    this.#clockJumps.push({ at: this.#now, deltaMs });
  }

  /** A storage write reached `tab` (its own or another tab's): the tombstone makes a logout knowable. */
  stored(tab: Tab, key: string, value: string | null): void {
    if (key !== this.tombstoneKey || value === null) return;
    let index = this.#tombstones.get(value);
    if (index === undefined && this.logouts.length > 0) {
      index = this.logouts.length - 1;
      this.#tombstones.set(value, index);
    }
    if (index !== undefined) this.#know(tab, index);
  }

  /**
   * Not one of the five invariants, an observation for defect 7: a handoff (`rotated`) of the
   * tokens that replaced a refresh token the IdP rotated more than 60 s ago, i.e. the
   * "latest only, 60 s" answer window stretched by a late adopter.
   */
  posted(page: Page, data: unknown): void {
    const message = data as { type?: string; from?: string };
    if (message.type !== "rotated" || !message.from) return;
    const spent = this.#byDigest(message.from)?.spentBy;
    if (spent?.processedAt != null && this.#now - spent.processedAt > RETIRED_ANSWER_MS) {
      this.count("observation (defect 7): a tab handed over the replacement of a token rotated more than 60 s before");
    }
  }

  readonly #digests = new Map<string, RefreshToken>();
  #byDigest(digest: string): RefreshToken | undefined {
    if (!this.#digests.has(digest)) for (const rt of this.idp.refreshTokens.values()) this.#digests.set(digestOf(rt.token), rt);
    return this.#digests.get(digest);
  }

  /** A channel message reached a page: a `logout` makes the latest logout knowable. */
  delivered(page: Page, data: unknown): void {
    if ((data as { type?: string }).type === "logout" && this.logouts.length > 0) this.#know(page.tab, this.logouts.length - 1);
  }

  #know(tab: Tab, index: number): void {
    if ((this.#knows.get(tab) ?? -1) < index) this.#knows.set(tab, index);
  }

  /** The logout this tab can know of, if any. */
  #knownLogout(tab: Tab): { at: number; page: string; index: number } | null {
    const index = this.#knows.get(tab);
    const logout = index === undefined ? undefined : this.logouts[index];
    return logout && index !== undefined ? { ...logout, index } : null;
  }

  // ------------------------------------------------------------ invariant 1: no spent refresh token reaches the IdP

  /**
   * The IdP refused a refresh token it had already rotated (and revoked the grant). Allowed only
   * when the answer of the request that spent it reached no live page: the page closed or
   * navigated away mid-request, or the network (or the client's timeout) lost the answer.
   * Anything else — the answer reached a tab and another copy of the token was still sent — is
   * the protocol's failure.
   */
  reuse(request: IdpRequest): void {
    const presented = this.idp.refreshTokens.get(request.refreshToken ?? "");
    const spend = presented?.spentBy;
    if (!spend) return;
    const fate = spend.fate === "pending" && spend.pageRef.state === "dead" ? "lost-page" : spend.fate;
    if (fate === "lost-page") return this.count("allowed loss: the page that spent the token was gone before its answer came");
    if (fate === "lost-network" || fate === "lost-timeout") return this.count("allowed loss: the answer that spent the token was lost on the network or timed out");
    const inFlight = spend.deliveredAt === null || spend.deliveredAt > request.sentAt;
    const how = inFlight ? `still in flight from ${spend.page} when this one was sent, ${((request.sentAt - spend.sentAt) / 1000).toFixed(1)} s after it` : `answered to ${spend.page} before this one was sent`;
    this.#violate(1, request.page, `sent spent refresh token ${short(request.refreshToken)} (spent by request #${spend.id}, ${how}): grant ${presented.grant.id} revoked`);
  }

  codeReuse(request: IdpRequest): void {
    this.#violate(1, request.page, `sent an authorization code twice: the grant is revoked`);
  }

  // ------------------------------------------------------------ invariant 2: a logout sticks

  /** 2a: a refresh of a pre-logout lineage sent by a tab that could know of the logout. */
  requestSent(request: IdpRequest, page: Page): void {
    if (request.path !== "/token" || request.grantType !== "refresh_token") return;
    const logout = this.#knownLogout(page.tab);
    const grant = this.idp.refreshTokens.get(request.refreshToken ?? "")?.grant;
    if (logout && grant && grant.lineageStart < logout.at) {
      this.#violate(2, page.label, `sent refresh token ${short(request.refreshToken)} of ${grant.id} (login before logout #${logout.index} in ${logout.page}) after the tab could know of the logout`);
    }
  }

  /** 2c: after any task of `page`, a tab that can know of a logout shows no session from before it. */
  ranIn(page: Page): void {
    const snapshot = page.client?.getSnapshot();
    if (!snapshot) return;
    this.#checkAgent(page, snapshot);
    const logout = this.#knownLogout(page.tab);
    const grant = this.idp.grantOf(snapshot.agent?.tokens.refreshToken ?? snapshot.agent?.tokens.accessToken);
    if (logout && grant && snapshot.status === "authenticated" && grant.lineageStart < logout.at) {
      this.#violate(2, page.label, `still signed in with ${grant.id} (login before logout #${logout.index} in ${logout.page}) after the tab could know of the logout`);
    }
  }

  // ------------------------------------------------------------ invariant 5 (and 3's transitions): every snapshot

  /** 5: the agent is the user of every token it holds, all of one grant (no other user's agent, no mixed record). */
  #checkAgent(page: Page, snapshot: AuthSnapshot): void {
    const agent = snapshot.agent;
    if (!agent) return;
    const { accessToken, refreshToken } = agent.tokens;
    const byAccess = this.idp.accessTokens.get(accessToken)?.grant;
    const byRefresh = refreshToken ? this.idp.refreshTokens.get(refreshToken)?.grant : undefined;
    const idSub = agent.claims.sub;
    if (byAccess && byAccess.user.sub !== agent.id) this.#violate(5, page.label, `agent ${agent.id} holds ${byAccess.user.sub}'s access token`);
    if (byRefresh && byRefresh.user.sub !== agent.id) this.#violate(5, page.label, `agent ${agent.id} holds ${byRefresh.user.sub}'s refresh token`);
    if (idSub !== agent.id) this.#violate(5, page.label, `agent ${agent.id} with an ID token of ${idSub}`);
    if (byAccess && byRefresh && byAccess !== byRefresh) this.#violate(5, page.label, `mixed record: access token of ${byAccess.id}, refresh token of ${byRefresh.id}`);
  }

  snapshotChanged(page: Page): void {
    const snapshot = page.client?.getSnapshot();
    if (!snapshot) return;
    const before = this.#seen.get(page);
    this.#seen.set(page, snapshot);
    this.#remember(page, snapshot);
    this.#checkAgent(page, snapshot);
    if (before?.agent && !snapshot.agent && snapshot.status !== "loading") this.#sessionEnded(page, before, snapshot);
  }

  // ------------------------------------------------------------ invariant 3: sessions end only for a reason

  /**
   * A session ended in `page`. Allowed: a logout (the client ends it with no error), the IdP
   * refusing the grant (`invalid_grant` from the token endpoint: revoked, expired, reused — a
   * reuse is invariant 1's), or a tab whose token another tab spent when no live tab holds the
   * replacement (the allowed loss). Any other error — a 408, a proxy's HTML page, a local
   * give-up while a live tab could hand over — is a violation.
   */
  #sessionEnded(page: Page, before: AuthSnapshot, after: AuthSnapshot): void {
    const error = after.error;
    if (!error) {
      if (this.logouts.length === 0) this.#violate(3, page.label, "signed out without any logout");
      return;
    }
    if (error.error === "invalid_grant" && error.statusCode === 400) return;
    if (error.error === "invalid_grant" && error.statusCode === undefined) return this.#adoptionFailed(page, before);
    if (error.error === "invalid_id_token") {
      // The IdP's clock is learned from the very answer (idp-clock.ts), halfway through its round trip: a
      // device clock set by more than the skew while the request was out cannot be told from a bad token.
      const last = this.network().requests.filter((r) => r.page === page.label && r.path === "/token").at(-1);
      if (last && this.#clockJumps.some((jump) => jump.at >= last.sentAt && Math.abs(jump.deltaMs) > 60_000)) {
        return this.count("exempt: ID token refused after the device clock jumped during its token request");
      }
    }
    this.#violate(3, page.label, `session ended by ${error.error}${error.statusCode ? ` (HTTP ${error.statusCode})` : ""}: ${error.errorDescription ?? ""}`);
  }

  /** The tab gave up waiting for another tab's tokens: allowed only when no live tab could hand them over. */
  #adoptionFailed(page: Page, before: AuthSnapshot): void {
    const held = this.idp.refreshTokens.get(before.agent?.tokens.refreshToken ?? "");
    if (!held) return this.#violate(3, page.label, "gave up waiting for a handoff of a token the IdP never issued");
    const spend = held.spentBy;
    if (!spend) return this.#violate(3, page.label, `gave up on ${short(held.token)}, which nobody had spent`);
    if (spend.fate !== "delivered") return this.count("allowed loss: the answer that spent the token reached no live page");
    const holders = this.browser.liveTabs
      .map((tab) => tab.page)
      .filter((other): other is Page => !!other && other !== page && other.state !== "dead")
      .filter((other) => {
        const rt = this.idp.refreshTokens.get(other.client?.getSnapshot().agent?.tokens.refreshToken ?? "");
        // Only a page that itself held the spent token and moved on remembers it (a reloaded one does not).
        return rt !== undefined && rt.grant === held.grant && rt.generation > held.generation && this.#history.get(other)?.has(held.token);
      });
    if (holders.length === 0) return this.count("ambiguous: no live page that moved on from the token is left to hand over (closed, reloaded or navigated away)");
    if (held.grant.rotations > held.generation + 1) return this.count("ambiguous: the tab's copy was two or more rotations old (only the latest is answered)");
    if (this.#now - (spend.processedAt ?? 0) > RETIRED_ANSWER_MS) return this.count("ambiguous: the copy was spent more than 60 s ago (retired-token window)");
    if (holders.every((holder) => holder.state !== "running")) return this.count("ambiguous: every holder of the replacement was frozen or in the back-forward cache");
    this.#violate(3, page.label, `gave up on ${short(held.token)} though ${holders.map((h) => h.label).join(", ")} held its replacement (spent ${((this.#now - (spend.processedAt ?? 0)) / 1000).toFixed(1)} s ago)`);
  }

  /** A page started from storage: a live session that the restore threw away without a logout is a session ended without cause. */
  pageStarted(page: Page, storedRefreshToken: string | null): void {
    const snapshot = page.client?.getSnapshot();
    this.#seen.set(page, snapshot as AuthSnapshot);
    this.#remember(page, snapshot);
    const rt = this.idp.refreshTokens.get(storedRefreshToken ?? "");
    if (!rt || !snapshot || snapshot.status !== "unauthenticated") return;
    const grant = rt.grant;
    if (grant.revoked || this.#now >= grant.expiresAt) return;
    if (this.logouts.some((logout) => logout.at > grant.lineageStart)) return;
    this.#violate(3, page.label, `restore dropped a live session (${grant.id}, no logout since its login)`);
  }

  // ------------------------------------------------------------ invariant 4: no storms, no expired token while a valid one exists

  /** 4b: getAccessToken() gave `token` to the app. */
  accessTokenReturned(page: Page, token: string): void {
    const at = this.idp.accessTokens.get(token);
    if (!at) return;
    const logout = this.#knownLogout(page.tab);
    if (logout && at.grant.lineageStart < logout.at) {
      this.#violate(2, page.label, `getAccessToken() returned ${short(token)} of ${at.grant.id} (login before logout #${logout.index}) after the tab could know of the logout`);
    }
    if (at.expiresAt > this.#now) return;
    if (this.#clockJumps.some((jump) => jump.deltaMs < 0 && jump.at >= at.issuedAt)) return this.count("exempt: expired token returned after the device clock was set back");
    const newer = [...this.idp.accessTokens.values()].find(
      (other) => other.grant === at.grant && other.issuedAt > at.issuedAt && other.expiresAt > this.#now && !at.grant.revoked,
    );
    const delivered = newer && this.network().requests.some((r) => r.issued?.accessToken === newer && r.fate === "delivered");
    if (newer && delivered) this.#violate(4, page.label, `getAccessToken() returned ${short(token)}, expired ${((this.#now - at.expiresAt) / 1000).toFixed(1)} s ago, while ${short(newer.token)} was valid`);
  }

  /** 2b and 4a, once the run has gone quiet. */
  final(): void {
    const requests = this.network().requests;
    this.logouts.forEach((logout, index) => {
      for (const request of requests) {
        if (!request.issued || request.sentAt >= logout.at || (request.deliveredAt !== null && request.deliveredAt < logout.at)) continue;
        const grant = request.issued.refreshToken.grant;
        if (grant.revoked) continue;
        if (request.fate !== "delivered") {
          this.count("allowed loss: tokens issued to a request in flight at logout reached no page");
          continue;
        }
        const revocations = requests.filter((r) => r.path === "/revoke" && r.sentAt >= logout.at && this.idp.grantOf(r.refreshToken ?? undefined) === grant);
        if (revocations.length > 0) {
          this.count("ambiguous: the revocation of tokens in flight at logout was lost to a network fault");
          continue;
        }
        this.#violate(2, request.page, `${grant.id}'s tokens from request #${request.id} (in flight at logout #${index} in ${logout.page}) were never revoked`);
      }
    });
    const lifetime = this.config.sendExpiresIn ? this.config.accessTtl : this.config.idTokenTtl;
    const periodMs = Math.max(MIN_REFRESH_INTERVAL_MS, (lifetime - Math.min(REFRESH_BUFFER_S, lifetime / 2)) * 1000);
    for (const grant of this.idp.grants) {
      const end = Math.min(grant.revoked?.at ?? this.#now, grant.expiresAt, this.#now);
      const jumps = this.#clockJumps.filter((jump) => jump.at >= grant.createdAt && jump.at <= end).length;
      const allowed = Math.ceil(Math.max(0, end - grant.createdAt) / periodMs) + 2 + jumps;
      if (grant.refreshes > allowed) {
        this.#violate(4, "", `${grant.id} refreshed ${grant.refreshes} times in ${((end - grant.createdAt) / 1000).toFixed(0)} s (period ${periodMs / 1000} s, allowed ${allowed})`);
      }
    }
  }
}
