// The refresh schedule under answers no well-behaved IdP sends, and under
// failures of the browser's own parts (locks, a frozen clock): each case a
// defect a review reproduced against the first client.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIClient, JwksError, type OAuthError } from "../src/index.js";
import { memoryStorage, type StorageLike } from "../src/storage.js";
import { advance, fakeClient, seedSession, settle, T0, useFakeSession } from "./support/fake-session.js";
import type { HostileIdp } from "./support/hostile-idp.js";

let idp: HostileIdp;
let storage: StorageLike;
let issued = 0;

const env = useFakeSession();
beforeEach(() => {
  ({ idp, storage } = env);
  issued = 0;
});

const tokenRequests = () => idp.requests.filter((r) => r.path === "/token");
const rotation = (extra: Record<string, unknown> = {}) => () => {
  issued += 1;
  return { body: { access_token: `at-${issued}`, token_type: "Bearer", refresh_token: `rt-${issued}`, scope: "openid", ...extra } };
};

describe("a refresh answer with neither expires_in nor id_token", () => {
  it("carries the session's lifetime forward instead of the old ID token's past exp: one refresh per lifetime, no storm", async () => {
    seedSession(storage, idp, { expiresIn: 100, lifetime: 300 });
    idp.on("/token", rotation());
    const client = fakeClient(idp, storage);
    await client.start();
    await advance(41_000); // due at expiry − 60 s
    expect(tokenRequests()).toHaveLength(1);
    const agent = client.getSnapshot().agent;
    expect(agent?.expiresAt).toBe(Math.floor(T0 / 1000) + 40 + 300);
    await advance(1_000);
    expect(tokenRequests()).toHaveLength(1);
    await advance(240_000);
    expect(tokenRequests()).toHaveLength(2);
  });
});

describe("the floor between refreshes", () => {
  it("never refreshes twice within 5 s, even when every answer is already due (expires_in: 1)", async () => {
    seedSession(storage, idp, { expiresIn: 30 });
    idp.on("/token", rotation({ expires_in: 1 }));
    const client = fakeClient(idp, storage);
    await client.start();
    await settle();
    expect(tokenRequests()).toHaveLength(1);
    await advance(1_000);
    expect(tokenRequests()).toHaveLength(1);
    await advance(4_000);
    expect(tokenRequests()).toHaveLength(2);
    await advance(10_000);
    expect(tokenRequests()).toHaveLength(4);
    expect(client.getSnapshot().status).toBe("authenticated");
  });

  it("refuses a fractional expires_in (0.001) as an invalid response rather than storming", async () => {
    seedSession(storage, idp, { expiresIn: 30 });
    idp.on("/token", rotation({ expires_in: 0.001 }));
    const errors: OAuthError[] = [];
    const client = fakeClient(idp, storage, { onRefreshError: (error) => errors.push(error) });
    await client.start();
    await advance(10_000);
    expect(tokenRequests()).toHaveLength(1);
    expect(errors.map((error) => error.error)).toEqual(["invalid_response"]);
    expect(client.getSnapshot().status).toBe("unauthenticated");
  });
});

describe("getAccessToken() during an IdP blip", () => {
  it("returns the current token while it is still valid when the refresh inside the buffer fails with 503", async () => {
    seedSession(storage, idp, { expiresIn: 50 });
    idp.on("/token", { status: 503, body: { error: "temporarily_unavailable" } });
    const client = fakeClient(idp, storage, { autoRefresh: false });
    await expect(client.getAccessToken()).resolves.toBe("at-0");
    expect(tokenRequests()).toHaveLength(1);
    expect(client.getSnapshot().status).toBe("authenticated");
  });

  it("still rejects once the current token has expired", async () => {
    seedSession(storage, idp, { expiresIn: 50 });
    idp.on("/token", { status: 503, body: { error: "temporarily_unavailable" } });
    const client = fakeClient(idp, storage, { autoRefresh: false });
    await advance(51_000);
    await expect(client.getAccessToken()).rejects.toMatchObject({ statusCode: 503 });
  });
});

describe("Web Locks that fail", () => {
  it("a rejected lock request refreshes without the lock, once, instead of busy-looping", async () => {
    const request = vi.fn(() => Promise.reject(new DOMException("denied", "SecurityError")));
    vi.stubGlobal("navigator", { locks: { request } });
    seedSession(storage, idp, { expiresIn: 30 });
    idp.on("/token", rotation({ expires_in: 300 }));
    const client = fakeClient(idp, storage);
    await client.start();
    await advance(1_000);
    expect(request.mock.calls.length).toBeLessThanOrEqual(2);
    expect(tokenRequests()).toHaveLength(1);
    expect(client.getSnapshot().agent?.tokens.refreshToken).toBe("rt-1");
  });

  it("a lock manager that never answers costs 1 s at most, then the tab refreshes guarded by the ledger", async () => {
    const request = vi.fn(() => new Promise(() => undefined));
    vi.stubGlobal("navigator", { locks: { request } });
    seedSession(storage, idp, { expiresIn: 30 });
    idp.on("/token", rotation({ expires_in: 300 }));
    const client = fakeClient(idp, storage);
    await client.start();
    await advance(900);
    expect(tokenRequests()).toHaveLength(0);
    await advance(100);
    expect(tokenRequests()).toHaveLength(1);
    expect(client.getSnapshot().status).toBe("authenticated");
  });
});

