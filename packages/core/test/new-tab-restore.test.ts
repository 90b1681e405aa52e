// A brand-new tab of a browser that has a session (SPEC §9): the hint's life
// cycle, the silent prompt=none redirect and each of its outcomes, and never a
// loop. The real browser round trip is e2e/new-tab.test.ts's.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIClient, type AuthPIClientOptions } from "../src/index.js";
import { memoryStorage, type StorageLike } from "../src/storage.js";
import { installLocation } from "./support/browser-location.js";
import { startHostileIdp, type HostileIdp } from "./support/hostile-idp.js";

const APP = "http://127.0.0.1:5173";
const HINT = "authpi:cli_test:hint";
let idp: HostileIdp;
let shared: StorageLike;
const clients: AuthPIClient[] = [];

beforeEach(async () => {
  idp = await startHostileIdp();
  shared = memoryStorage();
  vi.stubGlobal("localStorage", shared);
  idp.on("/token", async () => ({ body: await idp.tokenResponse() }));
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  vi.unstubAllGlobals();
  await idp.close();
});

/** A page of a tab whose sessionStorage is `storage`, at `href`. */
function page(storage: StorageLike, href: string, extra: Partial<AuthPIClientOptions> = {}) {
  const location = installLocation(href);
  vi.stubGlobal("sessionStorage", storage);
  const client = new AuthPIClient({ issuerUrl: idp.issuer, clientId: "cli_test", redirectUri: `${APP}/callback`, fetch: idp.fetch, autoRefresh: false, ...extra });
  clients.push(client);
  return { client, location };
}

/** Signs in through a callback in a tab of its own; returns that tab's storage. */
async function signIn() {
  const storage = memoryStorage();
  const { client, location } = page(storage, `${APP}/`);
  await client.loginWithRedirect({ nonce: "n-1" });
  const state = new URL(location.assigned.at(-1) ?? "").searchParams.get("state") ?? "";
  await client.handleRedirectCallback(`${APP}/callback?code=c1&state=${state}&iss=${encodeURIComponent(idp.issuer)}`);
  return { client, storage };
}

/** Opens a brand-new tab at `path` and starts it: where it went, and its first status. */
async function newTab(path = "/projects/p1?tab=2#notes", extra: Partial<AuthPIClientOptions> = {}) {
  const storage = memoryStorage();
  const { client, location } = page(storage, `${APP}${path}`, extra);
  const firstStatus = client.getSnapshot().status;
  await client.start();
  await vi.waitFor(() => expect(location.assigned.length + (client.getSnapshot().status === "loading" ? 0 : 1)).toBeGreaterThan(0));
  return { client, storage, location, firstStatus, authorize: location.assigned[0] ? new URL(location.assigned[0]) : null };
}

/** The IdP sends the silent request back: with a code, or with `error`. */
async function comeBack(tab: { storage: StorageLike; authorize: URL | null }, answer: Record<string, string>) {
  const state = tab.authorize?.searchParams.get("state") ?? "";
  const nonce = tab.authorize?.searchParams.get("nonce") ?? "";
  idp.on("/token", async () => ({ body: await idp.tokenResponse({ id_token: await idp.idToken({ nonce }) }) }));
  const { client, location } = page(tab.storage, `${APP}/callback?${new URLSearchParams({ ...answer, state, iss: idp.issuer })}`);
  const events: unknown[] = [];
  client.on("restore", (event) => events.push(event));
  const result = await client.start();
  return { client, location, result, events };
}

describe("the hint", () => {
  it("is written at sign-in with the logout epoch and an expiry, and holds no token", async () => {
    await signIn();
    const hint = JSON.parse(shared.getItem(HINT) ?? "null") as Record<string, unknown>;
    expect(Object.keys(hint).sort()).toEqual(["epoch", "until"]);
    expect(hint.until).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    expect(JSON.stringify(hint)).not.toMatch(/at-|rt-|eyJ/);
  });

  it("is written again at each refresh, removed by a logout in any tab and by a refused refresh", async () => {
    const { client } = await signIn();
    shared.removeItem(HINT);
    await client.refresh();
    expect(shared.getItem(HINT)).not.toBeNull();
    await client.logout({ revoke: false });
    expect(shared.getItem(HINT)).toBeNull();

    const again = await signIn();
    idp.on("/token", { status: 400, body: { error: "invalid_grant" } });
    await again.client.refresh().catch(() => undefined);
    expect(again.client.getSnapshot().status).toBe("unauthenticated");
    expect(shared.getItem(HINT)).toBeNull();
  });
});

