// Signing in as each seeded user in Debian's Chromium against the dev IdP and
// the demo: what each page shows, errors without login loops, deep links, reload without a flash.
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { artifactsDir, signIn, signInAt, waitForStatus, recordStatuses, statusesSeen, useStack } from "./support/stack.js";

const env = useStack();

const visible = (page: Page, testId: string) => page.getByTestId(testId).isVisible();

async function open(page: Page, path: string) {
  await page.goto(`${env.stack.appUrl}${path}`);
  await waitForStatus(page, "authenticated");
}

describe("each seeded user sees what their scopes allow", () => {
  it("the owner (projects:**) can create, edit and delete projects but is not an admin", async () => {
    const page = await signIn(env.context, env.stack, "olivia@acme.test");
    expect(await page.getByTestId("user-email").textContent()).toContain("olivia@acme.test");
    await page.screenshot({ path: `${artifactsDir}dashboard.png`, fullPage: true });
    // One organization: it is the active one without a pick.
    await open(page, "/projects");
    await page.getByTestId("project-list").waitFor();
    expect(await page.getByTestId("project-list").getAttribute("data-org")).toBe("org_acme");
    expect(await visible(page, "new-project")).toBe(true);
    expect(await page.getByTestId("edit-project").count()).toBeGreaterThan(0);
    expect(await page.getByTestId("delete-project").count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${artifactsDir}projects-owner.png`, fullPage: true });
    await open(page, "/admin");
    await page.getByTestId("access-denied").waitFor();
    expect(await visible(page, "admin-panel")).toBe(false);
    // The refusal explains her own case: owner does not include admin.
    expect(await page.getByTestId("access-denied").textContent()).toContain("owner does not include admin");
  });

  it("the member (projects:read) sees projects without any action", async () => {
    const page = await signIn(env.context, env.stack, "max@acme.test");
    await open(page, "/projects");
    await page.getByTestId("project-list").waitFor();
    expect(await page.getByTestId("new-project").count()).toBe(0);
    expect(await page.getByTestId("edit-project").count()).toBe(0);
    expect(await page.getByTestId("delete-project").count()).toBe(0);
    await page.screenshot({ path: `${artifactsDir}projects-member.png`, fullPage: true });
    // Max's refusal speaks of Max: a member whose scopes hold no admin role.
    await open(page, "/admin");
    expect(await page.getByTestId("access-denied").textContent()).toContain("Your scopes there (projects:read) do not include the admin role.");
  });

  it("the user in two organizations gets each organization's scopes when switching", async () => {
    const page = await signIn(env.context, env.stack, "tara@example.test");
    // Two organizations and no choice yet: the page asks for one.
    await open(page, "/admin");
    await page.getByTestId("pick-org").waitFor();
    await page.getByTestId("org-switcher").selectOption("org_acme");
    await page.getByTestId("admin-panel").waitFor();
    await page.screenshot({ path: `${artifactsDir}admin.png`, fullPage: true });
    await open(page, "/projects");
    await page.getByTestId("project-list").waitFor();
    expect(await page.getByTestId("project-list").getAttribute("data-org")).toBe("org_acme");
    expect(await page.getByTestId("new-project").count()).toBe(0);
    await page.getByTestId("org-switcher").selectOption("org_globex");
    await page.getByTestId("new-project").waitFor();
    expect(await page.getByTestId("project-list").getAttribute("data-org")).toBe("org_globex");
    // Globex grants no admin role: the admin page follows the switch too.
    await page.getByRole("link", { name: "Admin" }).first().click();
    await page.getByTestId("access-denied").waitFor();
  });

  it("the *:** user may do everything but holds no role", async () => {
    const page = await signIn(env.context, env.stack, "sam@example.test");
    await open(page, "/projects");
    await page.getByTestId("new-project").waitFor();
    await open(page, "/admin");
    await page.getByTestId("access-denied").waitFor();
  });

  it("the user with no organization is told so instead of seeing projects", async () => {
    const page = await signIn(env.context, env.stack, "nora@example.test");
    await open(page, "/projects");
    await page.getByTestId("access-denied").waitFor();
    expect(await page.getByTestId("project-list").count()).toBe(0);
  });
});

describe("errors and redirects", () => {
  it("the blocked user sees a clear error and no second login", async () => {
    const page = await env.context.newPage();
    const authorizeRequests: string[] = [];
    page.on("request", (request) => {
      // The authorization endpoint itself, not oidc-provider's resume URL (/auth/:uid).
      if (request.url().startsWith(`${env.stack.idp.issuerUrl}/auth?`)) authorizeRequests.push(request.url());
    });
    await page.goto(`${env.stack.appUrl}/dashboard`);
    await page.waitForURL((url) => url.href.startsWith(env.stack.idp.issuerUrl));
    await page.locator('button[data-email="bob@example.test"]').click();
    const error = page.getByTestId("auth-error");
    await error.waitFor({ timeout: 20_000 });
    expect(await error.getAttribute("data-error-code")).toBe("user_blocked");
    expect(await page.title()).toBe("Sign-in failed · Launchpad");
    await page.screenshot({ path: `${artifactsDir}blocked-user.png`, fullPage: true });
    await page.waitForTimeout(2_000);
    expect(authorizeRequests).toHaveLength(1);
    expect(page.url().startsWith(env.stack.appUrl)).toBe(true);
    expect(env.stack.idp.tokenRequests()).toEqual({});
  });

  it("a deep link to a gated page returns there after login", async () => {
    const page = await env.context.newPage();
    await page.goto(`${env.stack.appUrl}/projects?sort=name#top`);
    await page.waitForURL((url) => url.href.startsWith(env.stack.idp.issuerUrl));
    await signInAt(page, "olivia@acme.test", env.stack.appUrl);
    await page.getByTestId("project-list").waitFor();
    const url = new URL(page.url());
    expect(`${url.pathname}${url.search}${url.hash}`).toBe("/projects?sort=name#top");
  });

  it("the address bar holds no code, state or iss after the callback (case 11)", async () => {
    const page = await signIn(env.context, env.stack, "max@acme.test");
    const url = new URL(page.url());
    for (const name of ["code", "state", "iss", "session_state"]) expect(url.searchParams.has(name)).toBe(false);
  });
});

describe("reload", () => {
  it("keeps the session with no signed-out or loading frame, and no request to the IdP", async () => {
    const page = await signIn(env.context, env.stack, "olivia@acme.test", "/projects");
    await recordStatuses(page);
    const idpRequests: string[] = [];
    page.on("request", (request) => {
      if (request.url().startsWith(env.stack.idp.origin)) idpRequests.push(request.url());
    });
    await page.reload();
    await page.getByTestId("project-list").waitFor();
    expect(await statusesSeen(page)).toEqual(["authenticated"]);
    expect(idpRequests).toEqual([]);
  });
});
