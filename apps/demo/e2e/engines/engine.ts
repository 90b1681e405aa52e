// The few operations the session scenarios need from a browser, so one scenario source runs in
// Chromium (Playwright), Firefox (puppeteer-core over WebDriver BiDi) and WebKitGTK (W3C
// WebDriver over HTTP). Requests are counted at the test servers, never intercepted in the
// browser: WebKit's classic WebDriver cannot see them.

/** A script run in the page; self-contained (it is sent as source), with one JSON argument. */
export type PageFunction<A, R> = (arg: A) => R | Promise<R>;

export interface EngineWindow {
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** History back, without waiting: a page restored from the back-forward cache fires no load. */
  back(): Promise<void>;
  /** A real (input-device) click on the first element matching `selector`. */
  click(selector: string): Promise<void>;
  evaluate<A, R>(fn: PageFunction<A, R>, arg: A): Promise<R>;
  /** `page.open(url)` from this page's script: a page that copies its sessionStorage. */
  open(url: string): Promise<EngineWindow>;
  close(): Promise<void>;
}

/** A fresh profile: no cookies, empty storage, shared by its windows. */
export interface EngineProfile {
  newWindow(): Promise<EngineWindow>;
  close(): Promise<void>;
}

export interface Engine {
  /** "chromium", "firefox", "webkit" */
  name: string;
  /** What the browser says it is, e.g. "Firefox 153.8.0esr". */
  version: string;
  newProfile(): Promise<EngineProfile>;
  close(): Promise<void>;
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `fn` in the page until it returns truthy. Errors count as "not yet": the page may be
 * between two documents.
 */
export async function waitUntil<A>(page: EngineWindow, fn: PageFunction<A, unknown>, arg: A, timeout = 20_000, what = fn.toString()): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await page.evaluate(fn, arg)) return;
    } catch (error) {
      last = error;
    }
    await pause(100);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}

export const currentUrl = (page: EngineWindow) => page.evaluate(() => location.href, null);

export function waitForUrl(page: EngineWindow, prefix: string, timeout = 20_000): Promise<void> {
  return waitUntil(page, (start) => location.href.startsWith(start) && !location.pathname.startsWith("/callback"), prefix, timeout, `a URL starting ${prefix}`);
}

export const waitForSelector = (page: EngineWindow, selector: string, timeout = 20_000) =>
  waitUntil(page, (css) => document.querySelector(css) !== null, selector, timeout, selector);

/** Waits for the element, then clicks it for real. */
export async function click(page: EngineWindow, selector: string): Promise<void> {
  await waitForSelector(page, selector);
  await page.click(selector);
}

/** Picks an option as a user would: the value changes and `input` and `change` fire (what React listens to). */
export async function selectOption(page: EngineWindow, selector: string, value: string): Promise<void> {
  await waitForSelector(page, selector);
  await page.evaluate(
    ([css, option]) => {
      const select = document.querySelector(css) as HTMLSelectElement;
      select.value = option;
      select.dispatchEvent(new Event("input", { bubbles: true }));
      select.dispatchEvent(new Event("change", { bubbles: true }));
    },
    [selector, value] as const,
  );
}

export const textOf = (page: EngineWindow, selector: string) => page.evaluate((css) => document.querySelector(css)?.textContent ?? null, selector);

export const count = (page: EngineWindow, selector: string) => page.evaluate((css) => document.querySelectorAll(css).length, selector);
