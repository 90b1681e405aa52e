import { describe, expect, test } from "vitest";
import { HttpBrowser } from "../src/index.js";
import { type Discovery, authorizationRequest, expectSelfContained, open, signInBrowser, useDevIdp } from "./helpers.js";

const APP = "http://127.0.0.1:5173/";

function logoutUrl(discovery: Discovery, params: Record<string, string>): URL {
  const url = new URL(discovery.end_session_endpoint);
  url.search = new URLSearchParams(params).toString();
  return url;
}

const formAction = (html: string, id: string) => new RegExp(`<form id="${id}" method="post" action="([^"]+)"`).exec(html)?.[1] ?? "";

describe("RP-initiated logout at the dev IdP", () => {
  const env = useDevIdp();

  /** A prompt=none login in `browser`: a code while its IdP session lives, login_required after. */
  const silentLogin = async (browser: HttpBrowser) =>
    (await open(browser, env.idp, new URL(authorizationRequest(env.discovery, env.idp, { prompt: "none" }).url))).left;

  test("a self-contained confirmation naming the client, whose Sign out button ends the session", async () => {
    const { browser, tokens } = await signInBrowser(env.idp, env.discovery, "olivia@acme.test");
    const logout = logoutUrl(env.discovery, { id_token_hint: tokens.id_token, post_logout_redirect_uri: APP, state: "bye" });
    const confirm = await open(browser, env.idp, logout);
    if (!confirm.response) throw new Error("no logout page");
    expectSelfContained(confirm.html, confirm.response);
    expect(confirm.html).toContain("<h1>Also sign out of the AuthPI dev IdP?</h1>");
    expect(confirm.html).toMatch(/<button[^>]* form="op.logoutForm" name="logout" value="yes"[^>]*>Sign out<\/button>/);
    // The app cleared its session before it came here: nothing may offer to keep the user signed in to it.
    expect(confirm.html).not.toContain("Stay signed in");
    expect(confirm.html).toContain("AuthPI dev client has signed you out.");
    expect(confirm.html).toMatch(/<button class="secondary" type="submit" form="op.logoutForm">Keep my dev IdP session<\/button>/);

    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.html)?.[1] ?? "";
    const done = await open(browser, env.idp, new URL(formAction(confirm.html, "op.logoutForm")), "POST", new URLSearchParams({ xsrf, logout: "yes" }));
    expect(done.left?.href).toBe(`${APP}?state=bye`);
    expect((await silentLogin(browser))?.searchParams.get("error")).toBe("login_required");
  });

  test("without id_token_hint: a 400 page saying it is required, and the IdP session lives on", async () => {
    const { browser } = await signInBrowser(env.idp, env.discovery, "max@acme.test");
    const page = await open(browser, env.idp, logoutUrl(env.discovery, { client_id: env.idp.clientId, post_logout_redirect_uri: APP, state: "bye" }));
    if (!page.response) throw new Error(`redirected to ${page.left?.href}`);
    expect(page.response.status).toBe(400);
    expectSelfContained(page.html, page.response);
    expect(page.html).toContain("<code>invalid_request</code>");
    expect(page.html).toContain("id_token_hint is required");
    expect(page.html).not.toContain("op.logoutForm");
    expect((await silentLogin(browser))?.searchParams.get("code")).toEqual(expect.any(String));
  });

  test("without id_token_hint and without a session, by GET or by POST: the same 400 page", async () => {
    const get = await open(new HttpBrowser(), env.idp, logoutUrl(env.discovery, {}));
    expect(get.response?.status).toBe(400);
    expect(get.html).toContain("id_token_hint is required");
    // Without a session oidc-provider would answer with a self-submitting sign-out form.
    expect(get.html).not.toContain("<form");

    const endpoint = new URL(env.discovery.end_session_endpoint);
    const post = await open(new HttpBrowser(), env.idp, endpoint, "POST", new URLSearchParams({ post_logout_redirect_uri: APP }));
    expect(post.response?.status).toBe(400);
    expect(post.html).toContain("id_token_hint is required");
  });

  test("an unregistered post_logout_redirect_uri: the page names it, the registered ones and --post-logout-redirect-uri", async () => {
    const { browser, tokens } = await signInBrowser(env.idp, env.discovery, "olivia@acme.test");
    const page = await open(browser, env.idp, logoutUrl(env.discovery, { id_token_hint: tokens.id_token, post_logout_redirect_uri: "http://127.0.0.1:5173/bye" }));
    if (!page.response) throw new Error(`redirected to ${page.left?.href}`);
    expect(page.response.status).toBe(400);
    expectSelfContained(page.html, page.response);
    expect(page.html).toContain("<h1>This post-logout redirect URI is not registered</h1>");
    expect(page.html).toContain('<h2>The app sent <code>post_logout_redirect_uri</code></h2>\n<ul class="values"><li><code>http://127.0.0.1:5173/bye</code></li></ul>');
    expect(page.html).toContain(`<h2>Registered at this dev IdP</h2>\n<ul class="values"><li><code>${APP}</code></li></ul>`);
    expect(page.html).toContain("--post-logout-redirect-uri http://127.0.0.1:5173/bye");
  });

  test("a malformed id_token_hint is still oidc-provider's own invalid_request", async () => {
    const page = await open(new HttpBrowser(), env.idp, logoutUrl(env.discovery, { id_token_hint: "not-a-jwt" }));
    expect(page.response?.status).toBe(400);
    expect(page.html).toContain("could not decode id_token_hint");
  });
});

describe("RP-initiated logout with a client name", () => {
  const env = useDevIdp({ clientName: "Launchpad" });

  test("the confirmation says the client's name has signed the user out", async () => {
    const { browser, tokens } = await signInBrowser(env.idp, env.discovery, "tara@example.test");
    const confirm = await open(browser, env.idp, logoutUrl(env.discovery, { id_token_hint: tokens.id_token }));
    expect(confirm.response?.status).toBe(200);
    expect(confirm.html).toContain("Launchpad has signed you out.");
  });
});
