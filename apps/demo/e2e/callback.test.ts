// The browser side of SECURITY-CASES: crafted callback URLs in a real address
// bar (cases 7, 9, 10, 11, 13, 15, 30, 38). No forging server is needed: the
// attacks are URLs, and the IdP is the real dev IdP.
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { signIn, signInAt, waitForStatus, recordStatuses, statusesSeen, useStack } from "./support/stack.js";

const env = useStack();

const callback = (params: Record<string, string>) => `${env.stack.appUrl}/callback?${new URLSearchParams(params)}`;

/** Starts a real login from the app and stops at the IdP's login page: the state the app is waiting for. */
async function pendingLogin(page: Page): Promise<string> {
  await page.goto(`${env.stack.appUrl}/dashboard`);
  await page.waitForURL((url) => url.href.startsWith(env.stack.idp.issuerUrl));
  const authorize = await page.evaluate(() => location.href);
  // The login page's URL is the interaction; the state is in the original authorize request.
  return new URL(authorize).searchParams.get("state") ?? stateFromHistory;
}
let stateFromHistory = "";

function watchAuthorize(page: Page) {
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.href.startsWith(`${env.stack.idp.issuerUrl}/auth?`)) stateFromHistory = url.searchParams.get("state") ?? "";
  });
}

async function errorCode(page: Page): Promise<string | null> {
  const alert = page.getByTestId("auth-error");
  await alert.waitFor();
  return alert.getAttribute("data-error-code");
}

describe("crafted callbacks", () => {
  it("an unknown state is refused with no token request, and the address bar is cleaned (cases 7, 11)", async () => {
    const page = await env.context.newPage();
    watchAuthorize(page);
    await pendingLogin(page);
    await page.goto(callback({ code: "stolen", state: "forged", iss: env.stack.idp.issuerUrl }));
    expect(await errorCode(page)).toBe("state_mismatch");
    expect(env.stack.idp.tokenRequests()).toEqual({});
    expect(new URL(page.url()).search).toBe("");
  });

  it("a callback in a tab with no pending login says so and does not loop (case 14)", async () => {
    const page = await env.context.newPage();
    await page.goto(callback({ code: "c", state: "s", iss: env.stack.idp.issuerUrl }));
    expect(await errorCode(page)).toBe("no_pending_login");
    await page.waitForTimeout(1_000);
    expect(page.url().startsWith(env.stack.appUrl)).toBe(true);
    expect(env.stack.idp.tokenRequests()).toEqual({});
  });

  it("a response without iss is refused as a mix-up before any token request (case 9)", async () => {
    const page = await env.context.newPage();
    watchAuthorize(page);
    await pendingLogin(page);
    await page.goto(callback({ code: "c", state: stateFromHistory }));
    expect(await errorCode(page)).toBe("issuer_mismatch");
    expect(env.stack.idp.tokenRequests()).toEqual({});
  });

  it("an error_description carrying HTML is shown as text, never run (case 13)", async () => {
    const page = await env.context.newPage();
    watchAuthorize(page);
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await pendingLogin(page);
    const payload = `<img src=x onerror="alert('xss')">`;
    await page.goto(callback({ error: "access_denied", error_description: payload, state: stateFromHistory, iss: env.stack.idp.issuerUrl }));
    expect(await errorCode(page)).toBe("access_denied");
    expect(await page.getByTestId("auth-error").textContent()).toContain(payload);
    expect(await page.locator("img[src=x]").count()).toBe(0);
    await page.waitForTimeout(500);
    expect(dialogs).toEqual([]);
  });

  it("replaying the callback URL (Back, reload) sends no second code and keeps the session (case 10)", async () => {
    const page = await env.context.newPage();
    let callbackUrl = "";
    page.on("request", (request) => {
      if (request.url().startsWith(`${env.stack.appUrl}/callback?`)) callbackUrl = request.url();
    });
    await page.goto(`${env.stack.appUrl}/dashboard`);
    await page.waitForURL((url) => url.href.startsWith(env.stack.idp.issuerUrl));
    await signInAt(page, "max@acme.test", env.stack.appUrl);
    await waitForStatus(page, "authenticated");
    await page.goto(callbackUrl);
    expect(await page.getByTestId("status").textContent()).not.toBe("unauthenticated");
    await page.waitForTimeout(1_000);
    expect(env.stack.idp.tokenRequests()).toEqual({ authorization_code: 1 });
    await page.goto(`${env.stack.appUrl}/dashboard`);
    await waitForStatus(page, "authenticated");
  });

  it("one token request under StrictMode, and the callback shows loading then authenticated only (case 38)", async () => {
    const page = await env.context.newPage();
    await recordStatuses(page);
    await page.goto(`${env.stack.appUrl}/dashboard`);
    await page.waitForURL((url) => url.href.startsWith(env.stack.idp.issuerUrl));
    await signInAt(page, "olivia@acme.test", env.stack.appUrl);
    await waitForStatus(page, "authenticated");
    expect(await statusesSeen(page)).toEqual(["loading", "authenticated"]);
    expect(env.stack.idp.tokenRequests()).toEqual({ authorization_code: 1 });
  });
});

describe("where tokens live (case 30)", () => {
  it("only in this tab's namespaced sessionStorage: not in localStorage, cookies, IndexedDB or the URL", async () => {
    const page = await signIn(env.context, env.stack, "olivia@acme.test");
    const found = await page.evaluate(async () => ({
      session: Object.keys(sessionStorage),
      localTokens: Object.values(localStorage).filter((value) => /eyJ[\w-]+\.[\w-]+/.test(value)),
      cookie: document.cookie,
      databases: (await indexedDB.databases()).map((db) => db.name),
      url: location.href,
    }));
    expect(found.session.every((key) => key.startsWith("authpi:cli_dev_demo:"))).toBe(true);
    expect(found.session).toContain("authpi:cli_dev_demo:session");
    expect(found).toMatchObject({ localTokens: [], cookie: "", databases: [] });
    expect(found.url).not.toMatch(/code=|token/);
  });
});

describe("post-login target (case 15)", () => {
  it.each(["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])(
    "a pending login whose returnTo is %j lands on / after a real login",
    async (returnTo) => {
      const page = await env.context.newPage();
      await page.goto(`${env.stack.appUrl}/`);
      // Plant a pending login, as script on the page could, with a hostile target, then log in for real with it.
      const verifier = randomBytes(32).toString("base64url");
      const state = randomBytes(16).toString("base64url");
      const nonce = randomBytes(16).toString("base64url");
      await page.evaluate(
        ([key, value]) => sessionStorage.setItem(key as string, value as string),
        ["authpi:cli_dev_demo:logins", JSON.stringify({ [state]: { codeVerifier: verifier, nonce, returnTo, createdAt: Date.now() } })],
      );
      const authorize = new URL(`${env.stack.idp.issuerUrl}/auth`);
      for (const [name, value] of Object.entries({
        response_type: "code",
        client_id: "cli_dev_demo",
        redirect_uri: `${env.stack.appUrl}/callback`,
        scope: "openid profile email",
        state,
        nonce,
        code_challenge: createHash("sha256").update(verifier).digest("base64url"),
        code_challenge_method: "S256",
      })) {
        authorize.searchParams.set(name, value);
      }
      await page.goto(authorize.href);
      await signInAt(page, "max@acme.test", env.stack.appUrl);
      await waitForStatus(page, "authenticated");
      expect(new URL(page.url()).origin).toBe(env.stack.appUrl);
      expect(new URL(page.url()).pathname).toBe("/");
    },
  );
});
