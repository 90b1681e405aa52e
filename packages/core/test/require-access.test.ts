// requireAccess(client, rule) for route loaders, and client.ready(): the same
// rule as <RequireAccess>, decided before anything renders.
import { beforeEach, describe, expect, it } from "vitest";
import { InsufficientScopeError, LoginRequiredError, requireAccess, UserBlockedError } from "../src/index.js";
import { memoryStorage, type StorageLike } from "../src/storage.js";
import { installLocation } from "./support/browser-location.js";
import { advance, fakeClient, seedSession, useFakeSession } from "./support/fake-session.js";
import type { HostileIdp } from "./support/hostile-idp.js";
import { rejection } from "./support/rejection.js";

const acme = { id: "org_acme", title: "Acme", scopes: ["owner", "projects:**"], joined_at: 1_700_000_000 };
const globex = { id: "org_globex", title: "Globex", scopes: ["projects:read"], joined_at: 1_700_000_000 };
let idp: HostileIdp;
let storage: StorageLike;
let location: ReturnType<typeof installLocation>;

const env = useFakeSession();
beforeEach(() => {
  ({ idp, storage } = env);
  location = installLocation("http://127.0.0.1:5173/projects/7?tab=a#top");
});

describe("client.ready()", () => {
  it("resolves at once when the session is known, and after the first refresh of an expired restored one", async () => {
    seedSession(storage, idp, { organizations: [acme] });
    await expect(fakeClient(idp, storage).ready()).resolves.toMatchObject({ status: "authenticated" });
    const expired = memoryStorage();
    seedSession(expired, idp, { expiresIn: -10 });
    idp.on("/token", () => ({ body: { access_token: "at-1", token_type: "Bearer", expires_in: 300, refresh_token: "rt-1" }, delayMs: 0 }));
    const client = fakeClient(idp, expired);
    let settled = false;
    const ready = client.ready().then((snapshot) => ((settled = true), snapshot));
    expect(settled).toBe(false);
    await client.start();
    await advance(0);
    expect(await ready).toMatchObject({ status: "authenticated" });
  });
});

describe("requireAccess(client, rule)", () => {
  it("resolves to the agent the rule allows", async () => {
    seedSession(storage, idp, { organizations: [acme, globex] });
    const client = fakeClient(idp, storage);
    await expect(requireAccess(client, { org: "org_acme", action: "write", resource: "projects" })).resolves.toBe(client.getSnapshot().agent);
    await expect(requireAccess(client, { org: "org_acme", role: "owner" })).resolves.toBeTruthy();
    await client.setActiveOrg("org_acme");
    await expect(requireAccess(client, { activeOrg: true, action: "delete", resource: "projects.tasks" })).resolves.toBeTruthy();
  });

  it("rejects a denied rule with InsufficientScopeError and starts no login", async () => {
    seedSession(storage, idp, { organizations: [acme, globex] });
    const client = fakeClient(idp, storage);
    const error = await rejection(requireAccess(client, { org: "org_globex", action: "write", resource: "projects" }));
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({ error: "insufficient_scope" });
    expect(await rejection(requireAccess(client, { activeOrg: true }))).toMatchObject({ error: "no_active_org" });
    expect(location.assigned).toEqual([]);
  });

  it("signed out: starts the login once, returning to the current location, and rejects with LoginRequiredError", async () => {
    const client = fakeClient(idp, storage);
    const error = await rejection(requireAccess(client, { action: "read", resource: "projects" }));
    expect(error).toBeInstanceOf(LoginRequiredError);
    expect(location.assigned).toHaveLength(1);
    const pending = Object.values(JSON.parse(storage.getItem("authpi:cli_test:logins") ?? "{}"));
    expect(pending).toMatchObject([{ returnTo: "/projects/7?tab=a#top" }]);
  });

  it("returns to the loader's request URL, not the page being left (routers run loaders before the address bar changes)", async () => {
    const client = fakeClient(idp, storage);
    await rejection(requireAccess(client, {}, { request: new Request("http://127.0.0.1:5173/admin?tab=2") }));
    expect(Object.values(JSON.parse(storage.getItem("authpi:cli_test:logins") ?? "{}"))).toMatchObject([{ returnTo: "/admin?tab=2" }]);
  });

  it("starts a client nobody started: an expired restored session refreshes, and the rule is judged after", async () => {
    seedSession(storage, idp, { expiresIn: -10, organizations: [acme] });
    idp.on("/token", () => ({ body: { access_token: "at-1", token_type: "Bearer", expires_in: 300, refresh_token: "rt-1" } }));
    const client = fakeClient(idp, storage);
    const allowed = requireAccess(client, { org: "org_acme" });
    await advance(0);
    expect((await allowed).tokens.refreshToken).toBe("rt-1");
  });

  it("after a failed login rejects with that error and never starts a second login", async () => {
    location.visit(`http://127.0.0.1:5173/callback?error=user_blocked&state=s1&iss=${encodeURIComponent(idp.issuer)}`);
    storage.setItem("authpi:cli_test:logins", JSON.stringify({ s1: { codeVerifier: "v", nonce: "n", returnTo: "/", createdAt: Date.now() } }));
    const client = fakeClient(idp, storage);
    void client.start();
    const error = await rejection(requireAccess(client));
    expect(error).toBeInstanceOf(UserBlockedError);
    expect(location.assigned).toEqual([]);
  });

  it("refuses a malformed rule: a compile error, and a TypeError for JavaScript callers", async () => {
    // @ts-expect-error action without resource
    await expect(requireAccess(fakeClient(idp, storage), { action: "read" })).rejects.toBeInstanceOf(TypeError);
    // @ts-expect-error org and activeOrg together
    await expect(requireAccess(fakeClient(idp, storage), { org: "org_acme", activeOrg: true })).rejects.toBeInstanceOf(TypeError);
    // @ts-expect-error role without org or activeOrg
    await expect(requireAccess(fakeClient(idp, storage), { role: "admin" })).rejects.toBeInstanceOf(TypeError);
  });
});
