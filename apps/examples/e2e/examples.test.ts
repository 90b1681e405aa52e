// The four example apps in Debian's Chromium against one dev IdP: one IdP, one Chromium and
// one Vite dev server per example for the whole file, a fresh browser context per test.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { startDevIdp, type DevIdp } from "@authpi/dev-idp";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const examples = ["react-router", "tanstack-router", "vanilla", "react-no-router"] as const;
type Example = (typeof examples)[number];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let idp: DevIdp;
let browser: Browser;
const servers: ViteDevServer[] = [];
const appUrls = {} as Record<Example, string>;
const figures: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing: run "apt-get install -y chromium" first`);
    execFileSync("sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null"], { stdio: "inherit" });
  }
  // Free ports, not the examples' fixed ones: a `pnpm dev` of an example may be running beside us.
  const ports = await Promise.all(examples.map(() => freePort()));
  examples.forEach((name, i) => (appUrls[name] = `http://127.0.0.1:${ports[i]}`));
  const origins = Object.values(appUrls);
  idp = await startDevIdp({
    quiet: true,
    clientName: "AuthPI examples",
    redirectUris: origins.map((origin) => `${origin}/callback`),
    postLogoutRedirectUris: origins.map((origin) => `${origin}/`),
  });
  process.env.VITE_AUTHPI_ISSUER = idp.issuerUrl;
  for (const [i, name] of examples.entries()) {
    const root = fileURLToPath(new URL(`../${name}/`, import.meta.url));
    const vite = await createServer({
      root,
      configFile: `${root}vite.config.ts`,
      server: { host: "127.0.0.1", port: ports[i]!, strictPort: true, hmr: false },
      cacheDir: `${root}node_modules/.vite-e2e`,
      logLevel: "error",
    });
    servers.push(vite);
    await vite.listen();
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without these Chromium stalls on calls to Google's hosts that this closed network refuses.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  // Warm each Vite's transform cache (and dependency optimizer) so no measured visit pays for it.
  await Promise.all(
    examples.map(async (name) => {
      const page = await browser.newPage();
      await page.goto(appUrls[name]);
      await page.waitForFunction(() => document.querySelector("[data-testid=status]")?.textContent === "unauthenticated", null, { timeout: 60_000 });
      await page.close();
    }),
  );
});

afterAll(async () => {
  if (figures.length) console.log(`examples: ${figures.join("; ")}`);
  await browser?.close();
  await Promise.all(servers.map((vite) => vite.close()));
  await idp?.close();
});

