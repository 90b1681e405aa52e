// handleRedirectCallback() against callback attacks (SECURITY-CASES 6, 7, 9–15) and
// the stateful login API. The address bar is a stand-in; the real one is the browser suite's.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIClient, IssuerMismatchError, NoPendingLoginError, OAuthError, StateMismatchError, UserBlockedError } from "../src/index.js";
import { memoryStorage, type StorageLike } from "../src/storage.js";
import { installLocation } from "./support/browser-location.js";
import { startHostileIdp, type HostileIdp } from "./support/hostile-idp.js";
import { rejection } from "./support/rejection.js";

const APP = "http://127.0.0.1:5173";
let idp: HostileIdp;
let storage: StorageLike;
let location: ReturnType<typeof installLocation>;

beforeAll(async () => {
  idp = await startHostileIdp();
});
afterAll(() => idp.close());
beforeEach(() => {
  storage = memoryStorage();
  location = installLocation(`${APP}/projects?tab=2#top`);
  idp.requests.length = 0;
  idp.on("/token", async () => ({ body: await idp.tokenResponse() }));
});
afterEach(() => vi.unstubAllGlobals());

function newClient(extra: Partial<ConstructorParameters<typeof AuthPIClient>[0]> = {}) {
  return new AuthPIClient({ issuerUrl: idp.issuer, clientId: idp.clientId, redirectUri: `${APP}/callback`, storage, ...extra });
}

/** Starts a login and returns the state the IdP would echo back. */
async function startLogin(client: AuthPIClient, returnTo?: string) {
  await client.loginWithRedirect({ nonce: "n-1", ...(returnTo === undefined ? {} : { returnTo }) });
  return new URL(location.assigned.at(-1) ?? "").searchParams.get("state") ?? "";
}

function callbackUrl(params: Record<string, string>, extra = "") {
  return `${APP}/callback?${new URLSearchParams({ iss: idp.issuer, ...params })}${extra}`;
}

const storedKeys = () => ["authpi:cli_test:session", "authpi:cli_test:logins"].filter((key) => storage.getItem(key) !== null);

describe("handleRedirectCallback() happy path", () => {
  it("signs in, stores the session, cleans the address bar and returns to where the login started", async () => {
    const client = newClient();
    const state = await startLogin(client);
    location.visit(callbackUrl({ code: "c1", state, session_state: "s" }, "&keep=1#frag"));
    expect(client.isRedirectCallback()).toBe(true);
    const { agent, returnTo } = await client.handleRedirectCallback();
    expect(agent.id).toBe("usr_hostile");
    expect(returnTo).toBe("/projects?tab=2#top");
    expect(location.href).toBe(`${APP}/callback?keep=1#frag`);
    expect(location.history.replaceState).toHaveBeenCalledTimes(1);
    expect(client.getSnapshot()).toMatchObject({ status: "authenticated", agent, error: null });
    expect(storedKeys()).toEqual(["authpi:cli_test:session"]);
  });

  it("sends the code once when called twice at once, and again later (StrictMode, case 10)", async () => {
    const client = newClient();
    const state = await startLogin(client);
    const url = callbackUrl({ code: "c1", state });
    location.visit(url);
    const [a, b] = await Promise.all([client.handleRedirectCallback(url), client.handleRedirectCallback(url)]);
    expect(a.agent).toBe(b.agent);
    await client.handleRedirectCallback(url);
    expect(idp.count("/token")).toBe(1);
  });

  it("a second client instance replaying the callback gets no_pending_login and sends nothing (case 10)", async () => {
    const first = newClient();
    const state = await startLogin(first);
    const url = callbackUrl({ code: "c1", state });
    await first.handleRedirectCallback(url);
    const error = await rejection(newClient().handleRedirectCallback(url));
    expect(error).toBeInstanceOf(NoPendingLoginError);
    expect(error.error).toBe("no_pending_login");
    expect(idp.count("/token")).toBe(1);
  });

  it("keeps two logins started before either finished apart (case 6)", async () => {
    const client = newClient();
    const first = await startLogin(client, "/first");
    const second = await startLogin(client, "/second");
    expect((await client.handleRedirectCallback(callbackUrl({ code: "c2", state: second }))).returnTo).toBe("/second");
    expect((await newClient().handleRedirectCallback(callbackUrl({ code: "c1", state: first }))).returnTo).toBe("/first");
  });
});

