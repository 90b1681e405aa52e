// Refreshes that spent a token twice, kept a session they should have ended or
// ended one they should have kept: the second protocol review's defects 2, 3,
// 7, 8 and 9 (issue 19), each reproduced against the old client. On fake timers.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { memoryStorage, type StorageLike } from "../src/storage.js";
import { advance, fakeClient, SESSION_KEY, seedSession, useFakeSession } from "./support/fake-session.js";
import type { HostileIdp } from "./support/hostile-idp.js";
import { fakeBroadcast, fakeLocks } from "./support/tab-sim.js";

// Sealing in the clear: a fake clock cannot order WebCrypto's thread pool (support/plain-sealing.ts).
vi.mock("../src/sealed-record.js", () => import("./support/plain-sealing.js"));

let idp: HostileIdp;
let storage: StorageLike;
let issued = 0;
const env = useFakeSession();
beforeEach(() => {
  ({ idp, storage } = env);
  issued = 0;
  vi.stubGlobal("localStorage", memoryStorage());
});

const tokenRequests = () => idp.requests.filter((r) => r.path === "/token");
const rotation = (delayMs = 0) => () => {
  issued += 1;
  return { delayMs, body: { access_token: `at-${issued}`, token_type: "Bearer", expires_in: 300, refresh_token: `rt-${issued}`, scope: "openid" } };
};

/** Two tabs holding one session, as `window.open` makes them, on the fake channel and locks. */
async function duplicatedTabs(locks: object = fakeLocks(), firstHandoffMs = 0) {
  vi.stubGlobal("BroadcastChannel", fakeBroadcast(() => 50, firstHandoffMs));
  vi.stubGlobal("navigator", { locks });
  seedSession(storage, idp, { expiresIn: 30 });
  const copy = storage.getItem(SESSION_KEY) ?? "";
  const tabs = [storage, memoryStorage()].map((own) => {
    own.setItem(SESSION_KEY, copy);
    return fakeClient(idp, own, { requestTimeoutSeconds: 30 });
  });
  await Promise.all(tabs.map((tab) => tab.start()));
  return tabs;
}

describe("a token endpoint slower than the wait for the refresh lock (defect 2)", () => {
  it("duplicated tabs spend the refresh token once: the second waits for the first one's answer", async () => {
    idp.on("/token", rotation(15_000));
    const tabs = await duplicatedTabs();
    await advance(20_000);
    expect(tokenRequests().map((r) => r.params.refresh_token)).toEqual(["rt-0"]);
    expect(tabs.map((tab) => tab.getSnapshot().agent?.tokens.refreshToken)).toEqual(["rt-1", "rt-1"]);
  });

  it("with the lock held forever by another script, the duplicates still spend it once", async () => {
    idp.on("/token", rotation(2_000));
    const locks = fakeLocks();
    // Every lock the SDK asks for is already held by a script that never lets go.
    const foreign = {
      request: (name: string, options: { signal?: AbortSignal; ifAvailable?: boolean }, task: (lock: unknown) => Promise<unknown>) => {
        void locks.request(name, {}, () => new Promise(() => undefined));
        return locks.request(name, options, task);
      },
    };
    const tabs = await duplicatedTabs(foreign);
    await advance(30_000);
    const sent = tokenRequests().map((r) => r.params.refresh_token);
    expect(new Set(sent).size).toBe(sent.length);
    expect(tabs.map((tab) => tab.getSnapshot().status)).toEqual(["authenticated", "authenticated"]);
  });
});

