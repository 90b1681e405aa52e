// Chromium through Playwright, launched as the `browser` suite launches it.
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../support/stack.js";
import type { Engine, EngineWindow, PageFunction } from "./engine.js";

function chromiumWindow(context: BrowserContext, page: Page): EngineWindow {
  return {
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    back: async () => void (await page.goBack({ waitUntil: "commit" })),
    click: (selector) => page.locator(selector).first().click(),
    // Playwright types the argument as it arrives after unwrapping handles; ours is plain JSON.
    evaluate: <A, R>(fn: PageFunction<A, R>, arg: A) => page.evaluate(fn as (value: unknown) => R | Promise<R>, arg),
    async open(url) {
      const [opened] = await Promise.all([context.waitForEvent("page"), page.evaluate((href) => void window.open(href), url)]);
      return chromiumWindow(context, opened);
    },
    close: () => page.close(),
  };
}

export async function launchChromiumEngine(): Promise<Engine> {
  const browser = await launchChromium();
  return {
    name: "chromium",
    version: `Chromium ${browser.version()}`,
    async newProfile() {
      const context = await browser.newContext();
      return { newWindow: async () => chromiumWindow(context, await context.newPage()), close: () => context.close() };
    },
    close: () => browser.close(),
  };
}
