// Discovery, JWKS, token-endpoint, userinfo and revocation faults (SECURITY-CASES 1–5, 16–17, 29, 32, 35, 37).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AuthPIClient,
  DiscoveryError,
  InvalidResponseError,
  IssuerMismatchError,
  JwksError,
  NetworkError,
  OAuthError,
  SubjectMismatchError,
  TokenParseError,
} from "../src/index.js";
import { startHostileIdp, type HostileIdp } from "./support/hostile-idp.js";
import { rejection } from "./support/rejection.js";

let idp: HostileIdp;
beforeAll(async () => {
  idp = await startHostileIdp();
});
afterAll(() => idp.close());
afterEach(() => {
  for (const path of ["/token", "/jwks", "/.well-known/openid-configuration", "/userinfo", "/revoke"] as const) {
    idp.on(path, undefined as never);
  }
  idp.requests.length = 0;
});

function clientFor(extra: Partial<ConstructorParameters<typeof AuthPIClient>[0]> = {}) {
  return new AuthPIClient({ issuerUrl: idp.issuer, clientId: idp.clientId, redirectUri: "http://127.0.0.1:5173/callback", storage: "memory", ...extra });
}

function metadata(patch: Record<string, unknown>) {
  return {
    body: {
      issuer: idp.issuer,
      authorization_endpoint: `${idp.issuer}/auth`,
      token_endpoint: `${idp.issuer}/token`,
      jwks_uri: `${idp.issuer}/jwks`,
      ...patch,
    },
  };
}

describe("discovery", () => {
  it.each([
    ["a trailing slash", (i: string) => `${i}/`],
    ["a change of case", (i: string) => i.replace("i_hostile", "I_HOSTILE")],
    ["https instead of http", (i: string) => i.replace("http:", "https:")],
    ["another port", (i: string) => i.replace(/:\d+/, ":1")],
    ["another host", (i: string) => i.replace("127.0.0.1", "localhost")],
  ])("refuses an issuer that differs by %s, before any authorize redirect (case 1)", async (_case, mutate) => {
    idp.on("/.well-known/openid-configuration", metadata({ issuer: mutate(idp.issuer) }));
    const error = await rejection(clientFor().createAuthorizationUrl());
    expect(error).toBeInstanceOf(IssuerMismatchError);
    expect(error.error).toBe("issuer_mismatch");
    expect(idp.requests.map((r) => r.path)).toEqual(["/.well-known/openid-configuration"]);
  });

  it("still sends S256 when the metadata lists only plain (case 2)", async () => {
    idp.on("/.well-known/openid-configuration", metadata({ code_challenge_methods_supported: ["plain"] }));
    const url = new URL((await clientFor().createAuthorizationUrl()).url);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  });

  it.each([
    ["no token_endpoint", { token_endpoint: undefined }],
    ["a jwks_uri that is not a URL", { jwks_uri: "not a url" }],
    ["an issuer that is not a string", { issuer: 42 }],
  ])("refuses metadata with %s", async (_case, patch) => {
    idp.on("/.well-known/openid-configuration", metadata(patch));
    const error = await rejection(clientFor().createAuthorizationUrl());
    expect(error).toBeInstanceOf(DiscoveryError);
    expect(error.error).toBe("discovery_error");
  });

  it("maps a 500 and an HTML page to discovery_error, and tries again next time", async () => {
    const client = clientFor();
    idp.on("/.well-known/openid-configuration", { status: 500, body: { error: "server_error" } });
    expect(await rejection(client.createAuthorizationUrl())).toMatchObject({ error: "discovery_error", statusCode: 500 });
    idp.on("/.well-known/openid-configuration", { raw: "<html>captive portal</html>" });
    expect((await rejection(client.createAuthorizationUrl())).error).toBe("discovery_error");
    idp.on("/.well-known/openid-configuration", undefined as never);
    await expect(client.createAuthorizationUrl()).resolves.toHaveProperty("url");
  });

  it("fetches discovery once per client", async () => {
    const client = clientFor();
    await client.createAuthorizationUrl();
    await client.createAuthorizationUrl();
    await client.exchangeCode("c", "v", { nonce: "n-1" });
    expect(idp.count("/.well-known/openid-configuration")).toBe(1);
  });
});

