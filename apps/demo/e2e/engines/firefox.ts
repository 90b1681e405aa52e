// Firefox ESR through puppeteer-core over WebDriver BiDi (no geckodriver exists for Debian, and
// Playwright cannot launch Debian's Firefox).
import puppeteer, { type Page } from "puppeteer-core";
import { ensureInstalled } from "../support/stack.js";
import type { Engine, EngineWindow, PageFunction } from "./engine.js";

const FIREFOX = "/usr/bin/firefox-esr";

function firefoxWindow(page: Page): EngineWindow {
  return {
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    // Not awaited: goBack() never resolves when the page comes back from the back-forward cache.
    back: async () => void page.goBack().catch(() => undefined),
    click: (selector) => page.locator(selector).click(),
    // Puppeteer types the argument as it arrives after unwrapping handles; ours is plain JSON.
    evaluate: <A, R>(fn: PageFunction<A, R>, arg: A) => page.evaluate(fn as (value: unknown) => R | Promise<R>, arg) as Promise<R>,
    async open(url) {
      const [opened] = await Promise.all([new Promise<Page | null>((resolve) => page.once("popup", resolve)), page.evaluate((href) => void window.open(href), url)]);
      if (!opened) throw new Error(`window.open(${url}) opened no page`);
      return firefoxWindow(opened);
    },
    close: () => page.close(),
  };
}

export async function launchFirefoxEngine(): Promise<Engine> {
  ensureInstalled(FIREFOX, ["firefox-esr"]);
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    headless: true,
    // window.open in a window of its own, as in the other engines: in a tab it would leave its
    // opener a background tab, where input events wait forever.
    extraPrefsFirefox: { "browser.link.open_newwindow": 2 },
  });
  return {
    name: "firefox",
    version: (await browser.version()).replace(/^firefox\//i, "Firefox "),
    async newProfile() {
      const context = await browser.createBrowserContext();
      // Windows, not tabs: a background tab is `hidden`, which the session code treats differently.
      return { newWindow: async () => firefoxWindow(await context.newPage({ type: "window" })), close: () => context.close() };
    },
    close: () => browser.close(),
  };
}
