// A logout must stick in every tab, whatever was in flight when it happened and
// whatever the device clocks say: the race windows the second protocol review
// found (issue 19, defects 1, 4, 5, 6), each reproduced against the old client.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIClient } from "../src/index.js";
import { memoryStorage, type StorageLike } from "../src/storage.js";
import { installLocation } from "./support/browser-location.js";
import { startHostileIdp, type HostileIdp } from "./support/hostile-idp.js";
import { storedRecord } from "./support/stored-record.js";

const APP = "http://127.0.0.1:5173";
const KEY = "authpi:cli_test:session";
let idp: HostileIdp;
let issued = 0;
const clients: AuthPIClient[] = [];

beforeEach(async () => {
  issued = 0;
  idp = await startHostileIdp();
  vi.stubGlobal("localStorage", memoryStorage());
  idp.on("/token", rotation());
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  vi.unstubAllGlobals();
  await idp.close();
});

/** The token endpoint: rt-N → rt-N+1 after `delayMs`; a code gets a verified ID token. */
const rotation = (delayMs = 0) => async (params: Record<string, string>) => {
  issued += 1;
  const idToken = params.grant_type === "authorization_code" ? { id_token: await idp.idToken({ sub: "usr_1" }) } : {};
  return { delayMs, body: { access_token: `at-${issued}`, token_type: "Bearer", expires_in: 300, refresh_token: `rt-${issued}`, scope: "openid", ...idToken } };
};

const record = (receivedAt?: number) => storedRecord(idp.issuer, receivedAt ?? Math.floor(Date.now() / 1000) - 280);

async function tab(stored: string | null, options: { now?: () => number; start?: boolean } = {}) {
  const storage: StorageLike = memoryStorage();
  if (stored !== null) storage.setItem(KEY, stored);
  const client = new AuthPIClient({ issuerUrl: idp.issuer, clientId: "cli_test", redirectUri: `${APP}/callback`, storage, fetch: idp.fetch, autoRefresh: false, ...(options.now ? { now: options.now } : {}) });
  clients.push(client);
  if (options.start !== false) await client.start();
  return { client, storage };
}

const pause = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));
const tokenRequests = () => idp.requests.filter((r) => r.path === "/token");
const revoked = () => idp.requests.filter((r) => r.path === "/revoke").map((r) => r.params.token);
/** Every refresh token the IdP issued so far. */
const issuedRefreshTokens = () => Array.from({ length: issued }, (_, i) => `rt-${i + 1}`);

/** Web Locks whose grants come at once and whose `query()` answers after `ms`. */
function locksWithSlowQuery(ms: number) {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request<T>(name: string, ...args: unknown[]): Promise<T> {
      const task = args.at(-1) as (lock: unknown) => Promise<T>;
      const options = (args.length > 1 ? args[0] : {}) as { ifAvailable?: boolean };
      if (options.ifAvailable && tails.has(name)) return Promise.resolve(task(null));
      const run = (tails.get(name) ?? Promise.resolve()).then(() => task({ name }));
      const tail = run.catch(() => undefined).finally(() => tails.get(name) === tail && tails.delete(name));
      tails.set(name, tail);
      return run;
    },
    query: () => pause(ms).then(() => ({ held: [], pending: [] })),
  };
}

describe("a logout while a refresh is between its first await and its request (defect 1)", () => {
  it.each(["in this tab", "in another tab"])("%s: nothing is sent after it, nothing is stored, and what the IdP issued is revoked", async (where) => {
    vi.stubGlobal("navigator", { locks: locksWithSlowQuery(100) });
    idp.on("/token", rotation(200));
    const copy = record();
    const other = await tab(copy);
    const refreshing = await tab(copy);
    const result = refreshing.client.refresh().catch((error: unknown) => error);
    await pause(20);
    const loggedOutAt = idp.requests.length;
    await (where === "in this tab" ? refreshing : other).client.logout({ revoke: false });
    expect(await result).toMatchObject({ error: "login_required" });
    await pause(300);
    expect(idp.requests.slice(loggedOutAt).filter((r) => r.path === "/token")).toEqual([]);
    expect(refreshing.storage.getItem(KEY)).toBeNull();
    expect(refreshing.client.getSnapshot().status).toBe("unauthenticated");
    expect(revoked()).toEqual(issuedRefreshTokens());
  });
});

describe("a tab that missed the logout broadcast (defect 4)", () => {
  it("refreshing before its next wake-up sends nothing and signs out", async () => {
    const copy = record();
    const a = await tab(copy);
    vi.stubGlobal("BroadcastChannel", undefined); // deaf: a page in the back-forward cache, a lost message
    const b = await tab(copy);
    await a.client.logout({ revoke: false });
    await expect(b.client.refresh()).rejects.toMatchObject({ error: "login_required" });
    expect(tokenRequests()).toEqual([]);
    expect(b.client.getSnapshot().status).toBe("unauthenticated");
    expect(b.storage.getItem(KEY)).toBeNull();
  });

  it("started after the logout, though built before it, starts signed out", async () => {
    const copy = record();
    const a = await tab(copy);
    const b = await tab(copy, { start: false });
    await a.client.logout({ revoke: false });
    await b.client.start();
    expect(b.client.getSnapshot().status).toBe("unauthenticated");
    expect(b.storage.getItem(KEY)).toBeNull();
  });
});