describe("the authorization request (cases 4, 5)", () => {
  it("uses a fresh 43-character verifier, state and nonce each time, S256, and the configured redirect_uri", async () => {
    const client = clientFor({ scopes: ["profile"] });
    const a = await client.createAuthorizationUrl();
    const b = await client.createAuthorizationUrl();
    for (const auth of [a, b]) {
      expect(auth.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
      expect(auth.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(auth.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const url = new URL(auth.url);
      expect(url.searchParams.get("redirect_uri")).toBe("http://127.0.0.1:5173/callback");
      expect(url.searchParams.get("scope")).toBe("openid profile");
      expect(url.searchParams.get("code_challenge_method")).toBe("S256");
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(auth.codeVerifier)));
      expect(url.searchParams.get("code_challenge")).toBe(Buffer.from(digest).toString("base64url"));
      expect(auth.url).not.toContain(auth.codeVerifier);
    }
    expect(new Set([a.codeVerifier, b.codeVerifier, a.state, b.state, a.nonce, b.nonce]).size).toBe(6);
  });

  it("sends prompt, max_age, login_hint, org and repeated resource, and refuses to let extraParams override its own", async () => {
    const client = clientFor({ org: "org_default" });
    const url = new URL(
      (await client.createAuthorizationUrl({ prompt: "login", maxAge: 0, loginHint: "a@b.c", resources: ["https://api.a", "https://api.b"], extraParams: { ui_locales: "fr" } })).url,
    );
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ prompt: "login", max_age: "0", login_hint: "a@b.c", org: "org_default", ui_locales: "fr" });
    expect(url.searchParams.getAll("resource")).toEqual(["https://api.a", "https://api.b"]);
    await expect(client.createAuthorizationUrl({ extraParams: { redirect_uri: "https://evil.example" } })).rejects.toBeInstanceOf(TypeError);
  });
});

describe("JWKS failures fail closed (case 3)", () => {
  it.each([
    ["a 500", { status: 500, body: { error: "server_error" } }],
    ["invalid JSON", { raw: "{not json" }],
    ["no keys array", { body: { nope: [] } }],
  ])("maps %s to jwks_error and returns no agent", async (_case, reply) => {
    idp.on("/jwks", reply);
    const error = await rejection(clientFor().exchangeCode("c", "v", { nonce: "n-1" }));
    expect(error).toBeInstanceOf(JwksError);
    expect(error.error).toBe("jwks_error");
  });

  it("maps a JWKS timeout to jwks_error", async () => {
    idp.on("/jwks", { delayMs: 1500, body: { keys: [] } });
    const error = await rejection(clientFor({ requestTimeoutSeconds: 0.3 }).exchangeCode("c", "v", { nonce: "n-1" }));
    expect(error).toBeInstanceOf(JwksError);
    expect(error.cause).toBeInstanceOf(NetworkError);
  });
});

