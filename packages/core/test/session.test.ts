// Session lifecycle on fake timers and an injected clock (SPEC §5, §7.5):
// restore, background refresh, sleep, backoff, 429, fatal refresh errors, logout.
// `window` and `document` are bare event targets: the real ones are the browser suite's.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIClient, OAuthError } from "../src/index.js";
import type { StorageLike } from "../src/storage.js";
import { advance, fakeClient, SESSION_KEY as KEY, seedSession, settle, T0, useFakeSession, type SeedPatch } from "./support/fake-session.js";
import type { HostileIdp } from "./support/hostile-idp.js";

let idp: HostileIdp;
let storage: StorageLike;

const env = useFakeSession();
beforeEach(() => {
  ({ idp, storage } = env);
  idp.on("/token", refreshReply);
});

let issued = 0;
/**
 * A refresh answer with no ID token (the old one is kept): nothing here waits
 * on crypto threads, so the fake clock alone decides what happens when.
 */
function refreshReply() {
  issued += 1;
  return { body: { access_token: `at-${issued}`, token_type: "Bearer", expires_in: 300, refresh_token: `rt-${issued}`, scope: "openid" } };
}

const tokenRequests = () => idp.requests.filter((r) => r.path === "/token").length;

const seed = (patch: SeedPatch = {}) => seedSession(storage, idp, patch);
const newClient = (extra: Partial<ConstructorParameters<typeof AuthPIClient>[0]> = {}) => fakeClient(idp, storage, extra);

describe("restore (SPEC §7.5)", () => {
  it("restores an unexpired session synchronously: authenticated before any network call", () => {
    seed();
    const client = newClient();
    expect(client.getSnapshot()).toMatchObject({ status: "authenticated", error: null });
    expect(client.getSnapshot().agent?.id).toBe("usr_1");
    expect(idp.requests).toEqual([]);
  });

  it("starts unauthenticated, not loading, with nothing stored", () => {
    expect(newClient().getSnapshot()).toEqual({ status: "unauthenticated", agent: null, error: null, activeOrg: null, restrictedTo: null, stale: false });
  });

  it("getSnapshot() returns the same object until the state changes", async () => {
    seed({ expiresIn: 120 });
    const client = newClient();
    const first = client.getSnapshot();
    expect(client.getSnapshot()).toBe(first);
    await client.start();
    expect(client.getSnapshot()).toBe(first);
    await advance(61_000);
    expect(client.getSnapshot()).not.toBe(first);
    expect(client.getSnapshot().agent?.tokens.refreshToken).not.toBe("rt-0");
  });

  it("refreshes at once in the background when restored inside the refresh buffer", async () => {
    seed({ expiresIn: 30 });
    const client = newClient();
    expect(client.getSnapshot().status).toBe("authenticated");
    await client.start();
    await settle();
    expect(tokenRequests()).toBe(1);
    expect(client.getSnapshot().agent?.tokens.accessToken).not.toBe("at-0");
  });

  it("starts loading and refreshes an expired session that has a refresh token", async () => {
    seed({ expiresIn: -10 });
    const client = newClient({ autoRefresh: false });
    expect(client.getSnapshot()).toMatchObject({ status: "loading", agent: null });
    await client.start();
    await settle();
    expect(client.getSnapshot().status).toBe("authenticated");
    expect(tokenRequests()).toBe(1);
  });

  it("removes an expired session without a refresh token", () => {
    seed({ expiresIn: -10, refreshToken: null });
    expect(newClient().getSnapshot().status).toBe("unauthenticated");
    expect(storage.getItem(KEY)).toBeNull();
  });

  it.each([
    ["bad JSON", () => storage.setItem(KEY, "{not json")],
    ["JSON that is not a record", () => storage.setItem(KEY, "[1,2]")],
    ["wrong types", () => seed({ record: { tokens: { accessToken: 1 } } })],
    ["an old version", () => seed({ record: { v: 0 } })],
    ["another issuer", () => seed({ record: { issuer: "https://other.example/i_x" } })],
    ["another client", () => seed({ record: { clientId: "cli_other" } })],
    ["claims from another issuer", () => seed({ record: { claims: { iss: "https://other.example", sub: "usr_1" } } })],
    ["an unknown subject prefix", () => seed({ record: { claims: { iss: "ISSUER", sub: "xyz_1", aud: "cli_test", exp: 1, iat: 1 } } })],
    ["a malformed organizations claim", () => seed({ record: { claims: { iss: "ISSUER", sub: "usr_1", organizations: "all" } } })],
  ])("starts signed out and removes the record on %s", (_case, corrupt) => {
    corrupt();
    storage.setItem(KEY, (storage.getItem(KEY) ?? "").replaceAll('"ISSUER"', JSON.stringify(idp.issuer)));
    const client = newClient();
    expect(client.getSnapshot()).toEqual({ status: "unauthenticated", agent: null, error: null, activeOrg: null, restrictedTo: null, stale: false });
    expect(storage.getItem(KEY)).toBeNull();
  });

  it("starts signed out when the storage itself throws", () => {
    const hostile: StorageLike = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
      removeItem: () => {
        throw new Error("SecurityError");
      },
    };
    expect(newClient({ storage: hostile }).getSnapshot().status).toBe("unauthenticated");
  });
});

