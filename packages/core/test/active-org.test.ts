// The active organization: the default rules, setActiveOrg() in both kinds of
// session, the tab's remembered choice, and what refreshes and logouts do to it.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { NotAMemberError, OAuthError } from "../src/index.js";
import { memoryStorage, type StorageLike } from "../src/storage.js";
import { installLocation } from "./support/browser-location.js";
import { advance, fakeClient, seedSession, useFakeSession } from "./support/fake-session.js";
import type { HostileIdp } from "./support/hostile-idp.js";
import { rejection } from "./support/rejection.js";

const CHOICE = "authpi:cli_test:active-org";
const acme = { id: "org_acme", title: "Acme", scopes: ["projects:**"], joined_at: 1_700_000_000 };
const globex = { id: "org_globex", title: "Globex", scopes: ["projects:read"], joined_at: 1_700_000_000 };
let idp: HostileIdp;
let storage: StorageLike;

const env = useFakeSession();
beforeEach(() => {
  ({ idp, storage } = env);
});

const activeId = (client: ReturnType<typeof fakeClient>) => client.getSnapshot().activeOrg?.id ?? null;

describe("the default active organization", () => {
  it("is none for an agent with several organizations and no choice", () => {
    seedSession(storage, idp, { organizations: [acme, globex] });
    expect(activeId(fakeClient(idp, storage))).toBeNull();
  });

  it("is the only organization when there is exactly one", () => {
    seedSession(storage, idp, { organizations: [globex] });
    expect(fakeClient(idp, storage).getSnapshot().activeOrg).toMatchObject({ id: "org_globex", title: "Globex", scopes: ["projects:read"] });
  });

  it("is the restricted organization of a session signed in with org", () => {
    seedSession(storage, idp, { organizations: [acme], org: "org_acme" });
    storage.setItem(CHOICE, JSON.stringify({ sub: "usr_1", orgId: "org_globex" }));
    expect(activeId(fakeClient(idp, storage))).toBe("org_acme");
  });

  it("is the tab's remembered choice while still a member, restored synchronously", () => {
    seedSession(storage, idp, { organizations: [acme, globex] });
    storage.setItem(CHOICE, JSON.stringify({ sub: "usr_1", orgId: "org_globex" }));
    expect(activeId(fakeClient(idp, storage))).toBe("org_globex");
  });

  it.each([
    ["not JSON", "{nope"],
    ["another user's choice", JSON.stringify({ sub: "usr_2", orgId: "org_globex" })],
    ["a wrong type", JSON.stringify({ sub: "usr_1", orgId: 42 })],
    ["an array", "[]"],
  ])("ignores a stored choice that is %s (and removes it): no crash, default rules", (_, value) => {
    seedSession(storage, idp, { organizations: [acme, globex] });
    storage.setItem(CHOICE, value);
    const client = fakeClient(idp, storage);
    expect(client.getSnapshot()).toMatchObject({ status: "authenticated", activeOrg: null });
    expect(storage.getItem(CHOICE)).toBeNull();
  });

  it("is null when signed out", () => {
    expect(fakeClient(idp, storage).getSnapshot().activeOrg).toBeNull();
  });
});

describe("setActiveOrg() in an unrestricted session", () => {
  it("switches at once with no request, remembers the choice for the tab and keeps the snapshot stable otherwise", async () => {
    seedSession(storage, idp, { organizations: [acme, globex] });
    const client = fakeClient(idp, storage);
    const listener = vi.fn();
    client.subscribe(listener);
    await client.setActiveOrg("org_acme");
    expect(activeId(client)).toBe("org_acme");
    expect(listener).toHaveBeenCalledTimes(1);
    expect(idp.requests).toEqual([]);
    expect(JSON.parse(storage.getItem(CHOICE) ?? "null")).toEqual({ sub: "usr_1", orgId: "org_acme" });
    expect(activeId(fakeClient(idp, storage))).toBe("org_acme"); // a reload
    await client.setActiveOrg("org_acme");
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it("null clears it, and the tab remembers that too", async () => {
    seedSession(storage, idp, { organizations: [globex] });
    const client = fakeClient(idp, storage);
    expect(activeId(client)).toBe("org_globex");
    await client.setActiveOrg(null);
    expect(activeId(client)).toBeNull();
    expect(activeId(fakeClient(idp, storage))).toBeNull();
  });

  it("rejects a non-member with NotAMemberError (not_a_member) and changes nothing", async () => {
    seedSession(storage, idp, { organizations: [acme, globex] });
    const client = fakeClient(idp, storage);
    await client.setActiveOrg("org_acme");
    const before = client.getSnapshot();
    const error = await rejection(client.setActiveOrg("org_initech"));
    expect(error).toBeInstanceOf(NotAMemberError);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: "not_a_member", orgId: "org_initech" });
    expect(client.getSnapshot()).toBe(before);
    expect(JSON.parse(storage.getItem(CHOICE) ?? "null")).toEqual({ sub: "usr_1", orgId: "org_acme" });
  });

  it("refuses bad arguments with a TypeError and needs a session", async () => {
    seedSession(storage, idp, { organizations: [acme] });
    await expect(fakeClient(idp, storage).setActiveOrg(42 as never)).rejects.toBeInstanceOf(TypeError);
    await expect(fakeClient(idp, memoryStorage()).setActiveOrg("org_acme")).rejects.toMatchObject({ error: "login_required" });
  });
});

