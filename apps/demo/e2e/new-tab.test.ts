// A brand-new tab of a signed-in browser (SPEC §9): a tab opened by typing the URL or from a
// bookmark (no opener, empty sessionStorage) restores the session from the IdP with a silent
// prompt=none redirect, before the user sees anything, and never loops.
import { describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { recordStatuses, signIn, statusesSeen, useStack, waitForStatus } from "./support/stack.js";

const env = useStack();

/** Every request the context's pages send to the IdP, and the authorization requests among them. */
function idpRequests(context: BrowserContext) {
  const urls: string[] = [];
  context.on("request", (request) => {
    if (request.url().startsWith(env.stack.idp.origin)) urls.push(request.url());
  });
  return { urls, authorize: () => urls.filter((url) => url.startsWith(`${env.stack.idp.issuerUrl}/auth?`)) };
}

/** A tab opened as a typed URL or a bookmark would be: no opener, so nothing copied into it. */
async function newTab(path: string): Promise<Page> {
  const page = await env.context.newPage();
  await recordStatuses(page);
  await page.goto(`${env.stack.appUrl}${path}`);
  return page;
}

const here = (page: Page) => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}${url.hash}`;
};

describe("a brand-new tab", () => {
  it("of a signed-in browser opens signed in at its deep link, without a click, and never shows signed out", async () => {
    await signIn(env.context, env.stack, "olivia@acme.test");
    env.stack.idp.resetCounters();
    const requests = idpRequests(env.context);
    const tab = await newTab("/projects?sort=name#top");
    await waitForStatus(tab, "authenticated");
    await tab.getByTestId("project-list").waitFor();
    expect(here(tab)).toBe("/projects?sort=name#top");
    expect(await statusesSeen(tab)).toEqual(["loading", "authenticated"]);
    const authorize = requests.authorize();
    expect(authorize).toHaveLength(1);
    expect(new URL(authorize[0] ?? "").searchParams.get("prompt")).toBe("none");
    expect(env.stack.idp.tokenRequests()).toEqual({ authorization_code: 1 });
    // The devtools panel says the session was restored, and how long the round trip took.
    await tab.getByRole("button", { name: "AuthPI", exact: true }).click();
    const log = await tab.getByTestId("authpi-devtools-log").textContent();
    expect(log).toMatch(/session restored from the IdP \(new tab\)\d+ ms/);
    console.log(`new tab: ${requests.urls.length} IdP requests (${requests.urls.map((url) => new URL(url).pathname.replace(/^\/i_dev/, "")).join(", ")})`);
  });

  it("opened from the demo's \"Open in a new tab\" link (noopener: nothing copied) shows that project, signed in", async () => {
    const page = await signIn(env.context, env.stack, "max@acme.test", "/projects");
    const link = page.getByTestId("open-in-new-tab").first();
    await page.getByTestId("project-list").waitFor();
    const [tab] = await Promise.all([env.context.waitForEvent("page"), link.click()]);
    await waitForStatus(tab, "authenticated");
    await tab.getByTestId("project-list").waitFor();
    expect(await tab.evaluate(() => window.opener)).toBeNull();
    expect(await tab.getByTestId("project-list").getAttribute("data-org")).toBe(await page.getByTestId("project-list").getAttribute("data-org"));
    expect(new URL(tab.url()).hash).toBe(new URL((await link.getAttribute("href")) ?? "", env.stack.appUrl).hash);
  });

  it("after a logout in another tab opens signed out, with no request to the IdP", async () => {
    const page = await signIn(env.context, env.stack, "max@acme.test");
    await page.getByTestId("logout").click();
    await page.waitForURL((url) => url.href.startsWith(env.stack.idp.issuerUrl));
    const requests = idpRequests(env.context);
    const tab = await newTab("/?tab=news");
    await waitForStatus(tab, "unauthenticated");
    await tab.waitForTimeout(1_000);
    expect(await statusesSeen(tab)).toEqual(["unauthenticated"]);
    expect(requests.urls).toEqual([]);
  });

  it("whose IdP session is gone (its cookies cleared) tries once, then stays signed out at its deep link", async () => {
    await signIn(env.context, env.stack, "tara@example.test");
    await env.context.clearCookies();
    const requests = idpRequests(env.context);
    const tab = await newTab("/?tab=news#latest");
    await waitForStatus(tab, "unauthenticated");
    await tab.waitForURL((url) => url.pathname === "/");
    expect(here(tab)).toBe("/?tab=news#latest");
    await tab.waitForTimeout(2_000);
    expect(requests.authorize()).toHaveLength(1);
    expect(await statusesSeen(tab)).toEqual(["loading", "unauthenticated"]);
    // Reloaded within minutes: no second attempt, and the hint is gone anyway.
    await tab.reload();
    await waitForStatus(tab, "unauthenticated");
    expect(requests.authorize()).toHaveLength(1);
  });
});