// A fresh context per test (empty storage, no cookies); an uncaught error or a console error or
// warning in any of its pages fails the test.
let context: BrowserContext;
let pageProblems: string[];
beforeEach(async () => {
  context = await browser.newContext();
  pageProblems = [];
  context.on("page", (page) => {
    page.on("pageerror", (error) => pageProblems.push(`pageerror: ${error.message}`));
    // Chromium asks for a favicon on its own now and then; the dev IdP has none.
    const favicon = (url: string) => new URL(url).pathname === "/favicon.ico";
    page.on("response", (response) => {
      if (response.status() >= 400 && !favicon(response.url())) pageProblems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    page.on("console", (message) => {
      if (message.type() !== "error" && message.type() !== "warning") return;
      if (message.location().url && favicon(message.location().url)) return;
      pageProblems.push(`console.${message.type()}: ${message.text()} (${message.location().url})`);
    });
  });
});
afterEach(async () => {
  await context?.close();
  expect(pageProblems).toEqual([]);
});

/**
 * A signed-out visit to `path` (opened, or with `link`, reached from the home page by clicking that
 * link): it must go to the IdP; signs in as `email` and waits to be back past /callback.
 */
async function visitSignedOut(name: Example, path: string, email: string, link?: string): Promise<{ page: Page; requests: string[] }> {
  const page = await context.newPage();
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  if (link) {
    await page.goto(appUrls[name]);
    await page.waitForFunction(() => document.querySelector("[data-testid=status]")?.textContent === "unauthenticated");
    await page.getByRole("link", { name: link }).click();
  } else {
    await page.goto(`${appUrls[name]}${path}`);
  }
  await page.waitForURL((url) => url.href.startsWith(idp.issuerUrl), { timeout: 20_000 });
  await page.locator(`button[data-email="${email}"]`).click();
  await page.waitForURL((url) => url.href.startsWith(appUrls[name]) && url.pathname !== "/callback", { timeout: 20_000 });
  return { page, requests };
}

// Two logins per example: Tara (admin of Acme, reads projects at Acme and Globex) and Max (reads
// Acme's projects, no role).
describe.each(examples)("%s", (name) => {
  it("sends a signed-out visit to /projects to the login and back to the projects; /admin is open to an admin", async () => {
    const started = performance.now();
    const { page, requests } = await visitSignedOut(name, "/projects", "tara@example.test");
    const projects = page.locator("[data-testid=projects]");
    await projects.waitFor({ timeout: 20_000 });
    const elapsed = Math.round(performance.now() - started);
    const loginRequests = requests.length;
    const toIdp = requests.filter((url) => url.startsWith(idp.issuerUrl)).length;
    expect(await projects.getAttribute("data-email")).toBe("tara@example.test");
    expect(await projects.locator("li").allTextContents()).toEqual(["Acme Inc.: Apollo", "Acme Inc.: Borealis", "Globex: Apollo", "Globex: Borealis"]);
    expect(await page.locator("[data-testid=status]").textContent()).toBe("authenticated");
    expect(new URL(page.url()).pathname).toBe("/projects");

    // Signed in now: a reload shows the data again with no login, and asks the IdP nothing
    // (the session and the discovery cache are in this tab's storage).
    requests.length = 0;
    const reloaded = performance.now();
    await page.reload();
    await projects.waitFor({ timeout: 20_000 });
    const reloadMs = Math.round(performance.now() - reloaded);
    expect(new URL(page.url()).pathname).toBe("/projects");
    expect(requests.filter((url) => url.startsWith(idp.issuerUrl))).toEqual([]);
    figures.push(`${name} ${loginRequests} requests (${toIdp} to the IdP), ${elapsed} ms from a signed-out visit to the data; reload ${requests.length} requests (0 to the IdP), ${reloadMs} ms`);

    // A client-side navigation to the admin route: its gate lets Tara in.
    await page.getByRole("link", { name: "Admin" }).click();
    const admin = page.locator("[data-testid=admin]");
    await admin.waitFor({ timeout: 20_000 });
    expect(await admin.getAttribute("data-email")).toBe("tara@example.test");
    expect(await admin.textContent()).toContain("admin");
    expect(await page.locator("[data-testid=forbidden]").count()).toBe(0);
  });

  it("Back right after sign-in returns to the app's page before the login, not to the IdP's finished sign-in", async () => {
    const { page } = await visitSignedOut(name, "/projects", "olivia@acme.test");
    await page.locator("[data-testid=projects]").waitFor({ timeout: 20_000 });
    await page.goBack();
    await page.locator("[data-testid=status]").waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).origin).toBe(appUrls[name]);
    expect(await page.getByText("expired").count()).toBe(0);
  });

  it("shows the 403 route to Max, who is not an admin of Acme, and his projects", async () => {
    // Signed out, a client-side navigation: the login must return to /admin, not to the page left.
    const { page } = await visitSignedOut(name, "/admin", "max@acme.test", "Admin");
    await page.locator("[data-testid=forbidden]").waitFor({ timeout: 20_000 });
    // TanStack Router's idiom is a redirect to a 403 route; the others render it in place.
    expect(new URL(page.url()).pathname).toBe(name === "tanstack-router" ? "/forbidden" : "/admin");
    expect(await page.locator("[data-testid=admin]").count()).toBe(0);
    expect(await page.locator("[data-testid=status]").textContent()).toBe("authenticated");
    // Max may read projects: following the link gets them, without a new login.
    await page.getByRole("link", { name: "Projects" }).click();
    const projects = page.locator("[data-testid=projects]");
    await projects.waitFor({ timeout: 20_000 });
    expect(await projects.getAttribute("data-email")).toBe("max@acme.test");
    expect(await projects.locator("li").allTextContents()).toEqual(["Acme Inc.: Apollo", "Acme Inc.: Borealis"]);
  });
});
