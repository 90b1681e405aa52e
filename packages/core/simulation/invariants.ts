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
  /** The logout epoch each logout wrote (a random id), to tell which logout a tab has seen. */
  readonly #epochs = new Map<string, number>();
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
    private readonly logoutEpochKey: string,
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

  /** A storage write reached `tab` (its own or another tab's): a new logout epoch makes a logout knowable. */
  stored(tab: Tab, key: string, value: string | null): void {
    if (key !== this.logoutEpochKey || value === null) return;
    let index = this.#epochs.get(value);
    if (index === undefined && this.logouts.length > 0) {
      index = this.logouts.length - 1;
      this.#epochs.set(value, index);
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
    if (message.type === "sync" && message.from) {
      const asked = this.#byDigest(message.from);
      const key = `${page.label} ${message.from}`;
      if (asked && !this.#firstAsk.has(key)) this.#firstAsk.set(key, { at: this.#now, behind: asked.grant.rotations - asked.generation });
    }
    if (message.type !== "rotated" || !message.from) return;
    const spent = this.#byDigest(message.from)?.spentBy;
    if (spent?.processedAt == null || this.#now - spent.processedAt <= RETIRED_ANSWER_MS) return;
    // The spender's own announcement, at the answer's arrival (a page frozen mid-request gets it on
    // resume): the rotation is news to every tab then; defect 7 is about answers to later `sync`s.
    if (page.label === spent.page && spent.deliveredAt === this.#now) return this.count("observation: a spender frozen mid-request announced its rotation on resume, more than 60 s after the IdP rotated");
    // The client measures the window on the device clock from its own record of the rotation (taken
    // when the spender sent its request, which is earlier than the IdP's rotation). A device clock set
    // back since then stretches the window in real time: the tab judged it right on the only clock it has.
    if (this.#deviceAge(spent.sentAt) <= RETIRED_ANSWER_MS) return this.count("ambiguous: a handoff more than 60 s after the rotation in real time, within 60 s on the device clock (set back since)");
    this.count("observation (defect 7): a tab handed over the replacement of a token rotated more than 60 s before");
  }

  /**
   * How much time the device clock shows since true time `since`: the real time plus every jump since.
   * The device clock is one per browser (run.ts `deviceNow`): every tab reads the same jumps.
   */
  #deviceAge(since: number): number {
    return this.#now - since + this.#clockJumps.filter((jump) => jump.at > since).reduce((sum, jump) => sum + jump.deltaMs, 0);
  }

  /**
   * The page stopped running (frozen, or in the back-forward cache, which drops channel messages):
   * its next `sync` counts as its first. Holders answer only the latest rotation; a copy that fell
   * behind while its tab could not ask or hear is the documented "two rotations old" limit, as for a
   * page that starts with it (seeds 6204, 6391, 9198: a waiter put in the back-forward cache mid-wait
   * lost every answer and came back two or more rotations behind). A running waiter is still judged
   * from its first ask, so a holder that lets a listening tab fall behind is not excused.
   */
  away(page: Page): void {
    for (const key of this.#firstAsk.keys()) if (key.startsWith(`${page.label} `)) this.#firstAsk.delete(key);
  }

  /** Per page and digest: a tab's first `sync` for a token, and how many rotations its copy was behind then. */
  readonly #firstAsk = new Map<string, { at: number; behind: number }>();
  /** Pages whose session ended on a fatal answer, by the request that brought it (the last token request of the page). */
  readonly #endedBy = new WeakMap<Page, IdpRequest>();

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
    // The same loss, the other way round: the page that sent the token first went away with its request
    // still on the wire (its claim died with it, so the protocol lets another tab send the token, whose
    // fate is unknown), and that first request reached the IdP last. Once a request whose answer nobody
    // can receive reaches the IdP, the lineage is lost whatever the tabs do: waiting would only leave the
    // token spent with its answer gone instead of the grant revoked.
    const gone = request.pageRef.goneAt;
    if (request.sentAt < spend.sentAt && gone !== null && gone <= spend.sentAt) {
      return this.count("allowed loss: the page that sent the token first was gone before its request reached the IdP (another tab had sent it since)");
    }
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
    const last = this.network().requests.filter((r) => r.page === page.label && r.path === "/token").at(-1);
    // Ended in the very task its last token answer arrived in: the answer was refused (a fatal verdict).
    if (error && last?.deliveredAt === this.#now) this.#endedBy.set(page, last);
    if (!error) {
      if (this.logouts.length === 0) this.#violate(3, page.label, "signed out without any logout");
      return;
    }
    if (error.error === "invalid_grant" && error.statusCode === 400) return;
    if (error.error === "invalid_grant" && error.statusCode === undefined) return this.#adoptionFailed(page, before);
    if (error.error === "invalid_id_token") {
      // The IdP's clock is learned from the very answer (idp-clock.ts), halfway through its round trip: a
      // device clock set by more than the skew while the request was out cannot be told from a bad token.
      if (last && this.#clockJumps.some((jump) => jump.at >= last.sentAt && Math.abs(jump.deltaMs) > 60_000)) {
        return this.count("exempt: ID token refused after the device clock jumped during its token request");
      }
    }
    this.#violate(3, page.label, `session ended by ${error.error}${error.statusCode ? ` (HTTP ${error.statusCode})` : ""}: ${error.errorDescription ?? ""}`);
  }

  /**
   * The tab gave up waiting for another tab's tokens (`invalid_grant` with no HTTP status: the
   * client's own verdict). Allowed when the IdP itself ended the lineage (the token the tab waited
   * for was refused, its grant expired or was revoked: the session is over in every tab, whoever
   * notices first), or when nobody can hand the replacement over: the spender's answer was lost or
   * fatal, no live page moved on from the token, or a documented limit (a copy two rotations old, a
   * token spent more than 60 s before, by the device clock). A give-up while a running tab that moved
   * on from the token could still answer is a violation.
   */
  #adoptionFailed(page: Page, before: AuthSnapshot): void {
    const held = this.idp.refreshTokens.get(before.agent?.tokens.refreshToken ?? "");
    if (!held) return this.#violate(3, page.label, "gave up waiting for a handoff of a token the IdP never issued");
    const grant = held.grant;
    const spend = held.spentBy;
    if (spend && spend.fate !== "delivered") return this.count("allowed loss: the answer that spent the token reached no live page");
    // The IdP ended the lineage: the session is over in every tab, whichever notices first. A revocation
    // by reuse is invariant 1's to judge (a violation or an allowed loss there), not this tab's.
    if (grant.revoked) return this.count(`allowed: gave up on a token of a grant the IdP had revoked (${grant.revoked.reason})`);
    if (this.#now >= grant.expiresAt) return this.count("allowed: gave up on a token whose grant had expired at the IdP");
    // The spender was refused (400 rt-expired, rt-unknown…): nothing replaced the token, nothing can.
    const refusal = this.network().requests.find((r) => r.refreshToken === held.token && r.path === "/token" && r.processedAt !== null && r.outcome.startsWith("rt-"));
    if (refusal) return this.count(`allowed: gave up on a token the IdP refused (${refusal.outcome})`);
    if (!spend) return this.#violate(3, page.label, `gave up on ${short(held.token)}, which nobody had spent`);
    const spender = spend.pageRef as Page;
    if (this.#endedBy.get(spender) === spend) return this.count("allowed: the tab that spent the token got an answer it had to refuse (its session ended)");
    const holders = this.browser.liveTabs
      .map((tab) => tab.page)
      .filter((other): other is Page => !!other && other !== page && other.state !== "dead")
      .filter((other) => {
        const rt = this.idp.refreshTokens.get(other.client?.getSnapshot().agent?.tokens.refreshToken ?? "");
        // Only a page that itself held the spent token and moved on remembers it (a reloaded one does not).
        return rt !== undefined && rt.grant === grant && rt.generation > held.generation && this.#history.get(other)?.has(held.token);
      });
    if (holders.length === 0) return this.count("ambiguous: no live page that moved on from the token is left to hand over (closed, reloaded or navigated away)");
    // Only the latest rotation is answered (documented limit): judged when the tab first asked, so a copy
    // one rotation behind that a running holder let fall further behind while it waited is not excused.
    const behind = this.#firstAsk.get(`${page.label} ${digestOf(held.token)}`)?.behind ?? grant.rotations - held.generation;
    if (behind >= 2) return this.count("ambiguous: the tab's copy was two or more rotations old (only the latest is answered)");
    // The 60 s answer window runs on the device clock (one per browser), from the spender's request:
    // real time past 60 s is the documented window; a jump of the device clock since then can close it
    // early (set back: a negative age; set forward past 60 s), which no tab can tell from a stale ask.
    const realAge = this.#now - spend.sentAt;
    const deviceAge = this.#deviceAge(spend.sentAt);
    if (realAge >= RETIRED_ANSWER_MS) return this.count("ambiguous: the copy was spent more than 60 s ago (retired-token window)");
    if (deviceAge < 0 || deviceAge >= RETIRED_ANSWER_MS) return this.count("ambiguous: the device clock jumped since the rotation, out of the 60 s answer window");
    if (holders.every((holder) => holder.state !== "running")) return this.count("ambiguous: every holder of the replacement was frozen or in the back-forward cache");
    const fell = grant.rotations - held.generation >= 2 ? ", its copy falling two rotations behind while it waited" : "";
    this.#violate(3, page.label, `gave up on ${short(held.token)} though ${holders.map((h) => h.label).join(", ")} held its replacement (spent ${(realAge / 1000).toFixed(1)} s ago${fell})`);
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
    // Exempt only when the device clock, set back since the token was issued, still shows it within its
    // lifetime: any jump back, however small, would otherwise excuse a token long expired on every clock.
    const setBack = this.#clockJumps.some((jump) => jump.deltaMs < 0 && jump.at >= at.issuedAt);
    if (setBack && this.#deviceAge(at.issuedAt) < at.expiresAt - at.issuedAt) return this.count("exempt: expired token returned after the device clock was set back");
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
