// The active organization in a real browser (SPEC §8): the switcher, what it
// costs in requests to the IdP, reloads, duplicated tabs, and sessions signed in
// to one organization only, which switch by signing in again, silently.
import { describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { artifactsDir, signIn, signInAt, useStack } from "./support/stack.js";

const env = useStack();

/** Every request of the context's pages to the IdP, as "METHOD /path?query". */
function idpRequests(context: BrowserContext): string[] {
  const seen: string[] = [];
  context.on("request", (request) => {
    const url = new URL(request.url());
    if (url.origin === env.stack.idp.origin) seen.push(`${request.method()} ${url.pathname}${url.search}`);
  });
  return seen;
}

/** Pages of the IdP the user was shown: navigations it answered with anything but a redirect. */
function idpPagesShown(page: Page): string[] {
  const shown: string[] = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.origin === env.stack.idp.origin && response.request().isNavigationRequest() && (response.status() < 300 || response.status() >= 400)) {
      shown.push(`${response.status()} ${url.pathname}`);
    }
  });
  return shown;
}

const isAuthorize = (request: string) => request.startsWith(`GET ${new URL(env.stack.idp.issuerUrl).pathname}/auth?`);

/** Waits until the projects page lists the projects of `orgId`. */
async function waitForProjectsOf(page: Page, orgId: string): Promise<void> {
  await page.waitForFunction((org) => document.querySelector("[data-testid=project-list]")?.getAttribute("data-org") === org, orgId, { timeout: 20_000 });
}

const projectsOrg = (page: Page) => page.getByTestId("project-list").getAttribute("data-org");

/** The organizations in this tab's stored session: ID-token claims, access token, and the restriction. */
function heldOrgs(page: Page) {
  return page.evaluate(() => {
    const record = JSON.parse(sessionStorage.getItem("authpi:cli_dev_demo:session") ?? "null") as {
      tokens: { accessToken: string };
      claims: { organizations: { id: string }[] };
      org?: string;
    };
    const payload = record.tokens.accessToken.split(".")[1] ?? "";
    const access = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { organizations: { id: string }[] };
    return { idToken: record.claims.organizations.map((org) => org.id), accessToken: access.organizations.map((org) => org.id), org: record.org ?? null };
  });
}

/** From the home page, "Sign in to Acme only", up to the IdP's login page. */
async function startAcmeOnlySignIn(page: Page): Promise<void> {
  await page.goto(`${env.stack.appUrl}/`);
  await page.getByTestId("login-acme-only").click();
  await page.waitForURL((url) => url.href.startsWith(env.stack.idp.issuerUrl));
}

describe("an unrestricted session", () => {
  it("switches with no request to the IdP, the projects page follows, and a reload keeps the choice", async () => {
    const requests = idpRequests(env.context);
    const page = await signIn(env.context, env.stack, "tara@example.test", "/projects");
    // Two organizations, none picked yet: the page asks instead of choosing one.
    await page.getByTestId("pick-org").waitFor();
    expect(await page.getByTestId("project-list").count()).toBe(0);
    await page.screenshot({ path: `${artifactsDir}projects-pick-org.png`, fullPage: true });

    const perSwitch: number[] = [];
    const started = performance.now();
    for (const orgId of ["org_acme", "org_globex", "org_acme", "org_globex"]) {
      const before = requests.length;
      await page.getByTestId("org-switcher").selectOption(orgId);
      await waitForProjectsOf(page, orgId);
      // Tara reads Acme's projects and owns Globex's: the buttons follow the active org.
      expect(await page.getByTestId("new-project").count()).toBe(orgId === "org_globex" ? 1 : 0);
      await page.waitForTimeout(300); // room for a late request to show up
      perSwitch.push(requests.length - before);
    }
    const switchMs = (performance.now() - started - 4 * 300) / 4;
    console.log(`unrestricted session: IdP requests per switch ${perSwitch.join(", ")}; ~${switchMs.toFixed(0)} ms per switch`);
    expect(perSwitch).toEqual([0, 0, 0, 0]);
    expect(await page.getByTestId("project-list").textContent()).toContain("Sales forecast");
    expect(new URL(page.url()).search).toBe("");
    await page.locator(".header").screenshot({ path: `${artifactsDir}org-switcher.png` });

    const beforeReload = requests.length;
    await page.reload();
    await waitForProjectsOf(page, "org_globex");
    expect(await page.getByTestId("org-switcher").inputValue()).toBe("org_globex");
    expect(requests.slice(beforeReload)).toEqual([]);
  });

  it("two tabs keep their own active organization", async () => {
    const first = await signIn(env.context, env.stack, "tara@example.test", "/projects");
    await first.getByTestId("org-switcher").selectOption("org_acme");
    await waitForProjectsOf(first, "org_acme");
    // A duplicated tab: window.open copies this tab's sessionStorage, the choice with it.
    const [second] = await Promise.all([env.context.waitForEvent("page"), first.evaluate(() => window.open(location.href))]);
    await waitForProjectsOf(second, "org_acme");
    const requests = idpRequests(env.context);

    await second.getByTestId("org-switcher").selectOption("org_globex");
    await waitForProjectsOf(second, "org_globex");
    await first.waitForTimeout(1_000);
    expect(await projectsOrg(first)).toBe("org_acme");
    expect(await first.getByTestId("org-switcher").inputValue()).toBe("org_acme");

    await first.getByTestId("org-switcher").selectOption("org_globex");
    await waitForProjectsOf(first, "org_globex");
    await second.getByTestId("org-switcher").selectOption("org_acme");
    await waitForProjectsOf(second, "org_acme");
    await first.waitForTimeout(1_000);
    expect(await projectsOrg(first)).toBe("org_globex");

    // And after reloading both.
    await first.reload();
    await second.reload();
    await waitForProjectsOf(first, "org_globex");
    await waitForProjectsOf(second, "org_acme");
    expect(requests).toEqual([]);
  });
});