describe("handleRedirectCallback() rejects", () => {
  it.each([
    ["a missing state", (_state: string) => ({ code: "c" })],
    ["an unknown state", (_state: string) => ({ code: "c", state: "forged" })],
  ])("%s with state_mismatch: no token request, no session (case 7)", async (_case, params) => {
    const client = newClient();
    const state = await startLogin(client);
    const error = await rejection(client.handleRedirectCallback(callbackUrl(params(state))));
    expect(error).toBeInstanceOf(StateMismatchError);
    expect(error.error).toBe("state_mismatch");
    expect(idp.count("/token")).toBe(0);
    expect(storage.getItem("authpi:cli_test:session")).toBeNull();
    expect(client.getSnapshot()).toMatchObject({ status: "error", error });
  });

  it("a callback in a tab with no pending login with no_pending_login (case 14)", async () => {
    const client = newClient();
    const error = await rejection(client.handleRedirectCallback(callbackUrl({ code: "c", state: "s" })));
    expect(error).toBeInstanceOf(NoPendingLoginError);
    expect(idp.count("/token")).toBe(0);
  });

  it("a pending login older than 10 minutes", async () => {
    let now = Date.now();
    const client = newClient({ now: () => now });
    const state = await startLogin(client);
    now += 10 * 60 * 1000 + 1;
    expect((await rejection(client.handleRedirectCallback(callbackUrl({ code: "c", state })))).error).toBe("no_pending_login");
    expect(storedKeys()).toEqual([]);
  });

  it.each([
    ["another issuer", (_iss: string) => "https://evil.example/i_hostile"],
    ["the issuer with a trailing slash", (iss: string) => `${iss}/`],
    ["no iss although the IdP advertises it", () => null],
  ])("an iss of %s before any token request (mix-up, case 9)", async (_case, mutate) => {
    const client = newClient();
    const state = await startLogin(client);
    const iss = mutate(idp.issuer);
    const url = new URL(callbackUrl({ code: "c", state }));
    if (iss === null) url.searchParams.delete("iss");
    else url.searchParams.set("iss", iss);
    const error = await rejection(client.handleRedirectCallback(url.href));
    expect(error).toBeInstanceOf(IssuerMismatchError);
    expect(idp.count("/token")).toBe(0);
    expect(storedKeys()).toEqual([]);
  });

  it("does not attribute an error response with a wrong iss to the IdP (case 9)", async () => {
    const client = newClient();
    const state = await startLogin(client);
    const error = await rejection(client.handleRedirectCallback(callbackUrl({ error: "access_denied", state, iss: "https://evil.example" })));
    expect(error).toBeInstanceOf(IssuerMismatchError);
  });

  it.each([
    ["access_denied", OAuthError],
    ["login_required", OAuthError],
    ["user_blocked", UserBlockedError],
  ])("an error response %s as its typed error, consuming the login, with no token call (case 12)", async (code, cls) => {
    const client = newClient();
    const state = await startLogin(client);
    location.visit(callbackUrl({ error: code, error_description: "<img src=x onerror=alert(1)>", state }));
    const error = await rejection(client.handleRedirectCallback());
    expect(error).toBeInstanceOf(cls);
    expect(error).toMatchObject({ error: code, errorDescription: "<img src=x onerror=alert(1)>" });
    expect(idp.count("/token")).toBe(0);
    expect(storedKeys()).toEqual([]);
    expect(location.href).toBe(`${APP}/callback`);
    expect(client.getSnapshot()).toMatchObject({ status: "error", agent: null, error });
  });

  it("an error response leaves an existing session untouched (case 12)", async () => {
    const client = newClient();
    const agent = (await client.handleRedirectCallback(callbackUrl({ code: "c1", state: await startLogin(client) }))).agent;
    const state = await startLogin(client);
    await rejection(client.handleRedirectCallback(callbackUrl({ error: "access_denied", state })));
    expect(client.getSnapshot()).toMatchObject({ status: "authenticated", agent });
    expect(storage.getItem("authpi:cli_test:session")).not.toBeNull();
  });

  it("an error response with an unknown state is ignored as state_mismatch (case 12)", async () => {
    const client = newClient();
    await startLogin(client);
    expect((await rejection(client.handleRedirectCallback(callbackUrl({ error: "access_denied", state: "forged" })))).error).toBe("state_mismatch");
  });

  it("a code the IdP refuses (injected code, PKCE mismatch) stores nothing and is not retried (case 8)", async () => {
    idp.on("/token", { status: 400, body: { error: "invalid_grant", error_description: "PKCE verification failed" } });
    const client = newClient();
    const error = await rejection(client.handleRedirectCallback(callbackUrl({ code: "attacker", state: await startLogin(client) })));
    expect(error.error).toBe("invalid_grant");
    expect(idp.count("/token")).toBe(1);
    expect(idp.requests.find((r) => r.path === "/token")?.params.code_verifier).toMatch(/^[\w-]{43}$/);
    expect(storedKeys()).toEqual([]);
  });

  it("login() after an error clears it (SPEC §7.9)", async () => {
    const client = newClient();
    await rejection(client.handleRedirectCallback(callbackUrl({ code: "c", state: "x" })));
    expect(client.getSnapshot().status).toBe("error");
    await client.loginWithRedirect();
    expect(client.getSnapshot()).toMatchObject({ status: "unauthenticated", error: null });
  });
});