describe("a brand-new tab of a browser with a session", () => {
  it("starts loading, then leaves for the IdP with prompt=none, PKCE, state and nonce", async () => {
    await signIn();
    const tab = await newTab();
    expect(tab.firstStatus).toBe("loading");
    expect(tab.authorize?.pathname).toMatch(/\/auth$/);
    expect(tab.authorize?.searchParams.get("prompt")).toBe("none");
    for (const name of ["code_challenge", "state", "nonce"]) expect(tab.authorize?.searchParams.get(name)).toBeTruthy();
  });

  it("comes back signed in at the deep link, the address bar clean, and says how long it took", async () => {
    await signIn();
    const tab = await newTab();
    const back = await comeBack(tab, { code: "c2" });
    expect(back.client.getSnapshot().status).toBe("authenticated");
    expect(back.result).toMatchObject({ returnTo: "/projects/p1?tab=2#notes" });
    expect(back.location.href).toBe(`${APP}/callback`);
    expect(back.events).toEqual([expect.objectContaining({ outcome: "restored", durationMs: expect.any(Number) })]);
  });

  it.each(["login_required", "interaction_required", "consent_required", "account_selection_required"])(
    "told %s: signed out (not an error) at the deep link, the hint removed, and no second attempt",
    async (error) => {
      await signIn();
      const tab = await newTab();
      const back = await comeBack(tab, { error });
      expect(back.client.getSnapshot()).toMatchObject({ status: "unauthenticated", error: null });
      expect(back.result).toEqual({ agent: null, returnTo: "/projects/p1?tab=2#notes" });
      expect(back.events).toEqual([expect.objectContaining({ outcome: "signed-out" })]);
      expect(shared.getItem(HINT)).toBeNull();
      expect(idp.count("/token")).toBe(1); // the first tab's sign-in only
    },
  );

  it("whose redirect never came back (Stop, the IdP down) starts signed out on its next load, without a second redirect", async () => {
    await signIn();
    const tab = await newTab();
    const reload = page(tab.storage, `${APP}/projects/p1`);
    expect(reload.client.getSnapshot().status).toBe("unauthenticated");
    await reload.client.start();
    expect(reload.location.assigned).toEqual([]);
  });

  it("when the IdP cannot be reached, is signed out with a typed error the app can show", async () => {
    await signIn();
    idp.on("/.well-known/openid-configuration", { status: 0 });
    const tab = await newTab();
    expect(tab.authorize).toBeNull();
    await vi.waitFor(() => expect(tab.client.getSnapshot().status).toBe("unauthenticated"));
    expect(tab.client.getSnapshot().error).toMatchObject({ error: "network_error" });
    expect(shared.getItem(HINT)).toBeNull();
  });
});

describe("a brand-new tab that does not try", () => {
  it("after a logout in another tab: signed out at once, with no request", async () => {
    const { client } = await signIn();
    await client.logout({ revoke: false });
    const before = idp.requests.length;
    const tab = await newTab();
    expect(tab.firstStatus).toBe("unauthenticated");
    expect(tab.authorize).toBeNull();
    expect(idp.requests.length).toBe(before);
  });

  it("with a hint of another logout epoch (a logout whose removal of the hint this storage missed)", async () => {
    await signIn();
    const hint = shared.getItem(HINT) ?? "";
    const { client } = await signIn();
    await client.logout({ revoke: false });
    shared.setItem(HINT, hint);
    expect((await newTab()).firstStatus).toBe("unauthenticated");
  });

  it.each([
    ["an expired hint", (hint: Record<string, unknown>) => ({ ...hint, until: Date.now() - 1 })],
    ["a hint dated far in the future", (hint: Record<string, unknown>) => ({ ...hint, until: Date.now() + 10 * 86_400_000 })],
    ["a hint that is not JSON", () => "{"],
  ])("with %s", async (_name, edit) => {
    await signIn();
    const hint = JSON.parse(shared.getItem(HINT) ?? "{}") as Record<string, unknown>;
    const edited = edit(hint);
    shared.setItem(HINT, typeof edited === "string" ? edited : JSON.stringify(edited));
    expect((await newTab()).firstStatus).toBe("unauthenticated");
  });

  it.each([
    ["restoreSession: \"off\"", { restoreSession: "off" as const }],
    ["storage: \"memory\"", { storage: "memory" as const }],
  ])("with %s", async (_name, extra) => {
    await signIn();
    const tab = await newTab("/", extra);
    expect(tab.firstStatus).toBe("unauthenticated");
    expect(tab.authorize).toBeNull();
  });

  it("refuses a restoreSession value it does not know, naming the option", () => {
    expect(() => page(memoryStorage(), `${APP}/`, { restoreSession: "iframe" as never })).toThrow(/restoreSession/);
  });
});
