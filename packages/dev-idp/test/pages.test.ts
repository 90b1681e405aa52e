import { decodeJwt } from "jose";
import { describe, expect, test } from "vitest";
import { HttpBrowser, seededUsers, signInWith } from "../src/index.js";
import { REDIRECT_URI, authorizationRequest, expectSelfContained, open, tokenRequest, useDevIdp } from "./helpers.js";


/** The values listed under "The app sent" and "Registered at this dev IdP" on a setup error page. */
function sections(html: string | undefined) {
  const values = (heading: string) => {
    const list = new RegExp(`<h2>${heading}[^\n]*</h2>\n<ul class="values">(.*?)</ul>`).exec(html ?? "")?.[1] ?? "";
    return [...list.matchAll(/<code>(.*?)<\/code>/g)].map((match) => match[1]);
  };
  return { sent: values("The app sent"), registered: values("Registered at this dev IdP") };
}

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

  test("an unknown client id: the page names the id sent, the registered one and --client-id", async () => {
    const request = new URL(authorizationRequest(env.discovery, env.idp).url);
    request.searchParams.set("client_id", "cli_typo");
    const page = await open(new HttpBrowser(), env.idp, request);
    expect(page.response?.status).toBe(400);
    expect(page.html).toContain("<h1>This app&#39;s client id is not registered</h1>");
    expect(sections(page.html)).toEqual({ sent: ["cli_typo"], registered: ["cli_dev_demo"] });
    expect(page.html).toContain("--client-id cli_typo");
    expect(page.html).toContain('clientId: &#34;cli_dev_demo&#34;');
  });

  test("an unregistered redirect URI: the page names it, the registered ones, --redirect-uri, and the localhost mix-up", async () => {
    const request = authorizationRequest(env.discovery, env.idp, { redirect_uri: "http://localhost:5173/callback" });
    const page = await open(new HttpBrowser(), env.idp, new URL(request.url));
    expect(page.response?.status).toBe(400);
    expectSelfContained(page.html ?? "", page.response as Response);
    expect(page.html).toContain("<code>invalid_redirect_uri</code>");
    expect(sections(page.html)).toEqual({ sent: ["http://localhost:5173/callback"], registered: [REDIRECT_URI] });
    expect(page.html).toContain("--redirect-uri http://localhost:5173/callback");
    expect(page.html).toContain("<code>localhost</code> and <code>127.0.0.1</code> are different origins");
  });

  test("the login page's script posts for a location to replace the page with: no history entry is left to go Back to", async () => {
    const browser = new HttpBrowser();
    const request = authorizationRequest(env.discovery, env.idp);
    const page = await open(browser, env.idp, new URL(request.url));
    expect(page.html).toMatch(/<script>[^<]*location\.replace\(/);
    expect(page.response?.headers.get("content-security-policy")).toMatch(/script-src 'sha256-[\w+/=]+'/);
    const action = new URL(page.html?.match(/<form method="post" action="([^"]+\/login)"/)?.[1] ?? "", env.idp.origin);

    const wrong = await browser.send(action, "POST", new URLSearchParams({ email: "max@acme.test", password: "nope" }), "application/json");
    const retry = new URL(((await wrong.json()) as { location: string }).location, env.idp.origin);
    expect(retry.searchParams.get("failed")).toBe("password");
    const again = await open(browser, env.idp, retry);
    expect(again.html).toContain("Wrong email or password. Try again.");
    expect(again.html).toContain('value="max@acme.test"');

    const right = await browser.send(action, "POST", new URLSearchParams({ email: "max@acme.test", password: "authpi" }), "application/json");
    expect(right.status).toBe(200);
    const resume = new URL(((await right.json()) as { location: string }).location, env.idp.origin);
    const { left } = await open(browser, env.idp, resume);
    expect(left?.searchParams.get("code")).toEqual(expect.any(String));
    expect(left?.searchParams.get("state")).toBe(request.state);
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
