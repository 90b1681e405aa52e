// The session scenarios in three engines from this one source: Chromium, Firefox ESR and
// WebKitGTK, one after another, against one dev IdP and one Vite server. What the kit leans on
// here (BroadcastChannel, Web Locks, sessionStorage copied by page.open, the back-forward
// cache) is what differs most between engines. Requests are counted at the IdP, in every engine.
// The fault suite's depth (offline, freeze, clocks) stays in Chromium: faults.test.ts.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startServers, type Servers } from "../support/stack.js";
import { launchChromiumEngine } from "./chromium.js";
import { click, count, currentUrl, pause, selectOption, textOf, waitForSelector, waitForUrl, waitUntil, type Engine, type EngineProfile, type EngineWindow } from "./engine.js";
import { launchFirefoxEngine } from "./firefox.js";
import { pageRecord, pageRecorder } from "./page-recorder.js";
import { recordServerRequests, type ServerRequests } from "./server-requests.js";
import { launchWebkitEngine } from "./webkit.js";

// A 10-second access token: the demo refreshes every 5 s (half the lifetime, SPEC §7.5).
const TTL = 10;
const SESSION_KEY = "authpi:cli_dev_demo:session";
const engines: [string, () => Promise<Engine>][] = [
  ["chromium", launchChromiumEngine],
  ["firefox", launchFirefoxEngine],
  ["webkit", launchWebkitEngine],
];

let servers: Servers;
let atIdp: ServerRequests;
beforeAll(async () => {
  servers = await startServers({ accessTokenTtl: TTL, idTokenTtl: TTL }, [pageRecorder]);
  atIdp = recordServerRequests(servers.idp.origin);
}, 120_000);
afterAll(async () => {
  atIdp?.stop();
  await servers?.close();
});

const issuerPath = () => new URL(servers.idp.issuerUrl).pathname;
/** The token endpoint's answers (status codes) since the last clear. */
const tokenAnswers = () => atIdp.requests.filter((request) => request.method === "POST" && request.url === `${issuerPath()}/token`).map((request) => request.status);
/** IdP requests other than token requests: what a reload or an organization switch must not send. */
const nonTokenRequests = () => atIdp.requests.filter((request) => !request.url.startsWith(`${issuerPath()}/token`)).map((request) => `${request.method} ${request.url.split("?")[0]}`);
const idpRefreshes = () => servers.idp.tokenRequests().refresh_token ?? 0;

const waitForStatus = (page: EngineWindow, value: string, timeout = 20_000) =>
  waitUntil(page, (expected) => document.querySelector("[data-testid=status]")?.textContent === expected, value, timeout, `status ${value}`);
const waitForProjectsOf = (page: EngineWindow, org: string) =>
  waitUntil(page, (id) => document.querySelector("[data-testid=project-list]")?.getAttribute("data-org") === id, org, 20_000, `projects of ${org}`);
const statusesSeen = async (page: EngineWindow) => (await page.evaluate(pageRecord, null)).statuses;
const storedSession = (page: EngineWindow) => page.evaluate((key) => sessionStorage.getItem(key), SESSION_KEY);
const refreshCount = async (page: EngineWindow) => Number(await textOf(page, "[data-testid=refresh-count]"));
const orgPicked = (page: EngineWindow) => page.evaluate(() => (document.querySelector("[data-testid=org-switcher]") as HTMLSelectElement | null)?.value, null);

/** Clicks the seeded user's button on the dev IdP's login page and waits to be back in the app. */
async function signInAt(page: EngineWindow, email: string): Promise<void> {
  await click(page, `button[data-email="${email}"]`);
  await waitForUrl(page, servers.appUrl);
}

/** Signs in from `path` in a new window and waits for the authenticated status. */
async function signIn(profile: EngineProfile, email: string, path = "/dashboard"): Promise<EngineWindow> {
  const page = await profile.newWindow();
  await page.goto(`${servers.appUrl}${path}`);
  await waitForUrl(page, servers.idp.issuerUrl);
  await signInAt(page, email);
  await waitForStatus(page, "authenticated");
  return page;
}

