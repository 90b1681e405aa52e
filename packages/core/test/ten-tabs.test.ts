// Ten duplicated tabs of one session over 60 simulated seconds of 10-second
// tokens (a refresh every 5 s), on fake timers with a slow IdP and slow
// handoffs: the lock, the ledger and the sealed handoffs give one refresh per
// period, every refresh token sent once, and no tab lost. This passed before
// the fix in session-refresh.ts too: the refreshes the browser suite counted
// came from tabs that fell out of the session and logged in again (tabs.test.ts).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIClient } from "../src/index.js";
import { memoryStorage } from "../src/storage.js";
import { settle, SESSION_KEY, useFakeBrowser } from "./support/fake-session.js";
import { startHostileIdp, type HostileIdp } from "./support/hostile-idp.js";
import { fakeBroadcast, fakeLocks } from "./support/tab-sim.js";

// Sealing in the clear: a fake clock cannot order WebCrypto's thread pool (support/plain-sealing.ts).
vi.mock("../src/sealed-record.js", () => import("./support/plain-sealing.js"));

const TTL = 10;
const PERIOD_MS = (TTL / 2) * 1000;
const IDP_DELAY_MS = 800;
/** A refresh is due half its tokens' life after their receipt, the answer: 10 s tokens answered after 800 ms are due 5.4 s after the request. */
const CYCLE_MS = IDP_DELAY_MS + (TTL * 1000 - IDP_DELAY_MS) / 2;
let idp: HostileIdp;
let issued = 0;
const clients: AuthPIClient[] = [];

beforeAll(() => import("../src/protocol.js"));
beforeEach(async () => {
  idp = await startHostileIdp();
  issued = 0;
  useFakeBrowser();
  vi.stubGlobal("localStorage", memoryStorage());
  // Slow handoffs: each page's first one waits for its protocol chunk.
  vi.stubGlobal("BroadcastChannel", fakeBroadcast((data) => ((data as { type: string }).type === "rotated" ? 300 : 50), 2_000));
  vi.stubGlobal("navigator", { locks: fakeLocks(() => 20) });
  idp.on("/token", (params) => {
    issued += 1;
    if (tokenRequests().filter((r) => r.params.refresh_token === params.refresh_token).length > 1) return { status: 400, body: { error: "invalid_grant" } };
    return { delayMs: IDP_DELAY_MS, body: { access_token: `at-${issued}`, token_type: "Bearer", expires_in: TTL, refresh_token: `rt-${issued}`, scope: "openid" } };
  });
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  await idp.close();
});

const tokenRequests = () => idp.requests.filter((r) => r.path === "/token");

function sessionRecord() {
  const now = Date.now() / 1000;
  const expiresAt = Math.floor(now + TTL);
  return JSON.stringify({
    v: 1,
    issuer: idp.issuer,
    clientId: "cli_test",
    tokens: { accessToken: "at-0", idToken: "id-0", refreshToken: "rt-0", tokenType: "Bearer", scope: "openid", expiresAt },
    claims: { iss: idp.issuer, sub: "usr_1", aud: "cli_test", exp: expiresAt, iat: Math.floor(now) },
    receivedAt: now,
  });
}

/** Lets `ms` pass in small steps, so promise chains settle between timers as they would in real time. */
async function pass(ms: number) {
  for (let elapsed = 0; elapsed < ms; elapsed += 50) {
    await vi.advanceTimersByTimeAsync(50);
    await settle();
  }
}

describe("ten tabs of one session", () => {
  it.each([
    { start: "at once", staggerMs: 0 },
    { start: "one after another within a rotation", staggerMs: 600 },
  ])("started $start: one refresh per period, each token sent once, every tab signed in", async ({ staggerMs }) => {
    const copy = sessionRecord(); // window.open copies the opener's sessionStorage
    for (let i = 0; i < 10; i += 1) {
      const storage = memoryStorage();
      storage.setItem(SESSION_KEY, copy);
      const client = new AuthPIClient({ issuerUrl: idp.issuer, clientId: "cli_test", redirectUri: "http://127.0.0.1:5173/cb", storage, fetch: idp.fetch });
      clients.push(client);
      await client.start();
      await pass(staggerMs);
    }
    const periods = 12;
    await pass(periods * PERIOD_MS - 10 * staggerMs);
    const sent = tokenRequests().map((r) => r.params.refresh_token);
    // The first is due one period in, then one per cycle; the last may be under way as the time runs out.
    expect(sent.length).toBeGreaterThanOrEqual(Math.floor((periods * PERIOD_MS - 10 * staggerMs - PERIOD_MS) / CYCLE_MS));
    expect(sent.length).toBeLessThanOrEqual(periods);
    expect(new Set(sent).size).toBe(sent.length);
    expect(clients.map((client) => client.getSnapshot().status)).toEqual(clients.map(() => "authenticated"));
  }, 30_000);
});
