// The client against the real peer: @authpi/dev-idp (oidc-provider) over real HTTP.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { scriptedLogin, startDevIdp, type DevIdp } from "@authpi/dev-idp";
import { AuthPIClient, NoPendingLoginError, RefreshError, UserBlockedError } from "../src/index.js";
import { memoryStorage, type StorageLike } from "../src/storage.js";
import { installLocation } from "./support/browser-location.js";
import { rejection } from "./support/rejection.js";

const APP = "http://127.0.0.1:5173";
let idp: DevIdp;
let location: ReturnType<typeof installLocation>;

beforeAll(async () => {
  idp = await startDevIdp({ quiet: true });
});
afterAll(() => idp.close());
afterEach(() => {
  vi.unstubAllGlobals();
  idp.resetCounters();
});

/** A client whose every HTTP request is recorded by path. */
function newClient(storage: StorageLike = memoryStorage(), issuer = idp) {
  const requests: string[] = [];
  const client = new AuthPIClient({
    issuerUrl: issuer.issuerUrl,
    clientId: issuer.clientId,
    redirectUri: `${APP}/callback`,
    postLogoutRedirectUri: `${APP}/`,
    storage,
    fetch: (input, init) => {
      requests.push(new URL(input instanceof Request ? input.url : input).pathname.replace(/^\/i_dev/, ""));
      return fetch(input, init);
    },
  });
  return { client, requests, storage };
}

/** The whole redirect login: authorize URL → the dev IdP's login form → callback. */
async function login(client: AuthPIClient, email: string) {
  location = installLocation(`${APP}/start`);
  await client.loginWithRedirect({ returnTo: "/dashboard" });
  const callback = await scriptedLogin(location.assigned.at(-1) ?? "", { email });
  location.visit(callback);
  return client.handleRedirectCallback();
}

describe("login against the dev IdP", () => {
  it("signs in the organization owner: verified ID token, organizations, scopes; 3 requests cold, 1 the second time", async () => {
    const { client, requests } = newClient();
    const { agent, returnTo } = await login(client, "olivia@acme.test");
    expect(returnTo).toBe("/dashboard");
    expect(agent).toMatchObject({ id: "usr_olivia", type: "user", email: "olivia@acme.test", emailVerified: true });
    expect(agent.organizations).toEqual([expect.objectContaining({ id: "org_acme", title: "Acme Inc.", scopes: ["owner", "projects:**", "users:read"] })]);
    expect(agent.hasAccessIn("org_acme", "delete", "projects.tasks")).toBe(true);
    expect(agent.hasAccessIn("org_acme", "write", "users")).toBe(false);
    expect(agent.isOwnerOf("org_acme")).toBe(true);
    expect(agent.isAdminOf("org_acme")).toBe(false);
    expect(agent.tokens.refreshToken).toBeTruthy();
    expect(agent.expiresIn).toBeGreaterThan(290);
    // Discovery first, then the keys and the token in parallel.
    expect(requests[0]).toBe("/.well-known/openid-configuration");
    expect(requests.slice(1).sort()).toEqual(["/jwks", "/token"]);
    expect(client.getSnapshot()).toMatchObject({ status: "authenticated", agent });

    requests.length = 0;
    await login(client, "max@acme.test");
    expect(requests).toEqual(["/token"]);
    expect(client.getSnapshot().agent?.id).toBe("usr_max");
  });

  it("gives someone in two organizations different scopes in each", async () => {
    const { agent } = await login(newClient().client, "tara@example.test");
    expect(agent.isAdminOf("org_acme")).toBe(true);
    expect(agent.hasAccessIn("org_acme", "write", "projects")).toBe(false);
    expect(agent.hasAccessIn("org_globex", "write", "projects")).toBe(true);
    expect(agent.hasAccess("write", "projects")).toBe(true);
  });

  it("grants everything but no role to the *:** user, and nothing to the user with no organization", async () => {
    const sam = (await login(newClient().client, "sam@example.test")).agent;
    expect(sam.hasAccessIn("org_acme", "delete", "billing.invoices")).toBe(true);
    expect(sam.isOwnerOf("org_acme") || sam.isAdminOf("org_acme")).toBe(false);
    const nora = (await login(newClient().client, "nora@example.test")).agent;
    expect(nora.organizations).toEqual([]);
    expect(nora.hasAccess("read", "projects")).toBe(false);
  });

  it("ends the blocked user's login with UserBlockedError and stores nothing", async () => {
    const { client, storage } = newClient();
    const error = await rejection(login(client, "bob@example.test"));
    expect(error).toBeInstanceOf(UserBlockedError);
    expect(error.error).toBe("user_blocked");
    expect(idp.tokenRequests()).toEqual({});
    expect(storage.getItem("authpi:cli_dev_demo:session")).toBeNull();
    expect(client.getSnapshot()).toMatchObject({ status: "error", error });
  });

  it("a replayed callback sends no second code (the IdP would revoke the grant)", async () => {
    const { client } = newClient();
    location = installLocation(`${APP}/`);
    await client.loginWithRedirect();
    const callback = await scriptedLogin(location.assigned.at(-1) ?? "", { email: "max@acme.test" });
    await client.handleRedirectCallback(callback);
    await client.handleRedirectCallback(callback);
    expect(await rejection(newClient().client.handleRedirectCallback(callback))).toBeInstanceOf(NoPendingLoginError);
    expect(idp.tokenRequests()).toEqual({ authorization_code: 1 });
    await expect(client.refresh()).resolves.toBeDefined();
  });

  it("refuses an attacker's code injected with the victim's state: PKCE makes the IdP say invalid_grant (case 8)", async () => {
    const attacker = newClient().client;
    location = installLocation(`${APP}/`);
    await attacker.loginWithRedirect();
    const attackerCode = new URL(await scriptedLogin(location.assigned.at(-1) ?? "", { email: "sam@example.test" })).searchParams.get("code") ?? "";
    const { client: victim, storage } = newClient();
    await victim.loginWithRedirect();
    const victimState = new URL(location.assigned.at(-1) ?? "").searchParams.get("state") ?? "";
    const injected = `${APP}/callback?${new URLSearchParams({ code: attackerCode, state: victimState, iss: idp.issuerUrl })}`;
    const error = await rejection(victim.handleRedirectCallback(injected));
    expect(error.error).toBe("invalid_grant");
    expect(storage.getItem("authpi:cli_dev_demo:session")).toBeNull();
  });
});