describe("background refresh timing", () => {
  it("refreshes exactly at expiresAt − refreshBufferSeconds", async () => {
    seed({ expiresIn: 300 });
    const client = newClient({ refreshBufferSeconds: 60 });
    await client.start();
    await advance(240_000 - 1);
    expect(tokenRequests()).toBe(0);
    await advance(1);
    expect(tokenRequests()).toBe(1);
  });

  it("never uses a buffer longer than half the token's lifetime (no refresh loop on short TTLs)", async () => {
    seed({ expiresIn: 30, lifetime: 30 });
    const client = newClient({ refreshBufferSeconds: 60 });
    await client.start();
    await advance(15_000 - 1);
    expect(tokenRequests()).toBe(0);
    await advance(1);
    expect(tokenRequests()).toBe(1);
    // The new token lives 300 s: the next refresh is 240 s later, not at once.
    await advance(239_000);
    expect(tokenRequests()).toBe(1);
  });

  it("calls onRefresh with the new tokens after each success", async () => {
    seed({ expiresIn: 30, lifetime: 30 });
    const onRefresh = vi.fn();
    const client = newClient({ onRefresh });
    await client.start();
    await advance(15_000);
    expect(onRefresh).toHaveBeenCalledTimes(1);
    expect(onRefresh.mock.calls[0]?.[0]).toEqual(client.getSnapshot().agent?.tokens);
    expect(JSON.parse(storage.getItem(KEY) ?? "{}").tokens).toEqual(client.getSnapshot().agent?.tokens);
  });

  it("refreshes when a timer fires late after sleep, judging by the wall clock", async () => {
    seed({ expiresIn: 300 });
    const client = newClient();
    await client.start();
    // The machine sleeps: the wall clock jumps 10 minutes, timers do not run.
    vi.setSystemTime(Date.now() + 600_000);
    expect(tokenRequests()).toBe(0);
    await advance(30_000); // the first timer that does fire re-judges
    expect(tokenRequests()).toBe(1);
    expect(client.getSnapshot().status).toBe("authenticated");
  });

  it("refreshes at once when the tab becomes visible with an expired token", async () => {
    seed({ expiresIn: 300 });
    const client = newClient();
    await client.start();
    vi.setSystemTime(Date.now() + 600_000);
    document.dispatchEvent(new Event("visibilitychange"));
    await settle();
    expect(tokenRequests()).toBe(1);
  });

  it("stops refreshing after dispose(), and start() after dispose() works again", async () => {
    seed({ expiresIn: 120 });
    const client = newClient();
    await client.start();
    client.dispose();
    await advance(120_000);
    expect(tokenRequests()).toBe(0);
    await client.start();
    await settle();
    expect(tokenRequests()).toBe(1);
    client[Symbol.dispose]();
  });
});

describe("refresh failures", () => {
  it("retries network failures with capped exponential backoff, keeping the session", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.999999);
    seed({ expiresIn: 120 });
    idp.on("/token", { status: 0 });
    const client = newClient();
    await client.start();
    for (let second = 0; second < 400; second += 1) await advance(1_000);
    const times = idp.requests.filter((r) => r.path === "/token").map((r) => (r.at - T0) / 1000);
    const gaps = times.slice(1).map((t, i) => Math.round(t - (times[i] ?? 0)));
    expect(times[0]).toBe(60);
    expect(gaps.slice(0, 8)).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
    expect(client.getSnapshot().status).toBe("authenticated");
    expect(storage.getItem(KEY)).not.toBeNull();
  });

  it("adds jitter: delays vary between half and all of the backoff", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    seed({ expiresIn: 120 });
    idp.on("/token", { status: 0 });
    const client = newClient();
    await client.start();
    await advance(60_000);
    expect(tokenRequests()).toBe(1);
    await advance(499);
    expect(tokenRequests()).toBe(1);
    await advance(1);
    expect(tokenRequests()).toBe(2);
  });

  it("honours Retry-After on 429", async () => {
    seed({ expiresIn: 120 });
    idp.on("/token", { status: 429, body: { error: "rate_limited" }, headers: { "retry-after": "120" } });
    const client = newClient();
    await client.start();
    await advance(60_000);
    expect(tokenRequests()).toBe(1);
    await advance(119_000);
    expect(tokenRequests()).toBe(1);
    idp.on("/token", refreshReply);
    await advance(1_000);
    expect(tokenRequests()).toBe(2);
    expect(client.getSnapshot().agent?.tokens.accessToken).not.toBe("at-0");
  });

  it.each([
    ["invalid_grant", "RefreshError"],
    ["session_expired", "SessionExpiredError"],
  ])("%s ends the session once: storage cleared, onRefreshError once, no retry loop", async (code, name) => {
    seed({ expiresIn: 120 });
    idp.on("/token", { status: 400, body: { error: code } });
    const onRefreshError = vi.fn();
    const client = newClient({ onRefreshError });
    await client.start();
    await advance(60_000);
    await advance(600_000);
    expect(tokenRequests()).toBe(1);
    expect(onRefreshError).toHaveBeenCalledTimes(1);
    expect(onRefreshError.mock.calls[0]?.[0]).toMatchObject({ name, error: code, statusCode: 400 });
    expect(client.getSnapshot()).toMatchObject({ status: "unauthenticated", agent: null, error: { error: code } });
    expect(storage.getItem(KEY)).toBeNull();
    await expect(client.getAccessToken()).rejects.toMatchObject({ error: "login_required" });
  });

  // Issue 21: a reload while the IdP was down showed "error" and a Log in button, where the tab that
  // stayed open showed the same session signed in, stale, retrying. The session is not lost.
  it("a restored expired session that cannot reach the IdP is signed in and stale, as in a tab that stayed open, and retries", async () => {
    seed({ expiresIn: -5 });
    idp.on("/token", { status: 0 });
    const client = newClient();
    await client.start();
    await settle();
    expect(client.getSnapshot()).toMatchObject({ status: "authenticated", stale: true, error: null });
    expect(client.getSnapshot().agent?.id).toBe("usr_1");
    expect(storage.getItem(KEY)).not.toBeNull();
    idp.on("/token", refreshReply);
    window.dispatchEvent(new Event("online"));
    await settle();
    expect(client.getSnapshot().status).toBe("authenticated");
  });
});

