// Sessions over time and across tabs, for real: a 10-second access token, so
// the demo refreshes every 5 seconds (half the lifetime, SPEC §7.5).
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { signIn, waitForStatus, useStack } from "./support/stack.js";

const TTL = 10;
const env = useStack({ accessTokenTtl: TTL, idTokenTtl: TTL });

/** Every answer of the token endpoint to this page: a reused refresh token shows up as a 400. */
function tokenResponses(page: Page): number[] {
  const statuses: number[] = [];
  page.on("response", (response) => {
    if (response.url() === `${env.stack.idp.issuerUrl}/token` && response.request().method() === "POST") statuses.push(response.status());
  });
  return statuses;
}

const storedSession = (page: Page) => page.evaluate(() => sessionStorage.getItem("authpi:cli_dev_demo:session"));
const refreshCount = async (page: Page) => Number(await page.getByTestId("refresh-count").textContent());

describe("background refresh", () => {
  it("happens on its own before the access token expires", async () => {
    const page = await signIn(env.context, env.stack, "max@acme.test");
    const statuses = tokenResponses(page);
    env.stack.idp.resetCounters();
    await page.waitForFunction(() => Number(document.querySelector("[data-testid=refresh-count]")?.textContent) >= 2, null, { timeout: 30_000 });
    expect(env.stack.idp.tokenRequests().refresh_token).toBeGreaterThanOrEqual(2);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(JSON.parse((await storedSession(page)) ?? "{}").tokens.expiresAt).toBeGreaterThan(Date.now() / 1000);
    await waitForStatus(page, "authenticated");
  });
});

describe("a duplicated tab", () => {
  it("and its opener both keep refreshing with zero invalid_grant (case 27)", async () => {
    const opener = await signIn(env.context, env.stack, "olivia@acme.test");
    const openerStatuses = tokenResponses(opener);
    // A real duplicate: window.open copies this tab's sessionStorage, refresh token included.
    const [duplicate] = await Promise.all([env.context.waitForEvent("page"), opener.evaluate(() => window.open(location.href))]);
    const duplicateStatuses = tokenResponses(duplicate);
    await waitForStatus(duplicate, "authenticated");
    env.stack.idp.resetCounters();
    // Four refresh periods with two tabs holding one refresh token lineage.
    await opener.waitForTimeout(4 * (TTL / 2) * 1000 + 2_000);
    // Read between two refreshes: the IdP counts a request before the tab has its answer.
    const idpRefreshes = () => env.stack.idp.tokenRequests().refresh_token ?? 0;
    const tabsRefreshes = async () => (await refreshCount(opener)) + (await refreshCount(duplicate));
    for (let tries = 0; tries < 30 && ((await tabsRefreshes()) !== idpRefreshes() || openerStatuses.length + duplicateStatuses.length !== idpRefreshes()); tries += 1) {
      await opener.waitForTimeout(100);
    }
    const refreshes = idpRefreshes();
    expect(refreshes).toBeGreaterThanOrEqual(3);
    expect([...openerStatuses, ...duplicateStatuses]).toEqual(Array(refreshes).fill(200));
    expect(await tabsRefreshes()).toBe(refreshes);
    await waitForStatus(opener, "authenticated");
    await waitForStatus(duplicate, "authenticated");
    // Both tabs hold the newest tokens of the one lineage.
    expect(JSON.parse((await storedSession(duplicate)) ?? "{}").tokens.refreshToken).toBe(JSON.parse((await storedSession(opener)) ?? "{}").tokens.refreshToken);
  });
});