describe("returnTo is a same-origin path (case 15)", () => {
  it.each([
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "http://127.0.0.1:5173.evil.example/",
    " /x",
    "/\t/evil.example",
    "/%5C%5Cevil.example",
    "/%5Cevil.example",
    "/a%5Cb",
  ])("drops %j and lands on /", async (returnTo) => {
    const client = newClient();
    const { returnTo: landed } = await client.handleRedirectCallback(callbackUrl({ code: "c", state: await startLogin(client, returnTo) }));
    expect(landed).toBe("/");
  });

  it("keeps a same-origin path with query and hash", async () => {
    const client = newClient();
    const { returnTo } = await client.handleRedirectCallback(callbackUrl({ code: "c", state: await startLogin(client, "/a/b?x=1#y") }));
    expect(returnTo).toBe("/a/b?x=1#y");
  });
});

describe("client.fetch() (case 32)", () => {
  it("adds the bearer token for apiOrigins only, never to other origins", async () => {
    const sent: Array<{ url: string; authorization: string | null }> = [];
    const recordingFetch = async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      if (request.url.startsWith(idp.issuer)) return fetch(request);
      sent.push({ url: request.url, authorization: request.headers.get("authorization") });
      return new Response("{}");
    };
    const client = newClient({ apiOrigins: ["https://api.example"], fetch: recordingFetch });
    await expect(client.fetch("https://api.example/x")).rejects.toMatchObject({ error: "login_required" });
    const { agent } = await client.handleRedirectCallback(callbackUrl({ code: "c", state: await startLogin(client) }));
    await client.fetch("https://api.example/x");
    await client.fetch("https://api.example.evil/y");
    await client.fetch("http://api.example/z");
    expect(sent).toEqual([
      { url: "https://api.example/x", authorization: `Bearer ${agent.tokens.accessToken}` },
      { url: "https://api.example.evil/y", authorization: null },
      { url: "http://api.example/z", authorization: null },
    ]);
  });
});

