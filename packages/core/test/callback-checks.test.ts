// The callback's own rules beyond state and iss: parameters given once
// (RFC 6749 §3.1), auth_time under max_age (OIDC Core §3.1.3.7 step 13), and
// a login completing while the old session would refresh or end.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIClient, InvalidResponseError, LoginRequiredError, TokenParseError } from "../src/index.js";
import { memoryStorage, type StorageLike } from "../src/storage.js";
import { installLocation } from "./support/browser-location.js";
import { startHostileIdp, type HostileIdp } from "./support/hostile-idp.js";
import { rejection } from "./support/rejection.js";

const APP = "http://127.0.0.1:5173";
let idp: HostileIdp;
let storage: StorageLike;
let location: ReturnType<typeof installLocation>;

beforeAll(async () => {
  idp = await startHostileIdp();
});
afterAll(() => idp.close());
beforeEach(() => {
  storage = memoryStorage();
  location = installLocation(`${APP}/projects`);
  idp.requests.length = 0;
  idp.on("/token", async () => ({ body: await idp.tokenResponse() }));
});
afterEach(() => vi.unstubAllGlobals());

/** A session as a login stored it, received `receivedAtOffset` seconds from now. */
function seedStored(expiresIn: number, receivedAtOffset = 0) {
  const now = Math.floor(Date.now() / 1000);
  storage.setItem(
    "authpi:cli_test:session",
    JSON.stringify({
      v: 1,
      issuer: idp.issuer,
      clientId: "cli_test",
      tokens: { accessToken: "at-old", idToken: "id-old", refreshToken: "rt-old", tokenType: "Bearer", scope: "openid", expiresAt: now + expiresIn },
      claims: { iss: idp.issuer, sub: "usr_1", aud: "cli_test", exp: now + expiresIn, iat: now + receivedAtOffset },
      receivedAt: now + receivedAtOffset,
    }),
  );
}

const newClient = () => new AuthPIClient({ issuerUrl: idp.issuer, clientId: idp.clientId, redirectUri: `${APP}/callback`, storage });
const tokenRequests = () => idp.requests.filter((r) => r.path === "/token");

async function startLogin(client: AuthPIClient, options: { maxAge?: number } = {}) {
  await client.loginWithRedirect({ nonce: "n-1", ...options });
  return new URL(location.assigned.at(-1) ?? "").searchParams.get("state") ?? "";
}

describe("handleRedirectCallback() refuses repeated parameters (RFC 6749 §3.1)", () => {
  it.each(["code", "state", "iss", "error", "error_description"])("a second %s: InvalidResponseError, before any token request", async (name) => {
    const client = newClient();
    const state = await startLogin(client);
    const first = name.startsWith("error") ? { error: "access_denied", error_description: "no" } : { code: "c1" };
    const params = new URLSearchParams({ ...first, state, iss: idp.issuer });
    params.append(name, "second");
    const error = await rejection(client.handleRedirectCallback(`${APP}/callback?${params}`));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ error: "invalid_response" });
    expect(tokenRequests()).toHaveLength(0);
    expect(client.getSnapshot().status).toBe("error");
  });

  it("exchangeCallback() applies the same rule", async () => {
    const client = newClient();
    const auth = await client.createAuthorizationUrl();
    const error = await rejection(client.exchangeCallback(`${APP}/callback?code=a&code=b&state=${auth.state}&iss=${encodeURIComponent(idp.issuer)}`, auth));
    expect(error).toMatchObject({ error: "invalid_response" });
    expect(tokenRequests()).toHaveLength(0);
  });
});

describe("max_age (OIDC Core §3.1.3.7 step 13)", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const answerWith = (claims: Record<string, unknown>) =>
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ id_token: await idp.idToken(claims) }) }));

  it("requires auth_time when the login sent max_age", async () => {
    answerWith({});
    const client = newClient();
    const state = await startLogin(client, { maxAge: 300 });
    expect(new URL(location.assigned.at(-1) ?? "").searchParams.get("max_age")).toBe("300");
    const error = await rejection(client.handleRedirectCallback(`${APP}/callback?code=c&state=${state}&iss=${encodeURIComponent(idp.issuer)}`));
    expect(error).toBeInstanceOf(TokenParseError);
    expect(error).toMatchObject({ error: "invalid_id_token", reason: "auth_time" });
  });

  it("refuses an authentication older than max_age plus the clock skew", async () => {
    answerWith({ auth_time: now() - 300 - 61 });
    const client = newClient();
    const state = await startLogin(client, { maxAge: 300 });
    const error = await rejection(client.handleRedirectCallback(`${APP}/callback?code=c&state=${state}&iss=${encodeURIComponent(idp.issuer)}`));
    expect(error).toMatchObject({ error: "invalid_id_token", reason: "auth_time" });
    expect(client.getSnapshot().status).toBe("error");
  });

  it("accepts one within max_age plus the skew, and ignores auth_time when no max_age was sent", async () => {
    answerWith({ auth_time: now() - 300 - 30 });
    const client = newClient();
    const state = await startLogin(client, { maxAge: 300 });
    await expect(client.handleRedirectCallback(`${APP}/callback?code=c&state=${state}&iss=${encodeURIComponent(idp.issuer)}`)).resolves.toBeTruthy();
    answerWith({});
    const other = await startLogin(client);
    await expect(client.handleRedirectCallback(`${APP}/callback?code=c&state=${other}&iss=${encodeURIComponent(idp.issuer)}`)).resolves.toBeTruthy();
  });

  it("max_age cannot be slipped in through extraParams, around the check", async () => {
    await expect(newClient().createAuthorizationUrl({ extraParams: { max_age: "0" } })).rejects.toBeInstanceOf(TypeError);
  });
});