describe("keys and the refresh grant", () => {
  it("fetches the keys before sending the grant: a JWKS outage keeps the session and its unspent refresh token", async () => {
    seedSession(storage, idp, { expiresIn: 30 });
    idp.on("/jwks", { status: 503, raw: "down" });
    idp.on("/token", rotation({ expires_in: 300 }));
    const client = fakeClient(idp, storage);
    await client.start();
    await settle();
    expect(tokenRequests()).toHaveLength(0);
    expect(client.getSnapshot().status).toBe("authenticated");
    idp.on("/jwks", async () => ({ body: { keys: [idp.publicJwk] } }));
    await advance(2_000);
    expect(tokenRequests().map((r) => r.params.refresh_token)).toEqual(["rt-0"]);
    expect(client.getSnapshot().agent?.tokens.refreshToken).toBe("rt-1");
  });

  it("retries verification of a response it holds when the keys fail after the grant was sent", async () => {
    // Real time: verification waits on WebCrypto, which a fake clock does not drive (the retries wait 1 s, then 2 s).
    vi.useRealTimers();
    seedSession(storage, idp, { expiresIn: 30 });
    let jwksCalls = 0;
    // The first fetch (before the grant) works; the refetch for the new key fails twice, then works.
    idp.on("/jwks", async () => {
      jwksCalls += 1;
      return jwksCalls === 2 || jwksCalls === 3 ? { status: 503, raw: "down" } : { body: { keys: [idp.publicJwk] } };
    });
    idp.on("/token", async () => {
      await idp.rotate();
      return { body: await idp.tokenResponse({ refresh_token: "rt-1", id_token: await idp.idToken({ sub: "usr_1", aud: "cli_test", nonce: undefined }) }) };
    });
    const errors: unknown[] = [];
    const client = fakeClient(idp, storage, { onRefreshError: (error) => errors.push(error) });
    await client.start();
    await vi.waitFor(() => expect(client.getSnapshot().agent?.tokens.refreshToken).toBe("rt-1"), { timeout: 8_000, interval: 100 });
    expect(errors).toEqual([]);
    expect(tokenRequests()).toHaveLength(1);
    expect(jwksCalls).toBe(4);
  }, 15_000);

  it("a JWKS outage is a transient JwksError for the caller", async () => {
    seedSession(storage, idp, { expiresIn: 30 });
    idp.on("/jwks", { status: 503, raw: "down" });
    const client = fakeClient(idp, storage, { autoRefresh: false });
    await expect(client.refresh()).rejects.toBeInstanceOf(JwksError);
    expect(client.getSnapshot().status).toBe("authenticated");
  });
});

describe("a frozen clock", () => {
  it("waiting for another tab's tokens ends on the timer, not on the injected clock", async () => {
    vi.stubGlobal("localStorage", memoryStorage());
    seedSession(storage, idp, { expiresIn: 30 });
    const frozen = fakeClient(idp, storage, { now: () => T0, autoRefresh: false });
    // Another tab spent rt-0 and closed before handing over its tokens.
    const spender = new AuthPIClient({ issuerUrl: idp.issuer, clientId: "cli_test", redirectUri: "http://127.0.0.1:5173/callback", storage: copyOf(storage), fetch: idp.fetch, autoRefresh: false });
    idp.on("/token", rotation({ expires_in: 300 }));
    await spender.refresh();
    spender.dispose();
    const outcome = frozen.refresh().catch((error: unknown) => error);
    await advance(10_000);
    expect(await outcome).toMatchObject({ error: "invalid_grant" });
    expect(tokenRequests()).toHaveLength(1);
  });
});

function copyOf(source: StorageLike): StorageLike {
  const copy = memoryStorage();
  for (const key of ["authpi:cli_test:session"]) {
    const value = source.getItem(key);
    if (value !== null) copy.setItem(key, value);
  }
  return copy;
}

describe("a client shared by two owners (mount())", () => {
  it("keeps refreshing after the first unmount and stops after the last", async () => {
    seedSession(storage, idp, { expiresIn: 120 });
    idp.on("/token", rotation({ expires_in: 300 }));
    const client = fakeClient(idp, storage);
    const first = client.mount();
    const second = client.mount();
    first();
    first(); // twice counts once
    await advance(61_000);
    expect(tokenRequests()).toHaveLength(1);
    second();
    await advance(600_000);
    expect(tokenRequests()).toHaveLength(1);
  });
});

describe("snapshot.stale", () => {
  it("says the access token ran out while the IdP cannot be reached, without changing the status; a successful retry clears it", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.999999);
    seedSession(storage, idp, { expiresIn: 90 });
    idp.on("/token", { status: 0 });
    const client = fakeClient(idp, storage);
    await client.start();
    await advance(60_000);
    expect(tokenRequests().length).toBeGreaterThan(0);
    expect(client.getSnapshot()).toMatchObject({ status: "authenticated", stale: false }); // failing, but the token is still good
    await advance(60_000);
    expect(client.getSnapshot()).toMatchObject({ status: "authenticated", stale: true, error: null });
    idp.on("/token", rotation({ expires_in: 300 }));
    window.dispatchEvent(new Event("online"));
    await advance(0);
    expect(client.getSnapshot()).toMatchObject({ status: "authenticated", stale: false });
    expect(client.getSnapshot().agent?.tokens.refreshToken).toBe("rt-1");
  });
});
