import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { describe, expect, test } from "vitest";
import { scriptedLogin, seededUsers } from "../src/index.js";
import { REDIRECT_URI, authorizationRequest, exchangeCode, open, signIn, signInBrowser, tokenRequest, useDevIdp } from "./helpers.js";

const tara = seededUsers.find((user) => user.id === "usr_tara");
const membership = (org: string) => tara?.organizations.filter((m) => m.id === org);
const orgsOf = (jwt: string) => decodeJwt(jwt)["organizations"];

describe("the org authorize parameter (SPEC §8)", () => {
  const env = useDevIdp();

  const refresh = (refreshToken: string) =>
    tokenRequest(env.discovery, { grant_type: "refresh_token", client_id: env.idp.clientId, refresh_token: refreshToken });
  const userinfo = async (accessToken: string) =>
    (await (await fetch(env.discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as Record<string, unknown>;

  test("a login with org gets an ID token, an access token and userinfo holding that organization only", async () => {
    const { tokens } = await signIn(env.idp, env.discovery, "tara@example.test", { org: "org_globex" });
    expect(membership("org_globex")).toHaveLength(1);
    const jwks = createRemoteJWKSet(new URL(env.discovery.jwks_uri));
    const { payload: idToken } = await jwtVerify(tokens.id_token, jwks, { issuer: env.idp.issuerUrl, audience: env.idp.clientId });
    expect(idToken["organizations"]).toEqual(membership("org_globex"));
    const { payload: accessToken } = await jwtVerify(tokens.access_token, jwks, { issuer: env.idp.issuerUrl, typ: "at+jwt" });
    expect(accessToken["organizations"]).toEqual(membership("org_globex"));
    expect(accessToken).toMatchObject({ sid: expect.any(String), scope: "openid profile email" });
    expect((await userinfo(tokens.access_token))["organizations"]).toEqual(membership("org_globex"));
  });

  test("every refresh of that grant keeps the restriction: ID token, access token and userinfo", async () => {
    const { tokens } = await signIn(env.idp, env.discovery, "tara@example.test", { org: "org_acme" });
    const first = await refresh(tokens.refresh_token);
    expect(first.status).toBe(200);
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    for (const { body } of [first, second]) {
      expect(orgsOf(body.id_token)).toEqual(membership("org_acme"));
      expect(orgsOf(body.access_token)).toEqual(membership("org_acme"));
    }
    expect((await userinfo(second.body.access_token))["organizations"]).toEqual(membership("org_acme"));
  });

  test("an org the user is not a member of ends with access_denied on the redirect, with state and iss", async () => {
    const request = authorizationRequest(env.discovery, env.idp, { org: "org_globex" });
    const callback = new URL(await scriptedLogin(request.url, { email: "max@acme.test" }));
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get("error")).toBe("access_denied");
    expect(callback.searchParams.get("error_description")).toBe("The user is not a member of organization org_globex.");
    expect(callback.searchParams.get("state")).toBe(request.state);
    expect(callback.searchParams.get("iss")).toBe(env.idp.issuerUrl);
    expect(callback.searchParams.has("code")).toBe(false);
  });

  test("silent logins in one IdP session: each code keeps its own org, a non-member org is access_denied", async () => {
    const { browser, tokens } = await signInBrowser(env.idp, env.discovery, "tara@example.test", { org: "org_acme" });
    const silent = authorizationRequest(env.discovery, env.idp, { prompt: "none", org: "org_globex" });
    const { left } = await open(browser, env.idp, new URL(silent.url));
    if (!left) throw new Error("the silent login stopped at the IdP");
    const switched = await exchangeCode(env.idp, env.discovery, silent, left);
    expect(orgsOf(switched.id_token)).toEqual(membership("org_globex"));
    // Same session and grant, but the first login's refresh chain stays in org_acme.
    expect(decodeJwt(switched.access_token)["sid"]).toBe(decodeJwt(tokens.access_token)["sid"]);
    expect(orgsOf((await refresh(tokens.refresh_token)).body.access_token)).toEqual(membership("org_acme"));

    const unrestricted = authorizationRequest(env.discovery, env.idp, { prompt: "none" });
    const all = await exchangeCode(env.idp, env.discovery, unrestricted, (await open(browser, env.idp, new URL(unrestricted.url))).left ?? new URL(REDIRECT_URI));
    expect(orgsOf(all.id_token)).toEqual(tara?.organizations);

    const denied = await open(browser, env.idp, new URL(authorizationRequest(env.discovery, env.idp, { prompt: "none", org: "org_initech" }).url));
    expect(denied.left?.searchParams.get("error")).toBe("access_denied");
    expect(denied.left?.searchParams.get("error_description")).toContain("not a member of organization org_initech");
  });

  test("a user with no organization is not a member of any", async () => {
    const callback = new URL(await scriptedLogin(authorizationRequest(env.discovery, env.idp, { org: "org_acme" }).url, { email: "nora@example.test" }));
    expect(callback.searchParams.get("error")).toBe("access_denied");
  });

  test("an org that is not an organization id is invalid_request on the redirect", async () => {
    const request = authorizationRequest(env.discovery, env.idp, { org: "org acme" });
    const response = await fetch(request.url, { redirect: "manual" });
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("error_description")).toBe("org must be an organization id, such as org_acme");
    expect(location.searchParams.get("state")).toBe(request.state);
  });
});