describe("the stored issuer cache (defect 3)", () => {
  function plantCache(metadata: Record<string, unknown>, savedAt: number) {
    storage.setItem("authpi:cli_test:issuer", JSON.stringify({ metadata, savedAt }));
  }
  const metadata = () => ({
    issuer: idp.issuer,
    authorization_endpoint: `${idp.issuer}/auth`,
    token_endpoint: `${idp.issuer}/token`,
    jwks_uri: `${idp.issuer}/jwks`,
    revocation_endpoint: `${idp.issuer}/revoke`,
  });

  it("never sends a refresh token to a token endpoint outside the issuer's origin", async () => {
    const sentTo: string[] = [];
    plantCache({ ...metadata(), token_endpoint: "https://collector.example/token" }, Date.now());
    seedSession(storage, idp, { expiresIn: 30 });
    idp.on("/token", rotation());
    const client = fakeClient(idp, storage, { fetch: (input, init) => (sentTo.push(new Request(input).url), idp.fetch(input, init)) });
    await client.start();
    await advance(1_000);
    expect(sentTo.filter((url) => !url.startsWith(new URL(idp.issuer).origin))).toEqual([]);
    expect(client.getSnapshot().agent?.tokens.refreshToken).toBe("rt-1");
  });

  it("refuses a cache saved in the future: discovery is fetched again", async () => {
    plantCache(metadata(), Date.now() + 365 * 24 * 3_600_000);
    seedSession(storage, idp, { expiresIn: 30 });
    idp.on("/token", rotation());
    const client = fakeClient(idp, storage);
    await client.start();
    await advance(1_000);
    expect(idp.count("/.well-known/openid-configuration")).toBe(1);
  });
});

describe("the answer to a tab that missed a rotation (defect 7)", () => {
  it("is given only within 60 s of the rotation, not of a later adoption", async () => {
    idp.on("/token", rotation());
    vi.stubGlobal("BroadcastChannel", fakeBroadcast(() => 50));
    vi.stubGlobal("navigator", { locks: fakeLocks() });
    seedSession(storage, idp, { expiresIn: 30 });
    const copy = storage.getItem(SESSION_KEY) ?? "";
    await fakeClient(idp, storage).start();
    await advance(100); // rt-0 → rt-1 at 0 s
    // At 50 s a page restored from its old copy (Back) asks for what replaced rt-0, and adopts it.
    await advance(50_000);
    const lateStorage = memoryStorage();
    lateStorage.setItem(SESSION_KEY, copy);
    const late = fakeClient(idp, lateStorage);
    await late.start();
    await advance(1_000);
    expect(late.getSnapshot().agent?.tokens.refreshToken).toBe("rt-1");
    // At 100 s a page still holding rt-0 asks: no tab may answer any more.
    await advance(49_000);
    const heard: Array<{ type: string }> = [];
    const Channel = globalThis.BroadcastChannel;
    const spy = new Channel("authpi:cli_test");
    spy.onmessage = (event) => heard.push(event.data as { type: string });
    const { digestOf } = await import("../src/tab-coordinator.js");
    spy.postMessage({ type: "sync", from: digestOf("rt-0") });
    await advance(1_000);
    expect(heard.filter((m) => m.type === "rotated")).toEqual([]);
  });
});

describe("getAccessToken() after a refresh whose answer is already expired (defect 8)", () => {
  it("does not refresh on every call: the 5 s floor holds for callers too", async () => {
    seedSession(storage, idp, { expiresIn: 30 });
    // No expires_in, and an ID token whose exp is inside the 60 s skew: expired on arrival.
    idp.on("/token", async () => {
      issued += 1;
      const now = Math.floor(Date.now() / 1000);
      return { body: { access_token: `at-${issued}`, token_type: "Bearer", refresh_token: `rt-${issued}`, id_token: await idp.idToken({ sub: "usr_1", nonce: undefined, iat: now - 20, exp: now - 10 }) } };
    });
    const client = fakeClient(idp, storage);
    await client.start();
    await advance(100);
    expect(tokenRequests()).toHaveLength(1);
    for (let i = 0; i < 10; i++) await client.getAccessToken();
    expect(tokenRequests()).toHaveLength(1);
  });
});

describe("a refresh answered by something other than the IdP's OAuth error (defect 9)", () => {
  it.each([
    ["408 with no body", { status: 408, raw: "" }],
    ["a proxy's HTML 403", { status: 403, raw: "<html><body>Forbidden by proxy</body></html>", headers: { "content-type": "text/html" } }],
  ])("%s keeps the session and retries", async (_name, reply) => {
    seedSession(storage, idp, { expiresIn: 30 });
    idp.on("/token", reply);
    const client = fakeClient(idp, storage);
    await client.start();
    await advance(100);
    expect(client.getSnapshot().status).toBe("authenticated");
    expect(storage.getItem(SESSION_KEY)).not.toBeNull();
    idp.on("/token", rotation());
    await advance(60_000);
    expect(client.getSnapshot().agent?.tokens.refreshToken).toBe("rt-1");
  });
});