describe.each(engines)("%s", (engineName, launch) => {
  let engine: Engine;
  let profile: EngineProfile;
  let started = 0;
  beforeAll(async () => {
    started = performance.now();
    engine = await launch();
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    console.log(`engines: ${engineName} (${engine?.version}) ran its scenarios in ${((performance.now() - started) / 1000).toFixed(1)} s, browser start and stop included`);
  });
  beforeEach(async () => {
    profile = await engine.newProfile();
    servers.idp.resetCounters();
    atIdp.clear();
  });
  afterEach(() => profile?.close());

  it("login: one code exchange, loading then authenticated, tokens only in this window's sessionStorage, a clean address bar (cases 11, 30, 38)", async () => {
    const page = await signIn(profile, "olivia@acme.test");
    expect(await textOf(page, "[data-testid=user-email]")).toContain("olivia@acme.test");
    expect(await statusesSeen(page)).toEqual(["loading", "authenticated"]);
    expect(servers.idp.tokenRequests()).toEqual({ authorization_code: 1 });
    const found = await page.evaluate(async () => ({
      session: Object.keys(sessionStorage),
      localTokens: Object.values(localStorage).filter((value) => /eyJ[\w-]+\.[\w-]+/.test(value)),
      cookie: document.cookie,
      databases: (await indexedDB.databases()).map((db) => db.name),
    }), null);
    expect(found.session.every((key) => key.startsWith("authpi:cli_dev_demo:"))).toBe(true);
    expect(found.session).toContain(SESSION_KEY);
    expect(found).toMatchObject({ localTokens: [], cookie: "", databases: [] });
    const url = new URL(await currentUrl(page));
    for (const name of ["code", "state", "iss", "session_state"]) expect(url.searchParams.has(name)).toBe(false);
  });

  it("reload: the session stays, with no signed-out or loading frame and no request to the IdP", async () => {
    // Reloaded at once after the sign-in: the first background refresh is ~5 s away.
    const page = await signIn(profile, "olivia@acme.test", "/projects");
    await waitForSelector(page, "[data-testid=project-list]");
    atIdp.clear();
    await page.reload();
    await waitForSelector(page, "[data-testid=project-list]");
    expect(await statusesSeen(page)).toEqual(["authenticated"]);
    expect(atIdp.requests).toEqual([]);
  });

  it("background refresh: on its own before the access token expires, answered 200 (the duplicated window below keeps it going)", async () => {
    const page = await signIn(profile, "max@acme.test");
    servers.idp.resetCounters();
    atIdp.clear();
    await waitUntil(page, () => Number(document.querySelector("[data-testid=refresh-count]")?.textContent) >= 1, null, TTL * 1000, "a refresh");
    expect(idpRefreshes()).toBe(1);
    expect(tokenAnswers()).toEqual([200]);
    const stored = JSON.parse((await storedSession(page)) ?? "{}") as { tokens: { expiresAt: number } };
    // A new access token: ~10 s left, where the first one had ~5.
    expect(stored.tokens.expiresAt).toBeGreaterThan(Date.now() / 1000 + TTL * 0.75);
    await waitForStatus(page, "authenticated");
  });

  it("duplicated window (window.open copies sessionStorage): it and its opener keep refreshing one lineage, zero invalid_grant (case 27)", async () => {
    const opener = await signIn(profile, "olivia@acme.test");
    const duplicate = await opener.open(await currentUrl(opener));
    await waitForStatus(duplicate, "authenticated");
    servers.idp.resetCounters();
    atIdp.clear();
    // Two refresh periods with two windows holding one refresh token lineage.
    await pause(2 * (TTL / 2) * 1000 + 1_000);
    // Read between two refreshes: the IdP counts a request before the window has its answer.
    const windowsRefreshes = async () => (await refreshCount(opener)) + (await refreshCount(duplicate));
    for (let tries = 0; tries < 30 && ((await windowsRefreshes()) !== idpRefreshes() || tokenAnswers().includes(0)); tries += 1) await pause(100);
    const refreshes = idpRefreshes();
    expect(refreshes).toBeGreaterThanOrEqual(2);
    expect(tokenAnswers()).toEqual(Array(refreshes).fill(200));
    expect(await windowsRefreshes()).toBe(refreshes);
    await waitForStatus(opener, "authenticated");
    await waitForStatus(duplicate, "authenticated");
    const refreshToken = async (page: EngineWindow) => (JSON.parse((await storedSession(page)) ?? "{}") as { tokens: { refreshToken: string } }).tokens.refreshToken;
    expect(await refreshToken(duplicate)).toBe(await refreshToken(opener));
  });

  it("logout in one window signs out every window, leaves no token anywhere and never signs back in silently (cases 30, 33, 34)", async () => {
    const first = await signIn(profile, "tara@example.test");
    await selectOption(first, "[data-testid=org-switcher]", "org_acme");
    const home = await first.open("/");
    const gated = await first.open("/projects");
    await waitForStatus(home, "authenticated");
    await waitForSelector(gated, "[data-testid=project-list]");
    await click(first, "[data-testid=logout]");
    await waitForStatus(home, "unauthenticated", 10_000);
    expect(await home.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith("authpi:")), null)).toEqual([]);
    // Signing in again in the gated window asks the IdP for credentials (prompt=login).
    await click(gated, "[data-testid=session-ended] button.primary");
    await waitForUrl(gated, servers.idp.origin);
    await waitForSelector(gated, 'button[data-email="tara@example.test"]');
    // The IdP ends its session too: confirm on its page, land back on the app signed out.
    await waitForUrl(first, servers.idp.issuerUrl);
    await click(first, "button[name=logout][value=yes]");
    await waitForUrl(first, servers.appUrl);
    await waitForStatus(first, "unauthenticated");
    for (const [name, page] of Object.entries({ first, home })) {
      // The page back from the IdP shows `unauthenticated` before its start() effect drops the
      // logout's state (seen once in WebKit): wait for that, then look.
      await waitUntil(page, (key) => sessionStorage.getItem(key) === null, "authpi:cli_dev_demo:logout", 2_000, `${name}: the logout state dropped`);
      const leftovers = await page.evaluate(() => ({
        session: Object.keys(sessionStorage).filter((key) => key.startsWith("authpi:")),
        // No token material in localStorage (the rotation ledger holds hashes only).
        local: Object.values(localStorage).filter((value) => /eyJ[\w-]+\.[\w-]+/.test(value)),
        cookie: document.cookie,
      }), null);
      expect(leftovers, name).toEqual({ session: [], local: [], cookie: "" });
    }
  });

  it("logout reaches a window that was in the back-forward cache: Back brings it back signed out, sending nothing (case 33)", async () => {
    const away = await signIn(profile, "max@acme.test");
    // On the public home page: a gated page would go on to the login once signed out.
    await away.goto(`${servers.appUrl}/`);
    await waitForStatus(away, "authenticated");
    // Not opened by `away` (an opener is never cached): its own session, by single sign-on.
    const other = await profile.newWindow();
    await other.goto(`${servers.appUrl}/dashboard`);
    await waitForStatus(other, "authenticated");
    await away.goto(`${servers.idp.issuerUrl}/.well-known/openid-configuration`);
    await click(other, "[data-testid=logout]");
    await waitForUrl(other, servers.idp.issuerUrl);
    servers.idp.resetCounters();
    atIdp.clear();
    await away.back();
    await waitForStatus(away, "unauthenticated", 10_000);
    // Chromium evicts a cached page that a BroadcastChannel message is sent to, so Back reloads
    // it; an engine that keeps it restores it, and `pageshow` judges the logout's tombstone.
    console.log(`engines: ${engineName}: the window away during the logout came back ${(await away.evaluate(pageRecord, null)).restored ? "from the back-forward cache" : "by a reload"}`);
    expect(await storedSession(away)).toBeNull();
    // Past the moment its held access token was due for a refresh: it sent nothing.
    await pause((TTL / 2) * 1000 + 1_000);
    expect(servers.idp.tokenRequests()).toEqual({});
    await waitForStatus(away, "unauthenticated");
  });

  it("a brand-new window (typed URL, no opener) restores the session from the IdP without a click, at its deep link; after a logout one starts signed out and sends nothing (SPEC §9)", async () => {
    const first = await signIn(profile, "olivia@acme.test");
    servers.idp.resetCounters();
    atIdp.clear();
    const fresh = await profile.newWindow();
    await fresh.goto(`${servers.appUrl}/projects?sort=name#top`);
    await waitForStatus(fresh, "authenticated");
    await waitForSelector(fresh, "[data-testid=project-list]");
    expect(await fresh.evaluate(() => `${location.pathname}${location.search}${location.hash}`, null)).toBe("/projects?sort=name#top");
    expect(await statusesSeen(fresh)).toEqual(["loading", "authenticated"]);
    const authorizations = atIdp.requests.filter((request) => request.url.startsWith(`${issuerPath()}/auth?`));
    expect(authorizations.map((request) => new URLSearchParams(request.url.split("?")[1]).get("prompt"))).toEqual(["none"]);
    expect(servers.idp.tokenRequests()).toEqual({ authorization_code: 1 });

    await click(first, "[data-testid=logout]");
    await waitForUrl(first, servers.idp.issuerUrl);
    atIdp.clear();
    const after = await profile.newWindow();
    await after.goto(`${servers.appUrl}/?tab=news`);
    await waitForStatus(after, "unauthenticated");
    await pause(1_000);
    expect(await statusesSeen(after)).toEqual(["unauthenticated"]);
    expect(atIdp.requests).toEqual([]);
  });

  it("active organization: switching sends nothing to the IdP, two windows keep their own, reloads keep both", async () => {
    const first = await signIn(profile, "tara@example.test", "/projects");
    // Two organizations, none picked yet: the page asks instead of choosing one.
    await waitForSelector(first, "[data-testid=pick-org]");
    expect(await count(first, "[data-testid=project-list]")).toBe(0);
    servers.idp.resetCounters();
    atIdp.clear();
    for (const org of ["org_acme", "org_globex", "org_acme"]) {
      await selectOption(first, "[data-testid=org-switcher]", org);
      await waitForProjectsOf(first, org);
      // Tara reads Acme's projects and owns Globex's: the buttons follow the active org.
      expect(await count(first, "[data-testid=new-project]")).toBe(org === "org_globex" ? 1 : 0);
    }
    const second = await first.open(await currentUrl(first));
    await waitForProjectsOf(second, "org_acme");
    await selectOption(second, "[data-testid=org-switcher]", "org_globex");
    await waitForProjectsOf(second, "org_globex");
    await pause(1_000);
    expect(await orgPicked(first)).toBe("org_acme");
    await first.reload();
    await second.reload();
    await waitForProjectsOf(first, "org_acme");
    await waitForProjectsOf(second, "org_globex");
    // The background refresh (every 5 s here) may fall in this scenario; nothing else may.
    expect(nonTokenRequests()).toEqual([]);
    expect(Object.keys(servers.idp.tokenRequests()).filter((grant) => grant !== "refresh_token")).toEqual([]);
  });

  it("an error_description carrying HTML is shown as text, never run (case 13)", async () => {
    const page = await profile.newWindow();
    await page.goto(`${servers.appUrl}/dashboard`);
    await waitForUrl(page, servers.idp.issuerUrl);
    // The state of the pending login, as the IdP received it.
    const authorize = atIdp.requests.find((request) => request.url.startsWith(`${issuerPath()}/auth?`));
    const state = new URL(authorize?.url ?? "/", servers.idp.origin).searchParams.get("state") ?? "";
    const payload = `<img src=x onerror="alert('xss')">`;
    const params = new URLSearchParams({ error: "access_denied", error_description: payload, state, iss: servers.idp.issuerUrl });
    await page.goto(`${servers.appUrl}/callback?${params}`);
    await waitForSelector(page, "[data-testid=auth-error]");
    expect(await page.evaluate(() => document.querySelector("[data-testid=auth-error]")?.getAttribute("data-error-code"), null)).toBe("access_denied");
    expect(await textOf(page, "[data-testid=auth-error]")).toContain(payload);
    expect(await count(page, "img[src=x]")).toBe(0);
    await pause(500);
    expect((await page.evaluate(pageRecord, null)).dialogs).toEqual([]);
    expect(servers.idp.tokenRequests()).toEqual({});
  });

  it("the mock provider (@authpi/react/testing): the real hooks and <RequireAccess>, signed in and out, with no request to the IdP", async () => {
    const page = await profile.newWindow();
    await page.goto(`${servers.appUrl}/e2e/engines/mock-provider.html`);
    await waitForSelector(page, "[data-testid=signed-out] [data-testid=mock-status]");
    const shown = await page.evaluate(() => {
      const text = (section: string, id: string) => document.querySelector(`[data-testid=${section}] [data-testid=${id}]`)?.textContent ?? null;
      return {
        signedIn: ["mock-status", "mock-email", "mock-can-delete", "mock-editor", "mock-not-admin"].map((id) => text("signed-in", id)),
        signedOut: ["mock-status", "mock-email", "mock-can-delete", "mock-editor"].map((id) => text("signed-out", id)),
        logins: (window as unknown as { mockLogins: unknown[] }).mockLogins,
        stored: [...Object.keys(sessionStorage), ...Object.keys(localStorage)],
      };
    }, null);
    expect(shown.signedIn).toEqual(["authenticated", "alice@example.com", "true", "editor", "not admin"]);
    expect(shown.signedOut).toEqual(["unauthenticated", "", "false", null]);
    // <RequireAccess> signed out starts the (mock) login once, back to this page.
    expect(shown.logins).toEqual([{ returnTo: "/e2e/engines/mock-provider.html" }]);
    expect(shown.stored).toEqual([]);
    expect(atIdp.requests).toEqual([]);
  });
});