describe("token endpoint responses (cases 16, 17)", () => {
  it.each([
    ["no id_token", { id_token: undefined }, TokenParseError, "missing_id_token"],
    ["no access_token", { access_token: undefined }, InvalidResponseError, "invalid_response"],
    ["token_type mac", { token_type: "mac" }, InvalidResponseError, "invalid_response"],
  ])("refuses a success response with %s", async (_case, patch, cls, code) => {
    idp.on("/token", async () => ({ body: await idp.tokenResponse(patch) }));
    const error = await rejection(clientFor().exchangeCode("c", "v", { nonce: "n-1" }));
    expect(error).toBeInstanceOf(cls);
    expect(error.error).toBe(code);
    expect(idp.count("/token")).toBe(1);
  });

  it("accepts token_type in any case", async () => {
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ token_type: "bEaReR" }) }));
    await expect(clientFor().exchangeCode("c", "v", { nonce: "n-1" })).resolves.toHaveProperty("tokens.tokenType", "Bearer");
  });

  it("refuses an HTML 200", async () => {
    idp.on("/token", { raw: "<html>ok</html>" });
    expect(await rejection(clientFor().exchangeCode("c", "v", { nonce: "n-1" }))).toMatchObject({ error: "invalid_response", statusCode: 200 });
  });

  it("surfaces invalid_grant with its status and never re-posts the code", async () => {
    idp.on("/token", { status: 400, body: { error: "invalid_grant", error_description: "grant request is invalid" } });
    const error = await rejection(clientFor().exchangeCode("c", "v", { nonce: "n-1" }));
    expect(error.constructor).toBe(OAuthError);
    expect(error).toMatchObject({ error: "invalid_grant", errorDescription: "grant request is invalid", statusCode: 400 });
    expect(idp.count("/token")).toBe(1);
    expect(idp.requests.find((r) => r.path === "/token")?.params).toMatchObject({ grant_type: "authorization_code", code_verifier: "v", client_id: "cli_test" });
  });

  it("maps a 503 with an HTML body to server_error, and a timeout to network_error", async () => {
    idp.on("/token", { status: 503, raw: "<html>down</html>", headers: { "retry-after": "7" } });
    expect(await rejection(clientFor().exchangeCode("c", "v", { nonce: "n-1" }))).toMatchObject({ error: "server_error", statusCode: 503, retryAfter: 7 });
    idp.on("/token", { delayMs: 1500, body: {} });
    expect(await rejection(clientFor({ requestTimeoutSeconds: 0.3 }).exchangeCode("c", "v", { nonce: "n-1" }))).toBeInstanceOf(NetworkError);
  });

  it("reads a Retry-After date against the answer's Date, not a device clock minutes off", async () => {
    const answeredAt = Date.now();
    idp.on("/token", {
      status: 503,
      body: { error: "temporarily_unavailable" },
      headers: { date: new Date(answeredAt).toUTCString(), "retry-after": new Date(answeredAt + 10_000).toUTCString() },
    });
    for (const offset of [300_000, -300_000]) {
      const client = clientFor({ now: () => Date.now() + offset });
      expect(await rejection(client.exchangeCode("c", "v", { nonce: "n-1" }))).toMatchObject({ statusCode: 503, retryAfter: 10 });
    }
  });

  it("maps a refused connection to network_error", async () => {
    const client = new AuthPIClient({ issuerUrl: "http://127.0.0.1:9/i_gone", clientId: "c", redirectUri: "http://127.0.0.1:5173/cb", storage: "memory" });
    expect(await rejection(client.createAuthorizationUrl())).toMatchObject({ error: "network_error" });
  });
});

describe("refresh results (cases 25, 28)", () => {
  async function signedIn() {
    const client = clientFor();
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ refresh_token: "rt-1" }) }));
    return { client, agent: await client.exchangeCode("c", "v", { nonce: "n-1" }) };
  }

  it("keeps the old refresh token when the response has none, and replaces the rest", async () => {
    const { client, agent } = await signedIn();
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ refresh_token: undefined, access_token: "at-new", id_token: await idp.idToken({ nonce: undefined }) }) }));
    const refreshed = await client.refresh(agent);
    expect(refreshed.tokens).toMatchObject({ refreshToken: "rt-1", accessToken: "at-new" });
    expect(idp.requests.at(-1)?.params).toMatchObject({ grant_type: "refresh_token", refresh_token: "rt-1", client_id: "cli_test" });
  });

  it("keeps the old ID token when the refresh returns none", async () => {
    const { client, agent } = await signedIn();
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ id_token: undefined }) }));
    expect((await client.refresh(agent)).tokens.idToken).toBe(agent.tokens.idToken);
  });

  it("refuses a refreshed ID token for another subject with SubjectMismatchError", async () => {
    const { client, agent } = await signedIn();
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ id_token: await idp.idToken({ sub: "usr_other", nonce: undefined }) }) }));
    const error = await rejection(client.refresh(agent));
    expect(error).toBeInstanceOf(SubjectMismatchError);
    expect(error).toMatchObject({ error: "subject_mismatch", expectedSub: "usr_hostile", actualSub: "usr_other" });
  });

  it.each([
    ["another issuer", { iss: "https://evil.example/i_hostile" }, "iss"],
    ["another audience", { aud: "cli_other" }, "aud"],
    ["another azp", { azp: "cli_other" }, "azp"],
    ["another login's nonce", { nonce: "n-other" }, "nonce"],
    ["another auth_time", { auth_time: 1 }, "claims"],
  ])("refuses a refreshed ID token with %s", async (_case, claims, reason) => {
    const client = clientFor();
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ id_token: await idp.idToken({ auth_time: 1000 }) }) }));
    const agent = await client.exchangeCode("c", "v", { nonce: "n-1" });
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ id_token: await idp.idToken({ auth_time: 1000, ...claims }) }) }));
    expect(await rejection(client.refresh(agent))).toMatchObject({ error: "invalid_id_token", reason });
  });

  it("maps invalid_grant to RefreshError and session_expired to SessionExpiredError, with the status", async () => {
    const { client, agent } = await signedIn();
    idp.on("/token", { status: 400, body: { error: "invalid_grant" } });
    expect(await rejection(client.refresh(agent))).toMatchObject({ name: "RefreshError", error: "invalid_grant", statusCode: 400 });
    idp.on("/token", { status: 400, body: { error: "session_expired" } });
    expect(await rejection(client.refresh(agent))).toMatchObject({ name: "SessionExpiredError", error: "session_expired", statusCode: 400 });
  });
});

