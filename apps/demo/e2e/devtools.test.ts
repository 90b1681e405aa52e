// <AuthPIDevtools /> in the demo, in Chromium: a 10-second access token, so the demo refreshes
// every 5 seconds and the panel's log fills while we watch.
import { describe, expect, it } from "vitest";
import { artifactsDir, signIn, useStack } from "./support/stack.js";

const TTL = 10;
const env = useStack({ accessTokenTtl: TTL, idTokenTtl: TTL });

describe("the devtools panel", () => {
  it("opens from the keyboard, counts down, logs a background refresh, explains a scope and closes on Escape", async () => {
    const page = await signIn(env.context, env.stack, "olivia@acme.test");
    await page.setViewportSize({ width: 1280, height: 860 });
    const toggle = page.getByRole("button", { name: "AuthPI", exact: true });
    const panel = page.getByRole("region", { name: "AuthPI devtools" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");

    await toggle.focus();
    await page.keyboard.press("Enter");
    await panel.waitFor();
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    expect(await panel.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await panel.getByTestId("authpi-devtools-status").textContent()).toBe("authenticated");

    // The countdown moves on its own, once a second.
    const expiry = panel.getByTestId("authpi-devtools-access-expiry");
    expect(await expiry.textContent()).toMatch(/^in \d+s$/);
    const first = await expiry.textContent();
    await page.waitForFunction(
      (before) => document.querySelector("[data-testid=authpi-devtools-access-expiry]")?.textContent !== before,
      first,
      { timeout: 3_000 },
    );

    // The background refresh, half-way through the token's 10 s, lands in the log.
    await page.waitForFunction(() => document.querySelector("[data-testid=authpi-devtools-log]")?.textContent?.includes("refresh refreshed"), null, {
      timeout: 20_000,
    });
    expect(await panel.getByTestId("authpi-devtools-next-refresh").textContent()).toMatch(/^in \d+s \(/);

    await panel.getByLabel("Action").fill("delete");
    await panel.getByLabel("Resource").fill("projects.tasks");
    await panel.getByLabel("Organization").selectOption("org_acme");
    expect(await panel.getByTestId("authpi-devtools-verdict").textContent()).toBe("Allowed by projects:** in org_acme.");
    await page.screenshot({ path: `${artifactsDir}devtools.png` });
    await panel.getByLabel("Resource").fill("users");
    expect(await panel.getByTestId("authpi-devtools-verdict").textContent()).toBe("Denied: no scope grants delete on users in org_acme.");

    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await toggle.evaluate((element) => element === document.activeElement)).toBe(true);
  });
});
