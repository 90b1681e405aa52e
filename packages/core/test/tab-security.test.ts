// What a same-origin script, a stolen old refresh token or a tab that was
// away can do to the tab protocol, and what it may not: each case a defect a
// review reproduced against the first client (security cases 27, 33, 34).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIClient } from "../src/index.js";
import { memoryStorage, type StorageLike } from "../src/storage.js";
import { digestOf } from "../src/tab-coordinator.js";
import { startHostileIdp, type HostileIdp } from "./support/hostile-idp.js";
import { storedRecord } from "./support/stored-record.js";

const KEY = "authpi:cli_test:session";
const LEDGER = "authpi:cli_test:spent";
let idp: HostileIdp;
let issued = 0;
let clock = Date.now();
const clients: AuthPIClient[] = [];
const channels: BroadcastChannel[] = [];

beforeEach(async () => {
  issued = 0;
  clock = Date.now();
  idp = await startHostileIdp();
  vi.stubGlobal("localStorage", memoryStorage());
  idp.on("/token", () => {
    issued += 1;
    return { body: { access_token: `at-${issued}`, token_type: "Bearer", expires_in: 300, refresh_token: `rt-${issued}`, scope: "openid" } };
  });
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  for (const channel of channels.splice(0)) channel.close();
  vi.unstubAllGlobals();
  await idp.close();
});

const record = (receivedAt?: number) => storedRecord(idp.issuer, receivedAt ?? Math.floor(clock / 1000) - 280);

async function tab(stored: string | null, options: { memory?: boolean } = {}) {
  const storage: StorageLike = memoryStorage();
  if (stored !== null) storage.setItem(KEY, stored);
  const client = new AuthPIClient({ issuerUrl: idp.issuer, clientId: "cli_test", redirectUri: "http://127.0.0.1:5173/cb", storage: options.memory ? "memory" : storage, fetch: idp.fetch, autoRefresh: false, now: () => clock });
  clients.push(client);
  await client.start();
  return { client, storage };
}

/** A same-origin page on the tabs' channel: what it hears, and a way to ask. */
function listener() {
  const channel = new BroadcastChannel("authpi:cli_test");
  channels.push(channel);
  const heard: Array<{ type: string; from?: string }> = [];
  channel.onmessage = (event) => heard.push(event.data);
  const answersFor = (token: string) => heard.filter((m) => m.type === "rotated" && m.from === digestOf(token)).length;
  return {
    heard,
    answersFor,
    ask: (token: string) => channel.postMessage({ type: "sync", from: digestOf(token) }),
    /** Waits for the handoff each rotation of these tokens broadcasts, then forgets everything heard. */
    async handoffs(...tokens: string[]) {
      await vi.waitFor(() => expect(tokens.map(answersFor)).toEqual(tokens.map(() => 1)));
      heard.length = 0;
    },
  };
}

const pause = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a sync naming a spent refresh token", () => {
  it("is answered only for the token the latest rotation replaced: an older stolen token unlocks nothing", async () => {
    const spy = listener();
    const a = await tab(record());
    await a.client.refresh(); // rt-0 → rt-1
    await a.client.refresh(); // rt-1 → rt-2
    await spy.handoffs("rt-0", "rt-1");
    spy.ask("rt-0");
    await pause();
    expect(spy.answersFor("rt-0")).toBe(0);
    spy.ask("rt-1");
    await vi.waitFor(() => expect(spy.answersFor("rt-1")).toBe(1));
  });

  it("is answered only within 60 s of that rotation", async () => {
    const spy = listener();
    const a = await tab(record());
    await a.client.refresh();
    await spy.handoffs("rt-0");
    clock += 61_000;
    spy.ask("rt-0");
    await pause();
    expect(spy.answersFor("rt-0")).toBe(0);
  });

  it("is not answered after a logout or after the session ended", async () => {
    const spy = listener();
    const a = await tab(record());
    await a.client.refresh();
    await spy.handoffs("rt-0");
    await a.client.logout({ revoke: false });
    spy.ask("rt-0");
    await pause();
    expect(spy.answersFor("rt-0")).toBe(0);

    const b = await tab(record(Math.ceil(clock / 1000) + 1)); // a login after that logout
    await b.client.refresh(); // a new lineage from rt-0; the IdP then refuses the next refresh
    await spy.handoffs("rt-0");
    idp.on("/token", { status: 400, body: { error: "invalid_grant" } });
    await b.client.refresh().catch(() => undefined);
    expect(b.client.getSnapshot().status).toBe("unauthenticated");
    spy.ask("rt-0");
    await pause();
    expect(spy.answersFor("rt-0")).toBe(0);
  });
});