describe("after a login by callback", () => {
  it("schedules the background refresh of the new session (a 2 s lifetime: at the 5 s floor after receipt)", async () => {
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ expires_in: 2 }) }));
    const client = newClient();
    const plans: Array<number | null> = [];
    client.on("schedule", ({ nextRefreshAt }) => plans.push(nextRefreshAt));
    await client.start();
    const state = await startLogin(client);
    const sentAt = Date.now();
    await client.handleRedirectCallback(`${APP}/callback?code=c&state=${state}&iss=${encodeURIComponent(idp.issuer)}`);
    await vi.waitFor(() => expect(plans.at(-1)).toBeGreaterThanOrEqual(sentAt + 5_000));
    expect(plans.at(-1)).toBeLessThanOrEqual(Date.now() + 5_000);
    client.dispose();
  });
});

describe("a login completing over a stored session", () => {
  const seedOldSession = () => seedStored(20, -280);

  it("holds off refreshes of the old session: the callback's new agent is the session, and no refresh is sent", async () => {
    seedOldSession();
    idp.on("/token", async (params) => ({ body: await idp.tokenResponse(), delayMs: params.grant_type === "authorization_code" ? 200 : 0 }));
    const client = newClient();
    const state = await startLogin(client);
    const callback = client.handleRedirectCallback(`${APP}/callback?code=c&state=${state}&iss=${encodeURIComponent(idp.issuer)}`);
    // A focus, getAccessToken() or a tab handoff would refresh the old session right now.
    const token = client.getAccessToken();
    const refreshed = client.refresh();
    const { agent } = await callback;
    expect(agent.id).toBe("usr_hostile");
    expect(client.getSnapshot().agent).toBe(agent);
    expect((await refreshed).id).toBe("usr_hostile");
    expect(await token).toBe(agent.tokens.accessToken);
    expect(tokenRequests().map((r) => r.params.grant_type)).toEqual(["authorization_code"]);
  });

  it("rejects the callback whose result could not be applied (a logout meanwhile) instead of reporting success", async () => {
    seedOldSession();
    idp.on("/token", async () => ({ body: await idp.tokenResponse(), delayMs: 200 }));
    const client = newClient();
    const state = await startLogin(client);
    const callback = rejection(client.handleRedirectCallback(`${APP}/callback?code=c&state=${state}&iss=${encodeURIComponent(idp.issuer)}`));
    await vi.waitFor(() => expect(tokenRequests()).toHaveLength(1));
    await client.logout({ revoke: false });
    const error = await callback;
    expect(error).toBeInstanceOf(LoginRequiredError);
    expect(client.getSnapshot()).toMatchObject({ status: "unauthenticated", agent: null });
    expect(storage.getItem("authpi:cli_test:session")).toBeNull();
  });
});

describe("a login started during a logout", () => {
  it("waits for a logout that stays on the page (no end-session endpoint), then starts, asking for credentials", async () => {
    const metadata = (await (await idp.fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const original = { ...metadata };
    delete metadata.end_session_endpoint;
    idp.on("/.well-known/openid-configuration", { body: metadata });
    seedStored(300);
    const client = newClient();
    const logout = client.logout();
    const login = client.loginWithRedirect(); // a guard that saw the session end
    await logout;
    await login;
    expect(location.assigned).toHaveLength(1);
    expect(new URL(location.assigned[0] ?? "").searchParams.get("prompt")).toBe("login");
    idp.on("/.well-known/openid-configuration", { body: original });
  });
});

describe("logout() and the revocation answer", () => {
  it("reads the revocation response to its end before navigating, so the request is not cancelled", async () => {
    seedStored(300, 1);
    const events: string[] = [];
    const fetchWatchingRevocation = async (input: string | URL | Request, init?: RequestInit) => {
      const response = await idp.fetch(input, init);
      if (!String(input instanceof Request ? input.url : input).endsWith("/revoke")) return response;
      const body = new ReadableStream({
        pull(controller) {
          events.push("body read");
          controller.close();
        },
      });
      return new Response(body, { status: 200 });
    };
    const client = new AuthPIClient({ issuerUrl: idp.issuer, clientId: idp.clientId, redirectUri: `${APP}/callback`, storage, fetch: fetchWatchingRevocation });
    const assign = vi.fn(() => void events.push("navigated"));
    vi.stubGlobal("location", { ...globalThis.location, href: `${APP}/`, origin: APP, pathname: "/", search: "", hash: "", assign });
    expect(await client.logout()).toEqual({ revoked: true, revocationError: null });
    expect(events).toEqual(["body read", "navigated"]);
  });
});