describe("a session signed in to one organization", () => {
  it("switches by one silent round trip to the IdP, with no login page, back on the same page", async () => {
    const page = await env.context.newPage();
    const requests = idpRequests(env.context);
    const shown = idpPagesShown(page);
    await startAcmeOnlySignIn(page);
    expect(requests.filter(isAuthorize).map((request) => new URL(request.slice(4), env.stack.idp.origin).searchParams.get("org"))).toEqual(["org_acme"]);
    await signInAt(page, "tara@example.test", env.stack.appUrl);
    await waitForProjectsOf(page, "org_acme");
    expect(new URL(page.url()).pathname).toBe("/projects");
    // The first sign-in did show the IdP's login page: what the switch below must not.
    expect(shown.some((entry) => entry.startsWith("200 ") && entry.includes("/interaction/"))).toBe(true);
    shown.length = 0;
    // The IdP narrowed the tokens to Acme, and the switcher says what a switch will do.
    expect(await heldOrgs(page)).toEqual({ idToken: ["org_acme"], accessToken: ["org_acme"], org: "org_acme" });
    expect(await page.getByTestId("org-restricted").textContent()).toContain("Switching signs in again.");
    await page.locator(".header").screenshot({ path: `${artifactsDir}org-switcher-restricted.png` });

    env.stack.idp.resetCounters();
    const before = requests.length;
    const started = performance.now();
    await page.getByTestId("org-switcher").selectOption("org_globex");
    await waitForProjectsOf(page, "org_globex");
    const switchMs = performance.now() - started;
    await page.waitForTimeout(1_000); // room for a second round trip, were there one
    const during = requests.slice(before);
    console.log(`restricted session: IdP requests for one switch ${during.length} (${during.map((r) => r.split("?")[0]).join(", ")}); ${switchMs.toFixed(0)} ms`);

    expect(during.filter(isAuthorize)).toHaveLength(1);
    expect(new URL(during.find(isAuthorize)!.slice(4), env.stack.idp.origin).searchParams.get("org")).toBe("org_globex");
    expect(env.stack.idp.tokenRequests()).toEqual({ authorization_code: 1 });
    // Silent: every IdP answer on the way was a redirect, no page (the login form least of all).
    expect(shown).toEqual([]);
    expect(new URL(page.url()).pathname).toBe("/projects");
    expect(await page.getByTestId("org-switcher").inputValue()).toBe("org_globex");
    expect(await page.getByTestId("new-project").count()).toBe(1);
    expect(await heldOrgs(page)).toEqual({ idToken: ["org_globex"], accessToken: ["org_globex"], org: "org_globex" });
    expect(await page.getByTestId("org-restricted").textContent()).toContain("Signed in to Globex only.");
  });

  it("in two tabs: switching in one signs in again there only; the other keeps its organization", async () => {
    const first = await env.context.newPage();
    await startAcmeOnlySignIn(first);
    await signInAt(first, "tara@example.test", env.stack.appUrl);
    await waitForProjectsOf(first, "org_acme");
    const [second] = await Promise.all([env.context.waitForEvent("page"), first.evaluate(() => window.open(location.href))]);
    await waitForProjectsOf(second, "org_acme");

    await second.getByTestId("org-switcher").selectOption("org_globex");
    await waitForProjectsOf(second, "org_globex");
    expect(await heldOrgs(second)).toEqual({ idToken: ["org_globex"], accessToken: ["org_globex"], org: "org_globex" });
    await first.waitForTimeout(1_000);
    expect(await projectsOrg(first)).toBe("org_acme");
    expect(await heldOrgs(first)).toEqual({ idToken: ["org_acme"], accessToken: ["org_acme"], org: "org_acme" });
    await first.reload();
    await waitForProjectsOf(first, "org_acme");
  });

  it("of which the user is not a member ends on access_denied, without a loop", async () => {
    const page = await env.context.newPage();
    const requests = idpRequests(env.context);
    await startAcmeOnlySignIn(page);
    await page.locator('button[data-email="nora@example.test"]').click();
    const error = page.getByTestId("auth-error");
    await error.waitFor({ timeout: 20_000 });
    expect(await error.getAttribute("data-error-code")).toBe("access_denied");
    expect(await error.textContent()).toContain("not a member of organization org_acme");
    await page.waitForTimeout(2_000);
    expect(requests.filter(isAuthorize)).toHaveLength(1);
    expect(page.url().startsWith(env.stack.appUrl)).toBe(true);
    expect(env.stack.idp.tokenRequests()).toEqual({});
  });
});
