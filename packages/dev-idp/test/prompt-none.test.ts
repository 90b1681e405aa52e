// prompt=none as AuthPI answers it (OIDC Core §3.1.2.6): the new-tab restoration of
// @authpi/core relies on it coming straight back to the redirect URI, never to a page.
import { describe, expect, test } from "vitest";
import { HttpBrowser } from "../src/index.js";
import { authorizationRequest, exchangeCode, open, REDIRECT_URI, signInBrowser, useDevIdp } from "./helpers.js";

describe("prompt=none", () => {
  const env = useDevIdp();

  test("with the IdP's session: straight back with a code that exchanges for tokens", async () => {
    const { browser } = await signInBrowser(env.idp, env.discovery, "olivia@acme.test");
    const request = authorizationRequest(env.discovery, env.idp, { prompt: "none" });
    const result = await open(browser, env.idp, new URL(request.url));
    expect(result.left && `${result.left.origin}${result.left.pathname}`).toBe(REDIRECT_URI);
    expect(result.left?.searchParams.get("state")).toBe(request.state);
    const tokens = await exchangeCode(env.idp, env.discovery, request, result.left as URL);
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  test("without one: error=login_required to the redirect URI, never a login page", async () => {
    const request = authorizationRequest(env.discovery, env.idp, { prompt: "none" });
    const result = await open(new HttpBrowser(), env.idp, new URL(request.url));
    expect(result.left && `${result.left.origin}${result.left.pathname}`).toBe(REDIRECT_URI);
    expect(result.left?.searchParams.get("error")).toBe("login_required");
    expect(result.left?.searchParams.get("state")).toBe(request.state);
  });

  test("after the IdP's session ended (end-session confirmed): login_required", async () => {
    const { browser, tokens } = await signInBrowser(env.idp, env.discovery, "max@acme.test");
    const logout = new URL(env.discovery.end_session_endpoint ?? "");
    logout.searchParams.set("id_token_hint", tokens.id_token);
    const page = await open(browser, env.idp, logout);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.html ?? "")?.[1] ?? "";
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(page.html ?? "")?.[1] ?? "";
    const done = await open(browser, env.idp, new URL(action), "POST", new URLSearchParams({ xsrf, logout: "yes" }));
    expect(done.left ?? done.url).toBeTruthy();
    const request = authorizationRequest(env.discovery, env.idp, { prompt: "none" });
    const result = await open(browser, env.idp, new URL(request.url));
    expect(result.left?.searchParams.get("error")).toBe("login_required");
  });
});
