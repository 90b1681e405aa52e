import { decodeJwt } from "jose";
import { describe, expect, test } from "vitest";
import { HttpBrowser, seededUsers, signInWith } from "../src/index.js";
import { REDIRECT_URI, authorizationRequest, expectSelfContained, open, tokenRequest, useDevIdp } from "./helpers.js";


describe("the dev IdP's pages", () => {
  const env = useDevIdp();

  test("the login page lists every test user, labels its fields and loads nothing external", async () => {
    const request = authorizationRequest(env.discovery, env.idp, { login_hint: "max@acme.test" });
    const page = await open(new HttpBrowser(), env.idp, new URL(request.url));
    if (!page.response) throw new Error("no login page");
    expect(page.response.status).toBe(200);
    expect(page.url.pathname).toMatch(/^\/i_dev\/interaction\/[\w-]+$/);
    expectSelfContained(page.html, page.response);
    expect(page.html).toContain('<html lang="en">');
    expect(page.html).toContain("<h1>Sign in to AuthPI dev client</h1>");
    for (const user of seededUsers) {
      expect(page.html).toContain(`data-email="${user.email}"`);
      expect(page.html).toContain(user.name);
    }
    expect(page.html).toContain('<label for="email">');
    expect(page.html).toContain('<label for="password">');
    expect(page.html).toContain('value="max@acme.test"');
    expect(page.html).toContain(":focus-visible");
  });

  test("cancel ends the login with access_denied, state and iss on the redirect", async () => {
    const browser = new HttpBrowser();
    const request = authorizationRequest(env.discovery, env.idp);
    const page = await open(browser, env.idp, new URL(request.url));
    const abort = new URL(page.html?.match(/action="([^"]+\/abort)"/)?.[1] ?? "", env.idp.origin);
    const { left } = await open(browser, env.idp, abort, "POST", new URLSearchParams());
    expect(left?.searchParams.get("error")).toBe("access_denied");
    expect(left?.searchParams.get("state")).toBe(request.state);
    expect(left?.searchParams.get("iss")).toBe(env.idp.issuerUrl);
  });

  test("prompt=select_account shows the picker despite a session, and switches the user", async () => {
    const browser = new HttpBrowser();
    await signInWith(browser, authorizationRequest(env.discovery, env.idp).url, { email: "olivia@acme.test" });
    const silent = await open(browser, env.idp, new URL(authorizationRequest(env.discovery, env.idp).url));
    expect(silent.left?.searchParams.get("code")).toEqual(expect.any(String));

    const request = authorizationRequest(env.discovery, env.idp, { prompt: "select_account" });
    const code = new URL(await signInWith(browser, request.url, { email: "max@acme.test" })).searchParams.get("code") ?? "";
    const { body } = await tokenRequest(env.discovery, {
      grant_type: "authorization_code",
      client_id: env.idp.clientId,
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: request.verifier,
    });
    expect(decodeJwt(body.id_token).sub).toBe("usr_max");
  });

  test("prompt=login shows the login page again; prompt=consent is granted without a page", async () => {
    const browser = new HttpBrowser();
    await signInWith(browser, authorizationRequest(env.discovery, env.idp).url, { email: "sam@example.test" });
    const login = await open(browser, env.idp, new URL(authorizationRequest(env.discovery, env.idp, { prompt: "login" }).url));
    expect(login.html).toContain('data-email="sam@example.test"');
    const consent = await open(browser, env.idp, new URL(authorizationRequest(env.discovery, env.idp, { prompt: "consent" }).url));
    expect(consent.left?.searchParams.get("code")).toEqual(expect.any(String));
  });

  test("errors that cannot go back to the client get a self-contained error page", async () => {
    const request = new URL(authorizationRequest(env.discovery, env.idp).url);
    request.searchParams.set("client_id", "cli_unknown");
    const page = await open(new HttpBrowser(), env.idp, request);
    if (!page.response) throw new Error("no error page");
    expect(page.response.status).toBe(400);
    expectSelfContained(page.html, page.response);
    expect(page.html).toContain("invalid_client");
  });

  test("a stale interaction URL explains itself instead of failing", async () => {
    const page = await open(new HttpBrowser(), env.idp, new URL(`${env.idp.issuerUrl}/interaction/stale`));
    expect(page.response?.status).toBe(400);
    expect(page.html).toContain("expired");
  });
});

describe("the dev IdP's pages with a client name", () => {
  const env = useDevIdp({ clientName: "Launchpad" });

  test("the login page says Sign in to the client's name", async () => {
    const page = await open(new HttpBrowser(), env.idp, new URL(authorizationRequest(env.discovery, env.idp).url));
    expect(page.html).toContain("<h1>Sign in to Launchpad</h1>");
  });
});