describe("refresh against the dev IdP", () => {
  it("rotates the refresh token with 1 request; the old one then gets invalid_grant and the grant dies", async () => {
    const { client, requests } = newClient();
    const { agent } = await login(client, "olivia@acme.test");
    requests.length = 0;
    const refreshed = await client.refresh();
    expect(requests).toEqual(["/token"]);
    expect(refreshed.tokens.refreshToken).not.toBe(agent.tokens.refreshToken);
    expect(refreshed.id).toBe("usr_olivia");
    expect(refreshed.organizations).toEqual(agent.organizations);
    expect(client.getSnapshot().agent).toBe(refreshed);

    // Replaying the old token (a stolen copy): the IdP detects reuse and revokes the whole grant.
    const stale = await rejection(client.refresh(agent));
    expect(stale).toBeInstanceOf(RefreshError);
    expect(stale).toMatchObject({ error: "invalid_grant", statusCode: 400 });
    const dead = await rejection(client.refresh());
    expect(dead).toMatchObject({ error: "invalid_grant" });
    expect(client.getSnapshot()).toMatchObject({ status: "unauthenticated", agent: null });
  });

  it("createAgent() restores stored tokens (camelCase or snake_case) and refreshes them when expired", async () => {
    const { client } = newClient();
    const { agent } = await login(client, "max@acme.test");
    const fresh = await client.createAgent(agent.tokens);
    expect(fresh.id).toBe("usr_max");
    expect(fresh.tokens.refreshToken).toBe(agent.tokens.refreshToken);
    const onRefresh = vi.fn();
    const expired = {
      access_token: agent.tokens.accessToken,
      id_token: agent.tokens.idToken,
      refresh_token: agent.tokens.refreshToken,
      token_type: "Bearer",
      scope: agent.tokens.scope,
      expires_at: Math.floor(Date.now() / 1000) - 10,
    };
    const renewed = await client.createAgent(expired, { onRefresh });
    expect(renewed.tokens.refreshToken).not.toBe(agent.tokens.refreshToken);
    expect(onRefresh).toHaveBeenCalledWith(renewed.tokens);
  });
});

describe("user info, logout and revocation against the dev IdP", () => {
  it("getUserInfo() returns the profile with the same sub and the organizations", async () => {
    const { client } = newClient();
    await login(client, "tara@example.test");
    const info = await client.getUserInfo();
    expect(info).toMatchObject({ sub: "usr_tara", email: "tara@example.test", name: "Tara Two-Orgs" });
    expect(info.organizations.map((o) => o.id)).toEqual(["org_acme", "org_globex"]);
  });

  it("createLogoutUrl() uses the end-session endpoint with id_token_hint and the post-logout URI", async () => {
    const { client } = newClient();
    const { agent } = await login(client, "max@acme.test");
    const url = new URL(await client.createLogoutUrl({ state: "s1" }));
    expect(`${url.origin}${url.pathname}`).toBe(`${idp.issuerUrl}/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      id_token_hint: agent.tokens.idToken,
      client_id: "cli_dev_demo",
      post_logout_redirect_uri: `${APP}/`,
      state: "s1",
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
  });

  it("logout() revokes the refresh token (which then gets invalid_grant) and navigates to end the IdP session", async () => {
    const { client, storage } = newClient();
    const { agent } = await login(client, "olivia@acme.test");
    const result = await client.logout();
    expect(result).toEqual({ revoked: true, revocationError: null });
    expect(storage.getItem("authpi:cli_dev_demo:session")).toBeNull();
    expect(location.assigned.at(-1)).toContain(`${idp.issuerUrl}/logout?id_token_hint=`);
    expect(await rejection(client.refresh(agent))).toMatchObject({ error: "invalid_grant" });
  });

  it("revokeToken() treats an unknown token as revoked (RFC 7009 §2.2)", async () => {
    await expect(newClient().client.revokeToken("not-a-token", "refresh_token")).resolves.toBeUndefined();
  });
});

describe("signing algorithms and key rotation", () => {
  it.each(["RS256", "EdDSA"] as const)("verifies ID tokens signed %s", async (signingAlg) => {
    const other = await startDevIdp({ quiet: true, signingAlg });
    try {
      const { agent } = await login(newClient(memoryStorage(), other).client, "max@acme.test");
      expect(JSON.parse(Buffer.from(agent.tokens.idToken.split(".")[0] ?? "", "base64url").toString()).alg).toBe(signingAlg);
    } finally {
      await other.close();
    }
  });

  it("accepts a login after the IdP rotates its signing key, fetching the JWKS again once", async () => {
    const { client, requests } = newClient();
    await login(client, "max@acme.test");
    await idp.rotateKeys();
    await login(client, "olivia@acme.test");
    expect(requests.filter((path) => path === "/jwks")).toHaveLength(2);
    expect(client.getSnapshot().agent?.id).toBe("usr_olivia");
  });
});
