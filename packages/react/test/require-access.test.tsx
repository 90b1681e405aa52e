import { AuthPIClient, DiscoveryError, NetworkError, OAuthError, RefreshError, StateMismatchError, TokenParseError } from "@authpi/core";
import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIProvider, RequireAccess, useAuthPI, type AccessRule, type RequireAccessProps } from "../src/index.js";
import { CLIENT_ID, createClient, createIdp, ISSUER, memoryStorage, seedPendingLogin, seedSession, type Idp } from "./support/idp.js";
import { MockAuthPIProvider } from "../src/testing.js";
import { renderStrict } from "./support/render.js";

let idp: Idp;
let storage: ReturnType<typeof memoryStorage>;

beforeAll(async () => {
  idp = await createIdp();
});
beforeEach(() => {
  storage = memoryStorage();
  idp.organizations = [
    { id: "org_a", title: "A", scopes: ["owner", "projects:**"], joined_at: 1_700_000_000 },
    { id: "org_b", title: "B", scopes: ["admin", "billing:read"], joined_at: 1_700_000_000 },
    { id: "org_c", title: "C", scopes: [], joined_at: 1_700_000_000 },
  ];
});
afterEach(() => {
  vi.restoreAllMocks();
  history.replaceState(null, "", "/");
  // A logout leaves its tombstone in localStorage: the next test's session must not predate it.
  localStorage.clear();
});

/** Renders a guard with the client; the navigation to the IdP is a spy (nothing leaves the page). */
function renderGuard(client: AuthPIClient, props: RequireAccessProps = {}) {
  const login = vi.spyOn(location, "assign").mockImplementation(() => undefined);
  const view = renderStrict(
    <AuthPIProvider client={client}>
      <RequireAccess loading="loading…" fallback="not allowed" {...props}>
        secret
      </RequireAccess>
    </AuthPIProvider>,
  );
  return { login, view };
}

/** Lets the client's async login work finish. */
async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Where each stored pending login returns to. */
function pendingReturnTos(): string[] {
  return Object.values(JSON.parse(storage.getItem(`authpi:${CLIENT_ID}:logins`) ?? "{}")).map((login) => (login as { returnTo: string }).returnTo);
}

function signedIn(): AuthPIClient {
  seedSession(storage, idp);
  return createClient(storage, idp);
}

describe("<RequireAccess> signed in", () => {
  it.each<[string, AccessRule, boolean]>([
    ["any signed-in agent when given no rule", {}, true],
    ["an action granted in some organization", { action: "write", resource: "projects.tasks" }, true],
    ["an action granted nowhere", { action: "write", resource: "billing" }, false],
    ["an action in the named organization", { org: "org_b", action: "read", resource: "billing" }, true],
    ["an action granted only in another organization", { org: "org_a", action: "read", resource: "billing" }, false],
    ["membership when only org is given, even with no scopes", { org: "org_c" }, true],
    ["no membership", { org: "org_z" }, false],
    ["role owner", { org: "org_a", role: "owner" }, true],
    ["role owner, which admin does not give", { org: "org_b", role: "owner" }, false],
    ["role admin, which owner does not imply", { org: "org_a", role: "admin" }, false],
    ["role admin", { org: "org_b", role: "admin" }, true],
    ["role member", { org: "org_c", role: "member" }, true],
    ["role and action together", { org: "org_b", role: "admin", action: "write", resource: "billing" }, false],
  ])("%s", (_, rule, allowed) => {
    const { login } = renderGuard(signedIn(), rule);
    expect(screen.getByText(allowed ? "secret" : "not allowed")).toBeTruthy();
    expect(login).not.toHaveBeenCalled();
  });

  it("switches from children to fallback when a refresh narrows the scopes", async () => {
    const client = signedIn();
    renderGuard(client, { org: "org_a", action: "delete", resource: "projects" });
    expect(screen.getByText("secret")).toBeTruthy();
    idp.organizations = [{ id: "org_a", title: "A", scopes: ["projects:read"], joined_at: 1_700_000_000 }];
    await act(() => client.refresh());
    expect(screen.getByText("not allowed")).toBeTruthy();
  });

  it("refuses a rule it cannot check", () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    // What JavaScript callers get; TypeScript refuses these rules (access-rule.test-d.tsx).
    expect(() => renderGuard(signedIn(), { role: "admin" } as unknown as RequireAccessProps)).toThrow("<RequireAccess>: role needs org");
    expect(() => renderGuard(signedIn(), { action: "read" } as unknown as RequireAccessProps)).toThrow("<RequireAccess>: action and resource go together");
  });
});

