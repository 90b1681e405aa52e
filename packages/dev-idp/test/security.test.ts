import { describe, expect, test } from "vitest";
import { scriptedLogin } from "../src/index.js";
import { REDIRECT_URI, SPA_ORIGIN, authorizationRequest, signIn, tokenRequest, useDevIdp } from "./helpers.js";

describe("what the dev IdP refuses, as AuthPI does", () => {
  const env = useDevIdp();

  async function codeFor(email: string) {
    const request = authorizationRequest(env.discovery, env.idp);
    const code = new URL(await scriptedLogin(request.url, { email })).searchParams.get("code") ?? "";
    return { code, verifier: request.verifier };
  }

  const exchange = (code: string, extra: Record<string, string>) =>
    tokenRequest(env.discovery, { grant_type: "authorization_code", client_id: env.idp.clientId, code, redirect_uri: REDIRECT_URI, ...extra });

  test("PKCE is required: a token request without code_verifier (or with another one) is invalid_grant", async () => {
    const { code } = await codeFor("max@acme.test");
    expect((await exchange(code, {})).body.error).toBe("invalid_grant");
    const other = await codeFor("max@acme.test");
    expect((await exchange(other.code, { code_verifier: "x".repeat(43) })).body.error).toBe("invalid_grant");
  });

  test("an authorization request without code_challenge ends with an error on the redirect", async () => {
    const url = new URL(authorizationRequest(env.discovery, env.idp).url);
    url.searchParams.delete("code_challenge");
    url.searchParams.delete("code_challenge_method");
    const response = await fetch(url, { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("iss")).toBe(env.idp.issuerUrl);
  });

  test("an unregistered redirect_uri is refused at the IdP, never redirected to", async () => {
    const request = authorizationRequest(env.discovery, env.idp, { redirect_uri: "http://127.0.0.1:5173/callback/other" });
    const response = await fetch(request.url, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("invalid_redirect_uri");
    await expect(scriptedLogin(request.url, { email: "olivia@acme.test" })).rejects.toThrow(/400/);
  });

  test("the token request must repeat the exact redirect_uri", async () => {
    const { code, verifier } = await codeFor("olivia@acme.test");
    const response = await exchange(code, { code_verifier: verifier, redirect_uri: `${REDIRECT_URI}/` });
    expect(response.body.error).toBe("invalid_grant");
  });

  test("a code is single-use: the second exchange fails and revokes the first one's tokens", async () => {
    const { code, verifier } = await codeFor("olivia@acme.test");
    const first = await exchange(code, { code_verifier: verifier });
    expect(first.status).toBe(200);
    expect((await exchange(code, { code_verifier: verifier })).body.error).toBe("invalid_grant");
    const refreshed = await tokenRequest(env.discovery, {
      grant_type: "refresh_token",
      client_id: env.idp.clientId,
      refresh_token: first.body.refresh_token,
    });
    expect(refreshed.body.error).toBe("invalid_grant");
  });

  test("CORS is granted to the SPA origin only; a foreign origin's request is refused untouched", async () => {
    const { tokens } = await signIn(env.idp, env.discovery, "max@acme.test");
    const refreshFrom = (origin: string) =>
      tokenRequest(env.discovery, { grant_type: "refresh_token", client_id: env.idp.clientId, refresh_token: tokens.refresh_token }, { origin });

    const fromEvil = await refreshFrom("http://evil.example");
    expect(fromEvil.status).toBe(400);
    expect(fromEvil.headers.get("access-control-allow-origin")).toBeNull();
    // Refused before the grant ran: the refresh token was not used up.
    const fromSpa = await refreshFrom(SPA_ORIGIN);
    expect(fromSpa.status).toBe(200);
    expect(fromSpa.headers.get("access-control-allow-origin")).toBe(SPA_ORIGIN);
    // The SDK learns the IdP's clock from the token response's Date: readable across origins only when exposed.
    expect(fromSpa.headers.get("access-control-expose-headers")?.split(/\s*,\s*/)).toEqual(expect.arrayContaining(["Date", "WWW-Authenticate"]));
    expect(Date.parse(fromSpa.headers.get("date") ?? "")).not.toBeNaN();

    const userinfoFrom = (origin: string) =>
      fetch(env.discovery.userinfo_endpoint, { headers: { origin, authorization: `Bearer ${fromSpa.body.access_token}` } });
    expect((await userinfoFrom("http://127.0.0.1:6666")).headers.get("access-control-allow-origin")).toBeNull();
    expect((await userinfoFrom(SPA_ORIGIN)).headers.get("access-control-allow-origin")).toBe(SPA_ORIGIN);
  });

  test("the blocked user's login ends on the redirect URI with user_blocked, state and iss", async () => {
    const request = authorizationRequest(env.discovery, env.idp);
    const callback = new URL(await scriptedLogin(request.url, { email: "bob@example.test" }));
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get("error")).toBe("user_blocked");
    expect(callback.searchParams.get("error_description")).toEqual(expect.any(String));
    expect(callback.searchParams.get("state")).toBe(request.state);
    expect(callback.searchParams.get("iss")).toBe(env.idp.issuerUrl);
    expect(callback.searchParams.has("code")).toBe(false);
  });

  test("blocking a signed-in user makes the next refresh fail with user_blocked; unblocking lets them in", async () => {
    const { tokens } = await signIn(env.idp, env.discovery, "tara@example.test");
    env.idp.blockUser("usr_tara");
    try {
      const refreshed = await tokenRequest(env.discovery, {
        grant_type: "refresh_token",
        client_id: env.idp.clientId,
        refresh_token: tokens.refresh_token,
      });
      expect(refreshed.status).toBe(400);
      expect(refreshed.body.error).toBe("user_blocked");
    } finally {
      env.idp.unblockUser("usr_tara");
    }
    expect((await signIn(env.idp, env.discovery, "tara@example.test")).tokens.id_token).toEqual(expect.any(String));
    expect(() => env.idp.blockUser("usr_nobody")).toThrow(/unknown user id/);
  });

  test("prompt=none without a session is login_required on the redirect", async () => {
    const request = authorizationRequest(env.discovery, env.idp, { prompt: "none" });
    const response = await fetch(request.url, { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("login_required");
    expect(location.searchParams.get("state")).toBe(request.state);
  });
});
