import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { beforeEach, describe, expect, test } from "vitest";
import { scriptedLogin, seededUsers } from "../src/index.js";
import { REDIRECT_URI, authorizationRequest, signIn, tokenRequest, useDevIdp } from "./helpers.js";

const olivia = seededUsers.find((user) => user.id === "usr_olivia");

describe("code + PKCE flow against the dev IdP", () => {
  const env = useDevIdp();
  beforeEach(() => env.idp.resetCounters());

  const refresh = (refreshToken: string) =>
    tokenRequest(env.discovery, { grant_type: "refresh_token", client_id: env.idp.clientId, refresh_token: refreshToken });

  test("discovery's issuer is the issuer URL, exactly, and advertises iss in authorization responses", () => {
    expect(env.idp.issuerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/i_dev$/);
    expect(env.discovery.issuer).toBe(env.idp.issuerUrl);
    expect(env.idp.origin).toBe(new URL(env.idp.issuerUrl).origin);
    expect(env.discovery["authorization_response_iss_parameter_supported"]).toBe(true);
    expect(env.discovery["code_challenge_methods_supported"]).toEqual(["S256"]);
    expect(env.discovery.end_session_endpoint).toBe(`${env.idp.issuerUrl}/logout`);
    expect(env.discovery.revocation_endpoint).toMatch(new RegExp(`^${env.idp.issuerUrl}/`));
  });

  test("a scripted login returns code, state and iss; the ID token verifies with the JWKS", async () => {
    const { request, callback, tokens } = await signIn(env.idp, env.discovery, "olivia@acme.test");
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get("state")).toBe(request.state);
    expect(callback.searchParams.get("iss")).toBe(env.idp.issuerUrl);
    expect(tokens).toMatchObject({ token_type: "Bearer", expires_in: 300, scope: "openid profile email" });
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const { payload, protectedHeader } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(env.discovery.jwks_uri)), {
      issuer: env.idp.issuerUrl,
      audience: env.idp.clientId,
      algorithms: ["ES256"],
    });
    expect(protectedHeader.alg).toBe("ES256");
    expect(payload).toMatchObject({
      sub: "usr_olivia",
      nonce: request.nonce,
      email: "olivia@acme.test",
      email_verified: true,
      name: "Olivia Owner",
      organizations: olivia?.organizations,
    });
  });

  test("the access token is an at+jwt with a space-separated scope, organizations, sid and client_id", async () => {
    const { tokens } = await signIn(env.idp, env.discovery, "tara@example.test");
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(env.discovery.jwks_uri)), {
      issuer: env.idp.issuerUrl,
      typ: "at+jwt",
    });
    expect(protectedHeader.typ).toBe("at+jwt");
    expect(payload.scope).toBe("openid profile email");
    expect(payload).toMatchObject({ sub: "usr_tara", client_id: env.idp.clientId, sid: expect.any(String) });
    expect(payload["organizations"]).toEqual(seededUsers.find((user) => user.id === "usr_tara")?.organizations);
  });

  test("userinfo answers the JWT access token with sub and organizations", async () => {
    const { tokens } = await signIn(env.idp, env.discovery, "olivia@acme.test");
    const response = await fetch(env.discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      sub: "usr_olivia",
      name: "Olivia Owner",
      email: "olivia@acme.test",
      email_verified: true,
      organizations: olivia?.organizations,
    });
  });

  test("userinfo refuses a tampered access token", async () => {
    const { tokens } = await signIn(env.idp, env.discovery, "max@acme.test");
    const [header, , signature] = tokens.access_token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(tokens.access_token), sub: "usr_olivia" })).toString("base64url");
    const response = await fetch(env.discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${header}.${forged}.${signature}` } });
    expect(response.status).toBe(401);
  });

  test("every refresh rotates the refresh token; reusing the old one is invalid_grant and ends the grant", async () => {
    const { tokens } = await signIn(env.idp, env.discovery, "max@acme.test");
    const first = await refresh(tokens.refresh_token);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeJwt(first.body.id_token).sub).toBe("usr_max");
    expect(decodeProtectedHeader(first.body.access_token).typ).toBe("at+jwt");

    const reused = await refresh(tokens.refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe("invalid_grant");
    // Reuse detection revoked the whole grant: the newest refresh token is dead too.
    expect((await refresh(first.body.refresh_token)).body.error).toBe("invalid_grant");
    expect(env.idp.tokenRequests()).toEqual({ authorization_code: 1, refresh_token: 3 });
  });

  test("revocation answers 200, then the refresh token and the access token stop working", async () => {
    const { tokens } = await signIn(env.idp, env.discovery, "olivia@acme.test");
    const response = await fetch(env.discovery.revocation_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: tokens.refresh_token, token_type_hint: "refresh_token", client_id: env.idp.clientId }),
    });
    expect(response.status).toBe(200);
    expect((await refresh(tokens.refresh_token)).body.error).toBe("invalid_grant");
    const userinfo = await fetch(env.discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
  });

  test("expireRefreshTokens() ends every refresh token as its lifetime would: invalid_grant, access tokens untouched", async () => {
    const { tokens } = await signIn(env.idp, env.discovery, "olivia@acme.test");
    env.idp.expireRefreshTokens();
    expect((await refresh(tokens.refresh_token)).body.error).toBe("invalid_grant");
    const userinfo = await fetch(env.discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(200);
    // Sign-ins after it get refresh tokens that work.
    const next = await signIn(env.idp, env.discovery, "olivia@acme.test");
    expect((await refresh(next.tokens.refresh_token)).status).toBe(200);
  });

  test("tokenRequests() counts token requests by grant type, failed ones included", async () => {
    await signIn(env.idp, env.discovery, "nora@example.test");
    await tokenRequest(env.discovery, { grant_type: "refresh_token", client_id: env.idp.clientId, refresh_token: "nope" });
    await tokenRequest(env.discovery, { client_id: env.idp.clientId });
    expect(env.idp.tokenRequests()).toEqual({ authorization_code: 1, refresh_token: 1, "(none)": 1 });
    env.idp.resetCounters();
    expect(env.idp.tokenRequests()).toEqual({});
  });

  test("a user with no organization gets an empty organizations claim", async () => {
    const { tokens } = await signIn(env.idp, env.discovery, "nora@example.test");
    expect(decodeJwt(tokens.id_token)["organizations"]).toEqual([]);
  });

  test("the email and password form signs in too; a wrong password shows the page again with an error", async () => {
    const request = authorizationRequest(env.discovery, env.idp);
    const callback = new URL(await scriptedLogin(request.url, { email: "sam@example.test", password: "authpi" }));
    expect(callback.searchParams.get("code")).toEqual(expect.any(String));
    await expect(
      scriptedLogin(authorizationRequest(env.discovery, env.idp).url, { email: "sam@example.test", password: "wrong" }),
    ).rejects.toThrow(/\(401\): Wrong email or password/);
  });
});