describe("<RequireAccess> signed out", () => {
  it("starts one login (StrictMode runs the effect twice) returning to the current path, query and hash", async () => {
    history.replaceState(null, "", "/reports/42?tab=costs#march");
    const { login } = renderGuard(createClient(storage, idp));
    expect(screen.getByText("loading…")).toBeTruthy();
    await waitFor(() => expect(login).toHaveBeenCalledTimes(1));
    await settle();
    expect(login).toHaveBeenCalledTimes(1);
    expect(pendingReturnTos()).toEqual(["/reports/42?tab=costs#march"]);
  });

  it("nested guards share that one login", async () => {
    const client = createClient(storage, idp);
    const login = vi.spyOn(location, "assign").mockImplementation(() => undefined);
    renderStrict(
      <AuthPIProvider client={client}>
        <RequireAccess>
          <RequireAccess org="org_a">secret</RequireAccess>
        </RequireAccess>
        <RequireAccess action="read" resource="projects">
          other
        </RequireAccess>
      </AuthPIProvider>,
    );
    await waitFor(() => expect(login).toHaveBeenCalledTimes(1));
    await settle();
    expect(login).toHaveBeenCalledTimes(1);
    expect(pendingReturnTos()).toHaveLength(1);
  });

  it("renders `unauthenticated` instead, when given, and does not log in", () => {
    const { login } = renderGuard(createClient(storage, idp), { unauthenticated: "please sign in" });
    expect(screen.getByText("please sign in")).toBeTruthy();
    expect(login).not.toHaveBeenCalled();
  });

  it("shows why when the login cannot start (IdP unreachable) instead of spinning", async () => {
    const discovery = vi.fn(() => Promise.resolve(new Response("down", { status: 503 })));
    const client = new AuthPIClient({ issuerUrl: ISSUER, clientId: CLIENT_ID, redirectUri: `${location.origin}/callback`, storage, fetch: discovery });
    const assign = vi.spyOn(location, "assign").mockImplementation(() => undefined);
    renderStrict(
      <AuthPIProvider client={client}>
        <RequireAccess>secret</RequireAccess>
      </AuthPIProvider>,
    );
    expect((await screen.findByRole("alert")).textContent).toBe("Can't reach the sign-in service. Check your connection, then try again.");
    expect(client.getSnapshot().error).toBeInstanceOf(DiscoveryError);
    // One attempt (StrictMode's two effects joined it), and no second login after the failure.
    await settle();
    expect(discovery).toHaveBeenCalledTimes(1);
    expect(assign).not.toHaveBeenCalled();
  });
});

describe("<RequireAccess> while loading", () => {
  it("renders `loading` until the redirect callback is done, then the children", async () => {
    seedPendingLogin(storage, "state-1", "/");
    history.replaceState(null, "", "/callback?code=code-1&state=state-1");
    const { login } = renderGuard(createClient(storage, idp));
    expect(screen.getByText("loading…")).toBeTruthy();
    expect(await screen.findByText("secret")).toBeTruthy();
    expect(login).not.toHaveBeenCalled();
  });
});

