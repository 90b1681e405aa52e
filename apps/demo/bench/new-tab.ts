// A brand-new tab of a signed-in browser, in Chromium against the dev IdP: the time from
// navigation to `authenticated` with the silent restoration (SPEC §9), beside the path it
// replaces, measured in the same run: a new tab that starts signed out, then a click on Log in
// (made the moment the button shows) that the IdP's session completes without a password.
// Median of 5 each, and the IdP requests of each. Run: `pnpm bench` (or this file with tsx).
import type { BrowserContext, Page } from "playwright-core";
import { signIn, startStack, waitForStatus } from "../e2e/support/stack.js";

const RUNS = 5;
const HINT_KEY = "authpi:cli_dev_demo:hint";
const stack = await startStack();

async function measure(context: BrowserContext, path: string, restore: boolean): Promise<{ ms: number; requests: number }> {
  // Today's path: the same new tab without the hint, so it starts signed out with a Log in button.
  const opener = context.pages()[0] as Page;
  if (!restore) await opener.evaluate((key) => localStorage.removeItem(key), HINT_KEY);
  const requests: string[] = [];
  context.on("request", (request) => void (request.url().startsWith(stack.idp.origin) && requests.push(request.url())));
  const tab = await context.newPage();
  const started = performance.now();
  await tab.goto(`${stack.appUrl}${path}`, { waitUntil: "commit" });
  if (!restore) {
    await waitForStatus(tab, "unauthenticated");
    await tab.getByTestId("login").click();
  }
  await waitForStatus(tab, "authenticated");
  const ms = performance.now() - started;
  await tab.close();
  return { ms, requests: requests.length };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const results = { restored: [] as number[], clicked: [] as number[], restoredRequests: [] as number[], clickedRequests: [] as number[] };
try {
  for (let run = 0; run < RUNS; run += 1) {
    for (const restore of run % 2 === 0 ? [true, false] : [false, true]) {
      const context = await stack.browser.newContext();
      await signIn(context, stack, "olivia@acme.test");
      const { ms, requests } = await measure(context, "/?tab=news#latest", restore);
      results[restore ? "restored" : "clicked"].push(ms);
      results[restore ? "restoredRequests" : "clickedRequests"].push(requests);
      await context.close();
    }
  }
} finally {
  await stack.close();
}
const restored = median(results.restored);
const clicked = median(results.clicked);
console.log(`new tab, restored silently: median ${restored.toFixed(0)} ms (${results.restored.map((ms) => ms.toFixed(0)).join(", ")}), ${median(results.restoredRequests)} IdP requests`);
console.log(`new tab, then a click on Log in: median ${clicked.toFixed(0)} ms (${results.clicked.map((ms) => ms.toFixed(0)).join(", ")}), ${median(results.clickedRequests)} IdP requests`);
console.log(`ratio: ${(restored / clicked).toFixed(2)}× (goal ≤ 1.0×)`);