describe("the logout tombstone compares no clocks (defect 5)", () => {
  const HOUR = 3_600_000;

  it("a logout on a clock an hour fast does not sign out the next login", async () => {
    const a = await tab(record(), { now: () => Date.now() + HOUR });
    await a.client.logout({ revoke: false });
    const next = await login();
    await expect(reloaded(next.storage)).resolves.toBe("authenticated");
  });

  it("a logout on a clock set an hour back still signs out a tab restored later (Back)", async () => {
    const copy = record();
    const a = await tab(copy, { now: () => Date.now() - HOUR });
    await a.client.logout({ revoke: false });
    const back = await tab(copy);
    expect(back.client.getSnapshot().status).toBe("unauthenticated");
  });

  it("a huge value written over the SDK's keys by a same-origin script does not kill later logins", async () => {
    const a = await tab(record());
    await a.client.logout({ revoke: false });
    for (const key of ["authpi:cli_test:logged-out", "authpi:cli_test:logout-epoch"]) localStorage.setItem(key, "9".repeat(30));
    const next = await login();
    await expect(reloaded(next.storage)).resolves.toBe("authenticated");
  });
});

describe("a login whose code exchange is in flight during a logout (defect 6)", () => {
  it("in a tab with no session yet: the login is not applied and its tokens are revoked", async () => {
    const other = await tab(record());
    const { client, pending } = await startLogin();
    idp.on("/token", rotation(200));
    const completing = pending();
    await pause(20);
    await other.client.logout({ revoke: false });
    await expect(completing).rejects.toMatchObject({ error: "login_required" });
    expect(client.getSnapshot().status).not.toBe("authenticated");
    await vi.waitFor(() => expect(revoked()).toEqual(issuedRefreshTokens()));
  });

  it("begun before a logout in another tab, back after it: not applied, and its code is not redeemed", async () => {
    const other = await tab(record());
    const { client, pending } = await startLogin();
    await other.client.logout({ revoke: false }); // the user was at the IdP meanwhile
    await expect(pending()).rejects.toMatchObject({ error: "login_required" });
    expect(client.getSnapshot().status).not.toBe("authenticated");
    expect(tokenRequests()).toEqual([]);
  });

  it("in a tab that has a session: the rejected callback's tokens are revoked too", async () => {
    const { client, pending, storage } = await startLogin(record());
    idp.on("/token", rotation(200));
    const completing = pending();
    await pause(20);
    await client.logout({ revoke: false });
    await expect(completing).rejects.toMatchObject({ error: "login_required" });
    expect(storage.getItem(KEY)).toBeNull();
    await vi.waitFor(() => expect(revoked()).toEqual(issuedRefreshTokens()));
  });
});

describe("a logout in one tab with other lineages open (simulation seed 514)", () => {
  it("revokes each tab's own grant once: a copy of the logging-out tab's does not revoke it again", async () => {
    const copy = record();
    const leaving = await tab(copy);
    await tab(copy); // a duplicate: the same lineage
    const { pending } = await startLogin(); // its own login, completed just before the logout
    await pending();
    await leaving.client.logout();
    await vi.waitFor(() => expect(revoked().sort()).toEqual(["rt-0", "rt-1"]));
    await pause();
    expect(revoked()).toHaveLength(2);
  });
});

/** A tab that started a login; `pending()` completes it on the callback the IdP sends back. */
async function startLogin(stored: string | null = null) {
  const location = installLocation(`${APP}/`);
  const { client, storage } = await tab(stored);
  await client.loginWithRedirect({ nonce: "n-1" });
  const state = new URL(location.assigned.at(-1) ?? "").searchParams.get("state") ?? "";
  const callback = `${APP}/callback?${new URLSearchParams({ code: `c-${state.slice(0, 4)}`, state, iss: idp.issuer })}`;
  location.visit(callback);
  return { client, storage, pending: () => client.handleRedirectCallback(callback) };
}

/** A full login in a new tab, as the user would after a logout. */
async function login() {
  const { client, storage, pending } = await startLogin();
  await pending();
  expect(client.getSnapshot().status).toBe("authenticated");
  return { client, storage };
}

/** The status a reload of the tab that holds `storage` starts with. */
async function reloaded(storage: StorageLike) {
  const client = new AuthPIClient({ issuerUrl: idp.issuer, clientId: "cli_test", redirectUri: `${APP}/callback`, storage, fetch: idp.fetch, autoRefresh: false });
  clients.push(client);
  await client.start();
  return client.getSnapshot().status;
}
