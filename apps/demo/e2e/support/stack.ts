// The real stack for the browser suite: the dev IdP (oidc-provider) and the
// demo's Vite server on free ports, driven by Debian's Chromium.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { startDevIdp, type DevIdp, type DevIdpOptions } from "@authpi/dev-idp";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { createServer, type PluginOption, type ViteDevServer } from "vite";

const demoDir = fileURLToPath(new URL("../..", import.meta.url));
export const artifactsDir = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";

export interface Stack {
  idp: DevIdp;
  appUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
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

/**
 * A Debian browser (no test runner can download its own here). A fresh machine may not have it
 * yet: install its packages when we are root, else say how. Chromium comes with its recommended
 * packages (as it always has); the other engines without (BROWSER-ENGINES.md sizes).
 */
export function ensureInstalled(binary: string, packages: string[], withRecommends = false): void {
  if (existsSync(binary)) return;
  const install = `apt-get install -y -qq ${withRecommends ? "" : "--no-install-recommends "}${packages.join(" ")}`;
  if (process.getuid?.() !== 0) throw new Error(`${binary} is missing: run "${install}" as root first`);
  execFileSync("sh", ["-c", `apt-get update -qq && DEBIAN_FRONTEND=noninteractive ${install} >/dev/null`], { stdio: "inherit" });
}

/** Debian's Chromium as the suites launch it. */
export function launchChromium(): Promise<Browser> {
  ensureInstalled(CHROMIUM, ["chromium"], true);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Playwright turns the back-forward cache off; the suites test pages restored from it.
    ignoreDefaultArgs: ["--disable-back-forward-cache"],
    // Without these Chromium stalls on calls to Google's hosts that this closed network refuses.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface Servers {
  idp: DevIdp;
  appUrl: string;
  close(): Promise<void>;
}

/** The dev IdP and the demo's Vite server on free ports; `plugins` go into the Vite server. */
export async function startServers(options: DevIdpOptions = {}, plugins: PluginOption[] = []): Promise<Servers> {
  mkdirSync(artifactsDir, { recursive: true });
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const idp = await startDevIdp({ quiet: true, clientName: "Launchpad", redirectUris: [`${appUrl}/callback`], postLogoutRedirectUris: [`${appUrl}/`], ...options });
  process.env.VITE_AUTHPI_ISSUER = idp.issuerUrl;
  let vite: ViteDevServer | null = null;
  try {
    vite = await createServer({
      root: demoDir,
      configFile: `${demoDir}/vite.config.ts`,
      plugins,
      server: { host: "127.0.0.1", port, strictPort: true, hmr: false },
      // Its own optimizer cache: a `pnpm dev` running beside the suite must not re-optimize under it.
      cacheDir: `${demoDir}node_modules/.vite-e2e`,
      logLevel: "error",
    });
    await vite.listen();
  } catch (error) {
    await idp.close();
    throw error;
  }
  return {
    idp,
    appUrl,
    close: async () => {
      await vite?.close();
      await idp.close();
    },
  };
}

export async function startStack(options: DevIdpOptions = {}): Promise<Stack> {
  const { idp, appUrl, close } = await startServers(options);
  const browser = await launchChromium();
  // Warm Vite's transform cache so the first test does not pay for it.
  const warm = await browser.newPage();
  await warm.goto(appUrl);
  await warm.waitForSelector("[data-testid=status]", { timeout: 60_000 });
  await warm.close();
  return {
    idp,
    appUrl,
    browser,
    close: async () => {
      await browser.close();
      await close();
    },
  };
}

/** Clicks the seeded user's button on the dev IdP's login page and waits to be back in the app. */
export async function signInAt(page: Page, email: string, appUrl: string): Promise<void> {
  await page.locator(`button[data-email="${email}"]`).click();
  await page.waitForURL((url) => url.href.startsWith(appUrl) && !url.pathname.startsWith("/callback"), { timeout: 20_000 });
}

/** Signs in from the home page and waits for the authenticated status. */
export async function signIn(context: BrowserContext, stack: Stack, email: string, path = "/dashboard"): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.appUrl}${path}`);
  await page.waitForURL((url) => url.href.startsWith(stack.idp.issuerUrl));
  await signInAt(page, email, stack.appUrl);
  await waitForStatus(page, "authenticated");
  return page;
}

/** Waits until the demo's footer shows exactly this `useAuthPI().status`. */
export async function waitForStatus(page: Page, value: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction((expected) => document.querySelector("[data-testid=status]")?.textContent === expected, value, { timeout });
}

/**
 * One stack per test file, a fresh browser context (empty storage, no
 * cookies) per test, and the IdP's counters reset before each.
 */
export function useStack(options: DevIdpOptions = {}): { readonly stack: Stack; readonly context: BrowserContext } {
  const env = {} as { stack: Stack; context: BrowserContext };
  beforeAll(async () => {
    env.stack = await startStack(options);
  });
  afterAll(() => env.stack?.close());
  beforeEach(async () => {
    env.context = await env.stack.browser.newContext();
    env.stack.idp.resetCounters();
  });
  afterEach(() => env.context?.close());
  return env;
}

/** What the page has shown of the status since `recordStatuses` was set up for it. */
export const statusesSeen = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { statusesSeen: string[] }).statusesSeen);

/**
 * Records every status the page (or every page of the context) shows, from its very first
 * frame, before any script of the app runs; read it back with `statusesSeen(page)`.
 */
export async function recordStatuses(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { statusesSeen: string[] }).statusesSeen = seen;
    new MutationObserver(() => {
      const text = document.querySelector("[data-testid=status]")?.textContent;
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
}