describe("start() on a callback URL", () => {
  it("does not handle the callback a second time after handleRedirectCallback() took it", async () => {
    const client = newClient();
    const state = await startLogin(client);
    location.visit(callbackUrl({ code: "c1", state }));
    const fresh = newClient();
    const seen: string[] = [];
    fresh.subscribe(() => seen.push(fresh.getSnapshot().status));
    expect(fresh.getSnapshot().status).toBe("loading");
    const done = fresh.handleRedirectCallback();
    await fresh.start();
    await done;
    expect(seen).toEqual(["authenticated"]);
    expect(idp.count("/token")).toBe(1);
    fresh.dispose();
  });
});

describe("login after logout (case 33)", () => {
  it("in another tab asks the IdP for credentials again instead of reusing its session", async () => {
    const here = newClient();
    await here.handleRedirectCallback(callbackUrl({ code: "c1", state: await startLogin(here) }));
    // A duplicated tab: a copy of this tab's storage.
    const copy = memoryStorage();
    copy.setItem("authpi:cli_test:session", storage.getItem("authpi:cli_test:session") ?? "");
    const other = newClient({ storage: copy });
    expect(other.getSnapshot().status).toBe("authenticated");
    await Promise.all([here.start(), other.start()]);
    await here.logout({ revoke: false });
    await vi.waitFor(() => expect(other.getSnapshot().status).toBe("unauthenticated"));
    await other.loginWithRedirect();
    expect(new URL(location.assigned.at(-1) ?? "").searchParams.get("prompt")).toBe("login");
    here.dispose();
    other.dispose();
  });

  it("does not force a prompt on a first login", async () => {
    await newClient().loginWithRedirect();
    expect(new URL(location.assigned.at(-1) ?? "").searchParams.has("prompt")).toBe(false);
  });
});

describe("logout return (case 36)", () => {
  it("sends a fresh state to the end-session endpoint and removes it from the address bar on return", async () => {
    const client = newClient({ postLogoutRedirectUri: `${APP}/` });
    await client.handleRedirectCallback(callbackUrl({ code: "c1", state: await startLogin(client) }));
    await client.logout({ revoke: false });
    const state = new URL(location.assigned.at(-1) ?? "").searchParams.get("state") ?? "";
    expect(state).toMatch(/^[\w-]{43}$/);
    location.visit(`${APP}/?state=${state}&keep=1`);
    const back = newClient({ postLogoutRedirectUri: `${APP}/` });
    await back.start();
    expect(location.href).toBe(`${APP}/?keep=1`);
    expect(back.getSnapshot().status).toBe("unauthenticated");
    back.dispose();
  });

  it("leaves a return with another state alone and stays signed out", async () => {
    const client = newClient();
    await client.handleRedirectCallback(callbackUrl({ code: "c1", state: await startLogin(client) }));
    await client.logout({ revoke: false });
    location.visit(`${APP}/?state=forged`);
    const back = newClient();
    await back.start();
    expect(location.href).toBe(`${APP}/?state=forged`);
    expect(back.getSnapshot().status).toBe("unauthenticated");
    expect(storage.getItem("authpi:cli_test:logout")).toBeNull();
    back.dispose();
  });
});

describe("login during logout", () => {
  it("is dropped while the tab is on its way to the end-session endpoint: no stray pending login", async () => {
    const client = newClient({ postLogoutRedirectUri: `${APP}/` });
    await client.handleRedirectCallback(callbackUrl({ code: "c1", state: await startLogin(client) }));
    idp.on("/revoke", { delayMs: 100, status: 200, raw: "" });
    const leaving = client.logout();
    await client.loginWithRedirect(); // what a route guard does when it sees the session end
    await leaving;
    expect(location.assigned.at(-1)).toContain("/logout?");
    expect(storage.getItem("authpi:cli_test:logins")).toBeNull();
  });
});

describe("logout({ returnTo })", () => {
  it.each(["/", "relative/path", "javascript:alert(1)", "http://evil.example/"])("refuses %j with a TypeError before signing anyone out", async (returnTo) => {
    const client = newClient();
    await client.handleRedirectCallback(callbackUrl({ code: "c1", state: await startLogin(client) }));
    await expect(client.logout({ returnTo })).rejects.toBeInstanceOf(TypeError);
    expect(client.getSnapshot().status).toBe("authenticated");
  });
});