describe("single flight", () => {
  it("10 concurrent getAccessToken() calls at expiry make 1 token request", async () => {
    seed({ expiresIn: 10 });
    const client = newClient({ autoRefresh: false });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => client.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe("at-0");
    expect(tokenRequests()).toBe(1);
  });

  it("getAccessToken() returns the stored token without a request while it is fresh", async () => {
    seed({ expiresIn: 300 });
    expect(await newClient().getAccessToken()).toBe("at-0");
    expect(idp.requests).toEqual([]);
  });
});

describe("logout", () => {
  it("clears every SDK key, timer and pending login; getAccessToken() then fails (case 34)", async () => {
    seed({ expiresIn: 300 });
    storage.setItem("authpi:cli_test:logins", JSON.stringify({ s: { codeVerifier: "v", nonce: "n", returnTo: "/", createdAt: Date.now() } }));
    const client = newClient();
    await client.start();
    const result = await client.logout();
    expect(result).toEqual({ revoked: true, revocationError: null });
    expect(idp.requests.find((r) => r.path === "/revoke")?.params).toMatchObject({ token: "rt-0", token_type_hint: "refresh_token" });
    expect(storage.getItem(KEY)).toBeNull();
    expect(storage.getItem("authpi:cli_test:logins")).toBeNull();
    expect(client.getSnapshot()).toEqual({ status: "unauthenticated", agent: null, error: null, activeOrg: null, restrictedTo: null, stale: false });
    await expect(client.getAccessToken()).rejects.toMatchObject({ error: "login_required" });
    await advance(600_000);
    expect(tokenRequests()).toBe(0);
  });

  it("finishes the local logout when revocation fails, and says it was not confirmed (case 35)", async () => {
    seed({ expiresIn: 300 });
    idp.on("/revoke", { status: 503, body: { error: "temporarily_unavailable" } });
    const client = newClient();
    const result = await client.logout();
    expect(result.revoked).toBe(false);
    expect(result.revocationError).toBeInstanceOf(OAuthError);
    expect(result.revocationError?.statusCode).toBe(503);
    expect(storage.getItem(KEY)).toBeNull();
  });

  it("a refresh in flight during logout does not write tokens back (case 33)", async () => {
    seed({ expiresIn: 10 });
    idp.on("/token", () => ({ ...refreshReply(), delayMs: 1_000 }));
    const client = newClient({ autoRefresh: false });
    const outcome = client.getAccessToken().catch((error: unknown) => error);
    await settle();
    await client.logout({ revoke: false });
    await advance(1_000);
    expect(await outcome).toMatchObject({ error: "login_required" });
    expect(tokenRequests()).toBe(1);
    expect(storage.getItem(KEY)).toBeNull();
    expect(client.getSnapshot().status).toBe("unauthenticated");
  });
});

describe("logout before the first request of a restored session", () => {
  it("leaves no SDK key behind, the issuer cache that revocation filled included (case 34)", async () => {
    seed({ expiresIn: 300 });
    const client = newClient();
    await client.start();
    await client.logout();
    expect(idp.requests.map((r) => r.path)).toEqual(["/.well-known/openid-configuration", "/revoke"]);
    for (const key of ["session", "logins", "issuer", "logout"]) expect(storage.getItem(`authpi:cli_test:${key}`), key).toBeNull();
  });
});