describe("logout", () => {
  it("in one tab signs out every tab, leaves no token anywhere and never signs back in silently (cases 30, 33, 34)", async () => {
    const first = await signIn(env.context, env.stack, "tara@example.test");
    // Tara is in two organizations: pick one, which the tabs opened from here copy.
    await first.getByTestId("org-switcher").selectOption("org_acme");
    // One more tab on a public page, one on a gated page; both hold the session.
    const [home] = await Promise.all([env.context.waitForEvent("page"), first.evaluate(() => window.open("/"))]);
    const [gated] = await Promise.all([env.context.waitForEvent("page"), first.evaluate(() => window.open("/projects"))]);
    await waitForStatus(home, "authenticated");
    await gated.getByTestId("project-list").waitFor();
    await first.getByTestId("logout").click();
    await waitForStatus(home, "unauthenticated", 10_000);
    expect(await home.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith("authpi:")))).toEqual([]);
    // The gated tab says the session ended; signing in again there asks the IdP for credentials
    // (prompt=login) instead of reusing its session, which is not ended yet.
    await gated.getByTestId("session-ended").waitFor();
    await gated.getByRole("button", { name: "Sign in again" }).click();
    await gated.waitForURL((url) => url.href.startsWith(env.stack.idp.origin));
    await gated.locator('button[data-email="tara@example.test"]').waitFor();
    // The IdP ends its session too: confirm on its page, land back on the app signed out.
    await first.waitForURL((url) => url.href.startsWith(env.stack.idp.issuerUrl));
    await first.getByRole("button", { name: "Sign out" }).click();
    await first.waitForURL((url) => url.href.startsWith(env.stack.appUrl));
    await waitForStatus(first, "unauthenticated");
    for (const page of [first, home]) {
      const leftovers = await page.evaluate(() => ({
        session: Object.keys(sessionStorage).filter((key) => key.startsWith("authpi:")),
        // No token material in localStorage (the rotation ledger holds hashes only).
        local: Object.values(localStorage).filter((value) => /eyJ[\w-]+\.[\w-]+/.test(value)),
        cookie: document.cookie,
      }));
      expect(leftovers).toEqual({ session: [], local: [], cookie: "" });
    }
    await gated.close();
  });

  // The tab is in the back-forward cache, frozen, when the logout's broadcast goes out. The
  // logout's tombstone in localStorage must sign it out before it shows or sends anything.
  it("reaches a tab that was in the back-forward cache: Back brings it back signed out (case 33)", async () => {
    await env.context.addInitScript(() => {
      addEventListener("pageshow", (event) => void ((window as unknown as { restored?: boolean }).restored = event.persisted));
    });
    const away = await signIn(env.context, env.stack, "max@acme.test");
    // On the public home page: a gated page would go on to the login once signed out.
    await away.goto(env.stack.appUrl);
    await waitForStatus(away, "authenticated");
    const statuses = tokenResponses(away);
    // Not opened by `away`: a tab with an opener is never put in the back-forward cache.
    // Its own session, by single sign-on at the IdP.
    const other = await env.context.newPage();
    await other.goto(`${env.stack.appUrl}/dashboard`);
    await waitForStatus(other, "authenticated");
    await away.goto(`${env.stack.idp.issuerUrl}/.well-known/openid-configuration`);
    await other.getByTestId("logout").click();
    await other.waitForURL((url) => url.href.startsWith(env.stack.idp.issuerUrl));
    env.stack.idp.resetCounters();
    await away.goBack({ waitUntil: "commit" });
    await waitForStatus(away, "unauthenticated", 10_000);
    // Chromium evicts a cached page that a BroadcastChannel message is sent to, so Back
    // reloads it and the restore judges the tombstone; a browser that keeps it cached
    // restores it and `pageshow` does. Either way: signed out, nothing sent.
    const how = await away.evaluate(() => ({
      restored: (window as unknown as { restored?: boolean }).restored,
      reasons: ((performance.getEntriesByType("navigation")[0] as unknown as { notRestoredReasons?: { reasons?: { reason: string }[] } }).notRestoredReasons?.reasons ?? []).map((entry) => entry.reason),
    }));
    console.log(`session: the tab away during the logout came back ${how.restored ? "from the back-forward cache" : `by a reload (not restored: ${how.reasons.join(", ")})`}`);
    expect(await storedSession(away)).toBeNull();
    // It sent nothing with the tokens it held when it left.
    await away.waitForTimeout(TTL * 1000);
    expect(env.stack.idp.tokenRequests()).toEqual({});
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await waitForStatus(away, "unauthenticated");
  });
});
