// The demo on a phone-sized screen (390 px, an iPhone 12–15's CSS width): the devtools toggle is
// fixed at the bottom right, so scrolled to the end it must not sit on the footer's text.
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { artifactsDir, signIn, useStack, waitForStatus } from "./support/stack.js";

const env = useStack();

/**
 * The footer's lines (its paragraph, each fact) that share the toggle's height, scrolled to the
 * very bottom: such a line is covered as soon as it grows (the stale note, a longer issuer).
 */
async function coveredFooterText(page: Page): Promise<string[]> {
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const toggle = await page.getByRole("button", { name: "AuthPI", exact: true }).boundingBox();
  if (!toggle) throw new Error("no devtools toggle");
  return page.locator(".footer-inner > p, .footer-facts > div").evaluateAll(
    (elements, box) =>
      elements
        .filter((element) => {
          const r = element.getBoundingClientRect();
          return r.top < box.y + box.height && r.bottom > box.y;
        })
        .map((element) => element.textContent ?? ""),
    toggle,
  );
}

it("at 390 px the devtools toggle sits below the footer's last line, signed out and signed in", async () => {
  const home = await env.context.newPage();
  await home.setViewportSize({ width: 390, height: 844 });
  await home.goto(env.stack.appUrl);
  await waitForStatus(home, "unauthenticated");
  expect(await coveredFooterText(home)).toEqual([]);

  const dashboard = await signIn(env.context, env.stack, "tara@example.test");
  await dashboard.setViewportSize({ width: 390, height: 844 });
  expect(await coveredFooterText(dashboard)).toEqual([]);
  await dashboard.screenshot({ path: `${artifactsDir}narrow-footer.png` });
});