describe("<RequireAccess> after a failed login", () => {
  function arriveWithError(description: string) {
    seedPendingLogin(storage, "state-1", "/");
    history.replaceState(null, "", `/callback?${new URLSearchParams({ error: "access_denied", error_description: description, state: "state-1" })}`);
  }

  it("shows the IdP's error as text in an alert and does not start another login (no loop)", async () => {
    arriveWithError('<img src=x onerror="alert(1)"> Your organization requires approval');
    const { login, view } = renderGuard(createClient(storage, idp));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe(
      'Sign-in was cancelled or refused. You can start again whenever you are ready. The sign-in service said: “<img src=x onerror="alert(1)"> Your organization requires approval”',
    );
    expect(view.container.querySelector("img")).toBeNull();
    expect(login).not.toHaveBeenCalled();
  });

  it.each([
    ["a request that got no answer", new NetworkError("request to http://127.0.0.1:4000/i_dev/token failed")],
    ["an IdP answering 503", new OAuthError("server_error", "upstream connect error", { statusCode: 503 })],
    ["a refused refresh", new RefreshError("invalid_grant", "grant request is invalid", { statusCode: 400 })],
    ["a reused callback", new StateMismatchError()],
    ["a forged ID token", new TokenParseError("invalid_id_token", "JWS signature verification failed", { reason: "signature" })],
    ["anything else", new OAuthError("temporarily_unavailable", "tx 81f2 failed at node 3")],
  ])("says what happened in a sentence for %s, never the SDK's description", (_, error) => {
    renderStrict(
      <MockAuthPIProvider error={error}>
        <RequireAccess>secret</RequireAccess>
      </MockAuthPIProvider>,
    );
    const text = screen.getByRole("alert").textContent ?? "";
    expect(text).not.toContain(error.errorDescription ?? "");
    expect(text).not.toContain(error.error);
    expect(text).toMatch(/^[A-Z][^.]*\. [A-Z].*\.$/);
  });

  it("renders a custom error view", async () => {
    arriveWithError("blocked");
    renderGuard(createClient(storage, idp), { error: (error) => <p>custom: {error.message}</p> });
    expect(await screen.findByText("custom: access_denied: blocked")).toBeTruthy();
  });

  it("lets the user retry: their login() clears the error and the guard does not add a second one", async () => {
    arriveWithError("denied");
    const client = createClient(storage, idp);
    const assign = vi.spyOn(location, "assign").mockImplementation(() => undefined);
    function Retry() {
      const { login } = useAuthPI();
      return <button onClick={() => void login()}>retry</button>;
    }
    renderStrict(
      <AuthPIProvider client={client}>
        <RequireAccess loading="leaving…" error={() => <Retry />}>
          secret
        </RequireAccess>
      </AuthPIProvider>,
    );
    fireEvent.click(await screen.findByText("retry"));
    await waitFor(() => expect(assign).toHaveBeenCalled());
    expect(screen.getByText("leaving…")).toBeTruthy();
    expect(assign).toHaveBeenCalledTimes(1);
    expect(new URL(String(assign.mock.calls[0]?.[0])).pathname).toBe("/i_react/auth");
  });
});

describe("<RequireAccess> when the session ends under it", () => {
  it("after a logout that stays on the page (no end-session endpoint), says so instead of sticking on loading or leaving", async () => {
    const client = signedIn();
    const assign = vi.spyOn(location, "assign").mockImplementation(() => undefined);
    function SignOut() {
      const { logout } = useAuthPI();
      return <button onClick={() => void logout()}>sign out</button>;
    }
    renderStrict(
      <AuthPIProvider client={client}>
        <SignOut />
        <RequireAccess loading="leaving…">secret</RequireAccess>
      </AuthPIProvider>,
    );
    expect(screen.getByText("secret")).toBeTruthy();
    fireEvent.click(screen.getByText("sign out"));
    expect((await screen.findByRole("status")).textContent).toContain("You are signed out.");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(assign).not.toHaveBeenCalled();
    // Signing in again asks the IdP for credentials: the IdP's session may outlive ours.
    fireEvent.click(screen.getByRole("button", { name: "Sign in again" }));
    await waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    const url = new URL(String(assign.mock.calls[0]?.[0]));
    expect(url.pathname).toBe("/i_react/auth");
    expect(url.searchParams.get("prompt")).toBe("login");
  });

  it("renders `signedOut` when given, and `unauthenticated` wins over both", async () => {
    const client = signedIn();
    const { rerender } = renderStrict(
      <AuthPIProvider client={client}>
        <RequireAccess signedOut={<p>session over</p>}>secret</RequireAccess>
      </AuthPIProvider>,
    );
    expect(screen.getByText("secret")).toBeTruthy();
    await act(() => client.logout({ revoke: false }));
    expect(screen.getByText("session over")).toBeTruthy();
    rerender(
      <AuthPIProvider client={client}>
        <RequireAccess signedOut={<p>session over</p>} unauthenticated={<p>please sign in</p>}>
          secret
        </RequireAccess>
      </AuthPIProvider>,
    );
    expect(screen.getByText("please sign in")).toBeTruthy();
  });
});