describe("user info (case 37)", () => {
  it("refuses a userinfo sub that is not the agent's", async () => {
    const client = clientFor();
    const agent = await client.exchangeCode("c", "v", { nonce: "n-1" });
    idp.on("/userinfo", { body: { sub: "usr_other", email: "x@y" } });
    expect(await rejection(client.getUserInfo(agent))).toBeInstanceOf(SubjectMismatchError);
  });

  it("sends the access token only in the Authorization header (case 32)", async () => {
    const client = clientFor();
    const agent = await client.exchangeCode("c", "v", { nonce: "n-1" });
    let seen: Record<string, string> = {};
    const info = await new AuthPIClient({
      issuerUrl: idp.issuer,
      clientId: idp.clientId,
      redirectUri: "http://127.0.0.1:5173/callback",
      storage: "memory",
      fetch: (input, init) => {
        if (String(input).endsWith("/userinfo")) seen = { url: String(input), authorization: new Headers(init?.headers).get("authorization") ?? "" };
        return fetch(input, init);
      },
    }).getUserInfo(agent);
    expect(info.sub).toBe("usr_hostile");
    expect(seen.authorization).toBe(`Bearer ${agent.tokens.accessToken}`);
    expect(seen.url).not.toContain(agent.tokens.accessToken);
  });
});

describe("revocation (case 35)", () => {
  it("treats a 200 as success and sends the hint", async () => {
    await clientFor().revokeToken("rt-unknown", "refresh_token");
    expect(idp.requests.at(-1)?.params).toEqual({ token: "rt-unknown", token_type_hint: "refresh_token", client_id: "cli_test" });
  });

  it("rejects a 503 with a typed error", async () => {
    idp.on("/revoke", { status: 503, body: { error: "temporarily_unavailable" } });
    expect(await rejection(clientFor().revokeToken("rt"))).toMatchObject({ error: "temporarily_unavailable", statusCode: 503 });
  });
});

describe("issuer data across reloads", () => {
  it("a reloaded client reuses this tab's discovery and keys: its first refresh is one request", async () => {
    const { memoryStorage } = await import("../src/storage.js");
    const storage = memoryStorage();
    const first = clientFor({ storage });
    const agent = await first.exchangeCode("c", "v", { nonce: "n-1" });
    idp.requests.length = 0;
    const reloaded = clientFor({ storage });
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ nonce: undefined, id_token: await idp.idToken({ nonce: undefined }) }) }));
    await reloaded.refresh(agent);
    expect(idp.requests.map((r) => r.path)).toEqual(["/token"]);
  });

  it("ignores a cached copy that does not validate and fetches discovery again", async () => {
    const { memoryStorage } = await import("../src/storage.js");
    const storage = memoryStorage();
    storage.setItem("authpi:cli_test:issuer", JSON.stringify({ metadata: { issuer: "https://evil.example" }, savedAt: Date.now() }));
    await clientFor({ storage }).createAuthorizationUrl();
    expect(idp.requests.map((r) => r.path)).toEqual(["/.well-known/openid-configuration"]);
    expect(JSON.parse(storage.getItem("authpi:cli_test:issuer") ?? "{}").metadata.issuer).toBe(idp.issuer);
  });
});

describe("discovery endpoints", () => {
  it.each([
    ["a plain-http token endpoint on another host", { token_endpoint: "http://evil.example/token" }],
    ["a javascript: authorization endpoint", { authorization_endpoint: "javascript:alert(1)" }],
    ["a jwks_uri that is not a URL", { jwks_uri: "keys" }],
  ])("refuses %s", async (_case, patch) => {
    idp.on("/.well-known/openid-configuration", metadata(patch));
    expect(await rejection(clientFor().createAuthorizationUrl())).toMatchObject({ error: "discovery_error" });
  });
});