describe("setActiveOrg() in a session restricted to one organization", () => {
  it("signs in again with the new org, returning to the current location", async () => {
    const location = installLocation("http://127.0.0.1:5173/projects?tab=2#top");
    seedSession(storage, idp, { organizations: [acme], org: "org_acme" });
    const client = fakeClient(idp, storage);
    await client.setActiveOrg("org_globex");
    const url = new URL(location.assigned.at(-1) ?? "");
    expect(url.searchParams.get("org")).toBe("org_globex");
    expect(url.searchParams.get("prompt")).toBeNull();
    const pending = JSON.parse(storage.getItem("authpi:cli_test:logins") ?? "{}") as Record<string, { returnTo: string; org: string }>;
    expect(Object.values(pending)).toMatchObject([{ returnTo: "/projects?tab=2#top", org: "org_globex" }]);
    expect(activeId(client)).toBe("org_acme");
  });
});

describe("across refreshes and logout", () => {
  function refreshWith(organizations: unknown[]) {
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ id_token: await idp.idToken({ sub: "usr_1", nonce: undefined, organizations }) }) }));
  }

  it("keeps the same activeOrg object across a refresh that keeps the membership", async () => {
    vi.useRealTimers();
    seedSession(storage, idp, { organizations: [acme, globex] });
    const client = fakeClient(idp, storage, { autoRefresh: false });
    await client.setActiveOrg("org_globex");
    const before = client.getSnapshot().activeOrg;
    refreshWith([acme, globex]);
    const agent = await client.refresh();
    expect(client.getSnapshot().agent).toBe(agent);
    expect(client.getSnapshot().activeOrg).toBe(before);
  });

  it("becomes null after a refresh that removes the active membership", async () => {
    vi.useRealTimers();
    seedSession(storage, idp, { organizations: [acme, globex] });
    const client = fakeClient(idp, storage, { autoRefresh: false });
    await client.setActiveOrg("org_globex");
    refreshWith([acme]);
    await client.refresh();
    expect(client.getSnapshot()).toMatchObject({ status: "authenticated", activeOrg: null });
  });

  it("follows new scopes of the active membership", async () => {
    vi.useRealTimers();
    seedSession(storage, idp, { organizations: [acme, globex] });
    const client = fakeClient(idp, storage, { autoRefresh: false });
    await client.setActiveOrg("org_globex");
    refreshWith([acme, { ...globex, scopes: ["projects:**"] }]);
    await client.refresh();
    expect(client.getSnapshot().activeOrg?.scopes).toEqual(["projects:**"]);
  });

  it("keeps a restricted session restricted: the record's org survives the refresh", async () => {
    seedSession(storage, idp, { organizations: [acme], org: "org_acme", expiresIn: 30 });
    idp.on("/token", () => ({ body: { access_token: "at-1", token_type: "Bearer", expires_in: 300, refresh_token: "rt-1" } }));
    const client = fakeClient(idp, storage);
    await client.start();
    await advance(1_000);
    expect(JSON.parse(storage.getItem("authpi:cli_test:session") ?? "{}")).toMatchObject({ org: "org_acme", tokens: { refreshToken: "rt-1" } });
    expect(activeId(client)).toBe("org_acme");
  });

  it("is cleared by logout, with the tab's choice", async () => {
    seedSession(storage, idp, { organizations: [acme, globex] });
    const client = fakeClient(idp, storage);
    await client.setActiveOrg("org_acme");
    await client.logout({ revoke: false });
    expect(client.getSnapshot().activeOrg).toBeNull();
    expect(storage.getItem(CHOICE)).toBeNull();
  });
});

describe("a login restricted with org", () => {
  it("records the restriction with the session: the restricted org is active after the callback", async () => {
    const location = installLocation("http://127.0.0.1:5173/");
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ id_token: await idp.idToken({ organizations: [acme] }) }) }));
    const client = fakeClient(idp, storage);
    await client.loginWithRedirect({ org: "org_acme", nonce: "n-1" });
    const authorize = new URL(location.assigned.at(-1) ?? "");
    expect(authorize.searchParams.get("org")).toBe("org_acme");
    const state = authorize.searchParams.get("state") ?? "";
    await client.handleRedirectCallback(`http://127.0.0.1:5173/callback?code=c&state=${state}&iss=${encodeURIComponent(idp.issuer)}`);
    expect(activeId(client)).toBe("org_acme");
    expect(JSON.parse(storage.getItem("authpi:cli_test:session") ?? "{}").org).toBe("org_acme");
  });
});
