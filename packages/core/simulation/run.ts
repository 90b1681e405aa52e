// One simulated run: a browser of 1–10 tabs, each page a real AuthPIClient, against the sim IdP,
// through the simulated network; the scenario's actions, then a quiet end (no faults, frozen
// pages resumed) long enough for every timer and request to settle; the invariants after every
// event and at the end.
import type { Scheduler } from "fast-check";
import { AuthPIClient } from "../src/index.js";
import { storageKeys } from "../src/storage-keys.js";
import { timers } from "../src/timers.js";
import { wakeEvents } from "../src/wake-events.js";
import { Checker, type Violation } from "./invariants.js";
import { Page, SimBrowser, keyLabel, type Tab } from "./sim-browser.js";
import { APP, CLIENT_ID, ISSUER, REDIRECT_URI, SimIdp, USERS } from "./sim-idp.js";
import { Loop, currentPage, type Task } from "./sim-loop.js";
import { SimNetwork } from "./sim-network.js";
import { chance, randomInt, seedRandom, simRandom } from "./sim-random.js";
import type { Action, Scenario } from "./scenario.js";
import { short, Trace } from "./trace.js";

export const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
/** The quiet end: long enough for backoffs (≤ 60 s), retired-token windows and lock waits to run out. */
const QUIET_MS = 150_000;
const KEYS = storageKeys(CLIENT_ID);
const MAX_TABS = 10;

export interface RunResult {
  violations: Violation[];
  counted: Record<string, number>;
  tabs: number;
  events: number;
  trace: Trace;
}

const noop = () => undefined;