describe("the spent-token ledger", () => {
  it("ignores a mark forged by a same-origin script: no wait, no false invalid_grant", async () => {
    localStorage.setItem(LEDGER, JSON.stringify({ [digestOf("rt-0")]: [clock, "forged"], other: clock }));
    const { client } = await tab(record());
    const started = Date.now();
    const agent = await client.refresh();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(agent.tokens.refreshToken).toBe("rt-1");
    expect(idp.requests.filter((r) => r.path === "/token")).toHaveLength(1);
  });

  it("stays in memory with storage: \"memory\": a logout writes neither ledger nor tombstone to localStorage", async () => {
    const { client } = await tab(null, { memory: true });
    await client.logout({ revoke: false });
    expect(localStorage.getItem(LEDGER)).toBeNull();
    expect(localStorage.getItem("authpi:cli_test:logout-epoch")).toBeNull();
  });

  it("is shared through localStorage for every other storage", async () => {
    const { client } = await tab(record());
    await client.refresh();
    expect(Object.keys(JSON.parse(localStorage.getItem(LEDGER) ?? "{}"))).toEqual([digestOf("rt-0")]);
  });
});

describe("a tab that was away during a logout (case 33)", () => {
  it("restored later from its sessionStorage copy (Back, a discarded tab) starts signed out", async () => {
    const copy = record();
    const a = await tab(copy);
    clock += 1_000;
    await a.client.logout({ revoke: false });
    const back = await tab(copy);
    expect(back.client.getSnapshot().status).toBe("unauthenticated");
    expect(back.storage.getItem(KEY)).toBeNull();
  });

  it("still running but deaf to the broadcast (back-forward cache) signs out when the page is shown again", async () => {
    vi.stubGlobal("window", new EventTarget());
    vi.stubGlobal("document", Object.assign(new EventTarget(), { visibilityState: "visible" }));
    const copy = record();
    const a = await tab(copy);
    vi.stubGlobal("BroadcastChannel", undefined); // the cached page hears nothing
    const b = await tab(copy);
    clock += 1_000;
    await a.client.logout({ revoke: false });
    expect(b.client.getSnapshot().status).toBe("authenticated");
    window.dispatchEvent(new Event("pageshow"));
    expect(b.client.getSnapshot().status).toBe("unauthenticated");
    expect(b.storage.getItem(KEY)).toBeNull();
  });

  it("a new login after the logout is not affected by the logout epoch", async () => {
    const a = await tab(record());
    await a.client.logout({ revoke: false });
    clock += 1_000;
    const fresh = await tab(record(Math.floor(clock / 1000)));
    expect(fresh.client.getSnapshot().status).toBe("authenticated");
  });
});

describe("a refresh in flight when another tab logs out", () => {
  it("revokes the tokens it brings instead of dropping them unrevoked", async () => {
    idp.on("/token", { delayMs: 200, body: { access_token: "at-late", token_type: "Bearer", expires_in: 300, refresh_token: "rt-late" } });
    const copy = record();
    const a = await tab(copy);
    const b = await tab(copy);
    const refreshing = b.client.refresh().catch((error: unknown) => error);
    await vi.waitFor(() => expect(idp.requests.filter((r) => r.path === "/token")).toHaveLength(1));
    await a.client.logout({ revoke: false });
    expect(await refreshing).toMatchObject({ error: "login_required" });
    await vi.waitFor(() => expect(idp.requests.filter((r) => r.path === "/revoke").map((r) => r.params.token)).toEqual(["rt-late"]));
  });
});