export async function runScenario(scheduler: Scheduler, scenario: Scenario): Promise<RunResult> {
  seedRandom(scenario.prngSeed);
  const realRandom = Math.random;
  Math.random = simRandom;
  // eslint-disable-next-line prefer-const
  let loop: Loop;
  const trace = new Trace(() => loop.now, T0);
  loop = new Loop(scheduler, trace, T0);
  // The device clock: one per browser, shared by every tab (a clock action moves it for all of them).
  let skewMs = scenario.skewMs;
  const deviceNow = () => loop.now + skewMs;
  const idp = new SimIdp(scenario.idp, () => loop.now);
  let network: SimNetwork;
  let checker: Checker;
  const browser = new SimBrowser(loop, trace, scenario.browser, {
    load: (page) => startPage(page),
    leave: (page, url) => atIdp(page.tab, url),
    stored: (tab, area, key, value, by) => {
      if (by) trace.line(by.label, `${area}Storage ${value === null ? "remove" : "set"} ${keyLabel(key)}${key === KEYS.session && value ? ` ${describeRecord(value)}` : ""}`);
      checker.stored(tab, key, value);
      if (by && key === KEYS.session && value) checker.ranIn(by);
    },
    delivered: (page, data) => checker.delivered(page, data),
    posted: (page, data) => checker.posted(page, data),
  });
  network = new SimNetwork(browser, idp, trace, { faultRate: scenario.faultRate, slowRate: scenario.slowRate, timeoutMs: scenario.requestTimeoutSeconds * 1000 }, (request, page) => {
    checker.requestSent(request, page);
  });
  // A logout is knowable in a tab once the logout epoch it wrote reaches that tab's localStorage
  // (docs/session-protocol.md): the wall-clock tombstone `logged-out` of the old protocol is gone.
  checker = new Checker(idp, () => network, browser, trace, scenario.idp, KEYS.logoutEpoch);
  // The IdP reports reuse as it processes: hook its outcomes.
  const token = idp.token.bind(idp);
  idp.token = (params, request) => {
    const answer = token(params, request);
    if (request.outcome === "REUSE") checker.reuse(request);
    if (request.outcome === "code-reuse") checker.codeReuse(request);
    return answer;
  };

  timers.setProvider({
    setTimeout: (callback, ms) => loop.at(ms, currentPage.getStore() ?? null, `timer ${ms} ms`, callback, "timer"),
    clearTimeout: (handle) => {
      if (handle) (handle as Task).cancelled = true;
    },
  });
  wakeEvents.setEventListener((wake) => {
    const page = currentPage.getStore() as Page | undefined;
    page?.wakes.add(wake);
    return () => page?.wakes.delete(wake);
  });
  browser.install();

  function startPage(page: Page): void {
    const area = scenario.storage === "local" ? page.tab.local : page.tab.session;
    const stored = area.get(KEYS.session);
    const storedRefreshToken = stored ? (JSON.parse(stored) as { tokens?: { refreshToken?: string } }).tokens?.refreshToken ?? null : null;
    const client = new AuthPIClient({
      issuerUrl: ISSUER,
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      postLogoutRedirectUri: `${APP}/`,
      storage: scenario.storage,
      fetch: (input, init) => network.fetch(page, input, init),
      now: deviceNow,
      requestTimeoutSeconds: scenario.requestTimeoutSeconds,
      apiOrigins: ["https://api.test"],
      ...(scenario.org ? { org: "org_b" } : {}),
    });
    page.client = client;
    client.subscribe(() => checker.snapshotChanged(page));
    checker.pageStarted(page, storedRefreshToken);
    trace.line(page.label, `client started: ${client.getSnapshot().status}`);
    void client.start().catch(noop);
  }

  /** The tab is at the IdP (authorize or end-session); it comes back to the app later. */
  function atIdp(tab: Tab, url: URL): void {
    if (url.pathname.endsWith("/auth")) {
      const answer = idp.authorize(url);
      if ("redirect" in answer) {
        trace.line(`t${tab.id}`, `IdP /auth → ${new URL(answer.redirect).search.includes("error=") ? "error" : "code"} (IdP session of ${idp.session?.user.sub ?? "nobody"})`);
        loop.at(randomInt(30, 600), null, `t${tab.id} back from the IdP`, () => !tab.closed && browser.load(tab, answer.redirect, randomInt(30, 600)));
        return;
      }
      trace.line(`t${tab.id}`, "IdP /auth: the user signs in");
      loop.at(randomInt(2_000, 20_000), null, `t${tab.id} user signs in at the IdP`, () => {
        if (tab.closed) return;
        idp.signIn(chance(0.8) ? USERS.alice! : USERS.bob!);
        url.searchParams.delete("prompt");
        atIdp(tab, url);
      });
      return;
    }
    if (url.pathname.endsWith("/logout")) {
      idp.endSession();
      trace.line(`t${tab.id}`, "IdP end-session: the IdP session ends");
      const back = new URL(url.searchParams.get("post_logout_redirect_uri") ?? `${APP}/`);
      const state = url.searchParams.get("state");
      if (state) back.searchParams.set("state", state);
      loop.at(randomInt(30, 600), null, `t${tab.id} back from end-session`, () => !tab.closed && browser.load(tab, back.href, randomInt(30, 600)));
      return;
    }
    trace.line(`t${tab.id}`, `left for ${url.href}`);
  }

  function openTab(url: string, copyFrom: Tab | null): void {
    if (browser.liveTabs.length >= MAX_TABS) return;
    const tab = browser.openTab(url, copyFrom, randomInt(50, 2_000));
    trace.line(`t${tab.id}`, copyFrom ? `duplicate of t${copyFrom.id}` : "new tab");
    checker.stored(tab, KEYS.logoutEpoch, tab.local.get(KEYS.logoutEpoch) ?? null);
  }

  function act(action: Action): void {
    const tabs = browser.liveTabs;
    if (tabs.length === 0) return openTab(`${APP}/`, null);
    const tab = tabs[action.tab % tabs.length] as Tab;
    const page = tab.page;
    const label = `t${tab.id}`;
    if (action.kind === "clock") {
      const delta = (chance(0.5) ? -1 : 1) * [1_000, 30_000, 300_000, 3_600_000, 7_200_000][action.n % 5]!;
      skewMs += delta;
      checker.clockJumped(delta);
      return trace.line("", `device clock jumps ${delta > 0 ? "+" : ""}${delta / 1000} s`);
    }
    if (action.kind === "offline") {
      network.offlineUntil = loop.now + action.n * 5_000;
      trace.line("", `offline for ${action.n * 5} s`);
      loop.at(action.n * 5_000, null, "back online", () => {
        for (const t of browser.liveTabs) if (t.page?.state === "running") currentPage.run(t.page, () => Array.from(t.page!.wakes).forEach((wake) => wake("online")));
      });
      return;
    }
    if (action.kind === "newTab") return openTab(`${APP}/`, null);
    if (action.kind === "wait") return;
    if (!page || page.state !== "running" || !page.client) return;
    const client = page.client;
    trace.line(page.label, `USER ${action.kind}${action.kind === "tokens" ? ` ×${action.n}` : ""}`);
    switch (action.kind) {
      case "login":
        return currentPage.run(page, () => void client.loginWithRedirect().catch(noop));
      case "logout":
        if (!client.getSnapshot().agent) return currentPage.run(page, () => void client.loginWithRedirect().catch(noop));
        checker.logoutStarted(page);
        return currentPage.run(page, () => void client.logout().catch(noop));
      case "tokens": {
        // A burst: all at once (joined into one refresh), or spread out as an app's requests are.
        const spacing = action.n % 3 === 0 ? 0 : 100 + (action.gap % 1_400);
        const call = () =>
          void client.getAccessToken().then((token) => {
            trace.line(page.label, `getAccessToken() → ${short(token)}`);
            checker.accessTokenReturned(page, token);
          }, noop);
        for (let i = 0; i < action.n; i += 1) {
          if (i === 0 || spacing === 0) currentPage.run(page, call);
          else loop.at(i * spacing, page, `getAccessToken() #${i + 1}`, call, "timer");
        }
        return;
      }
      case "fetch":
        return currentPage.run(page, () => void client.fetch("https://api.test/projects").catch(noop));
      case "org":
        return currentPage.run(page, () => void client.setActiveOrg(["org_a", "org_b", null, "org_x"][action.n % 4] ?? null).catch(noop));
      case "duplicate":
        return openTab(page.url.href, tab);
      case "close":
        return browser.close(tab);
      case "reload":
        browser.kill(page, "reload");
        browser.load(tab, page.url.href, randomInt(50, 1_500));
        return;
      case "freeze": {
        browser.freeze(page);
        checker.away(page);
        const ms = action.n * action.n * 6_000;
        loop.at(ms, null, `${label} resumes after ${ms / 1000} s frozen`, () => browser.wake(page, "resume"));
        return;
      }
      case "bfcache": {
        const ms = action.n * 8_000;
        if (page.pendingFetches > 0 || browser.locks.involves(page)) {
          // Not eligible for the back-forward cache: Back loads the page anew.
          browser.kill(page, "navigated away (not cacheable)");
          loop.at(ms, null, `${label} back (reload)`, () => !tab.closed && !tab.page && browser.load(tab, page.url.href, randomInt(50, 800)));
          return;
        }
        page.state = "bfcache";
        checker.away(page);
        loop.at(ms, null, `${label} back from the back-forward cache after ${ms / 1000} s`, () => browser.wake(page, "pageshow"));
        return;
      }
    }
  }

  try {
    browser.openTab(`${APP}/`, null, 100);
    // The first login goes through a calm network: faults start once a session exists to lose.
    network.calm = true;
    let at = 1_000;
    loop.at(at, null, "USER login (first)", () => act({ kind: "login", gap: 0, tab: 0, n: 1 }));
    at += 25_000;
    loop.at(at, null, "faults begin", () => void (network.calm = false));
    for (const action of scenario.actions) {
      at += action.gap;
      loop.at(at, null, `action ${action.kind}`, () => act(action));
    }
    if (scenario.foreignLockAt !== null) {
      // The old protocol's refresh lock name: claims are named per token (`refresh:<digest>.<proof>`, which
      // a script without the token cannot name), so this checks that nothing waits on the bare name any more.
      loop.at(scenario.foreignLockAt, null, "a foreign script takes the bare refresh lock name forever", () => browser.locks.holdForever(KEYS.lock));
    }
    const afterEvent = () => {
      const owner = loop.lastOwner;
      if (owner instanceof Page && owner.state !== "dead") checker.ranIn(owner);
    };
    await loop.runUntil(T0 + at + 1_000, afterEvent);
    // The quiet end: no faults, every page back, every channel post delivered.
    trace.line("", "--- quiet: no more faults or actions ---");
    network.calm = true;
    network.offlineUntil = 0;
    browser.faults.freshPostLoss = 0;
    for (const tab of browser.liveTabs) {
      const page = tab.page;
      if (page && (page.state === "frozen" || page.state === "bfcache")) browser.wake(page, page.state === "frozen" ? "resume" : "pageshow");
    }
    await loop.runUntil(loop.now + QUIET_MS, afterEvent);
    checker.final();
    return { violations: checker.violations, counted: checker.counted, tabs: browser.tabs.length, events: loop.events, trace };
  } finally {
    browser.uninstall();
    timers.setProvider(null);
    wakeEvents.setEventListener(null);
    Math.random = realRandom;
  }
}

function describeRecord(value: string): string {
  try {
    const record = JSON.parse(value) as { tokens: { refreshToken?: string; accessToken: string }; claims: { sub: string } };
    return `rt=${short(record.tokens.refreshToken)} at=${short(record.tokens.accessToken)} ${record.claims.sub}`;
  } catch {
    return "";
  }
}
