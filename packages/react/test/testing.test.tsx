import { AuthenticatedAgent, OAuthError, PrincipalType } from "@authpi/core";
import { fireEvent, screen } from "@testing-library/react";
import { useEffect } from "react";
import { describe, expect, it, vi } from "vitest";
import { RequireAccess, useAccess, useAgent, useAuthPI } from "../src/index.js";
import { createTestAgent, MockAuthPIProvider } from "../src/testing.js";
import { renderStrict } from "./support/render.js";

describe("createTestAgent()", () => {
  it("builds a real AuthenticatedAgent that never expires", () => {
    const agent = createTestAgent({
      id: "usr_bob",
      email: "bob@example.test",
      organizations: [{ id: "org_a", scopes: ["admin", "projects:**"], title: "Acme" }, { id: "org_b", scopes: [] }],
    });
    expect(agent).toBeInstanceOf(AuthenticatedAgent);
    expect(agent).toMatchObject({ id: "usr_bob", type: PrincipalType.USER, email: "bob@example.test" });
    expect(agent.organizations).toEqual([
      { id: "org_a", title: "Acme", scopes: ["admin", "projects:**"], joinedAt: 0 },
      { id: "org_b", title: null, scopes: [], joinedAt: 0 },
    ]);
    expect(agent.hasAccessIn("org_a", "delete", "projects.tasks")).toBe(true);
    expect(agent.isAdminOf("org_a")).toBe(true);
    expect(agent.isOwnerOf("org_a")).toBe(false);
    expect(agent.isMemberOf("org_b")).toBe(true);
    expect(agent.isExpired()).toBe(false);
    expect(agent.tokens.expiresAt).toBe(agent.expiresAt);
  });

  it("gives machine agents token-level scopes", () => {
    const agent = createTestAgent({ id: "key_ci", scope: "deployments:write" });
    expect(agent.type).toBe(PrincipalType.API_KEY);
    expect(agent.hasAccess("write", "deployments")).toBe(true);
  });
});

function Profile() {
  const { status, agent, error } = useAuthPI();
  const canEdit = useAccess("org_a", "write", "projects");
  return (
    <p>
      {status} {agent?.email ?? "nobody"} {String(canEdit)} {error?.error ?? "ok"}
    </p>
  );
}

describe("<MockAuthPIProvider>", () => {
  it("serves an agent to the real hooks and guards", () => {
    const agent = createTestAgent({ organizations: [{ id: "org_a", scopes: ["owner", "projects:write"] }] });
    renderStrict(
      <MockAuthPIProvider agent={agent}>
        <Profile />
        <RequireAccess org="org_a" role="owner">
          owner area
        </RequireAccess>
      </MockAuthPIProvider>,
    );
    expect(screen.getByText("authenticated test@example.com true ok")).toBeTruthy();
    expect(screen.getByText("owner area")).toBeTruthy();
  });

  it("is signed out without an agent: <RequireAccess> calls the login spy once, with the current location", () => {
    history.replaceState(null, "", "/billing?month=3");
    const login = vi.fn();
    renderStrict(
      <MockAuthPIProvider login={login}>
        <Profile />
        <RequireAccess loading="redirecting">secret</RequireAccess>
      </MockAuthPIProvider>,
    );
    expect(screen.getByText("unauthenticated nobody false ok")).toBeTruthy();
    expect(screen.getByText("redirecting")).toBeTruthy();
    expect(login).toHaveBeenCalledTimes(1);
    expect(login).toHaveBeenCalledWith({ returnTo: "/billing?month=3" });
    history.replaceState(null, "", "/");
  });

  it("takes an explicit status and error", () => {
    const { rerender } = renderStrict(
      <MockAuthPIProvider status="loading">
        <Profile />
        <RequireAccess loading="wait">secret</RequireAccess>
      </MockAuthPIProvider>,
    );
    expect(screen.getByText("loading nobody false ok")).toBeTruthy();
    expect(screen.getByText("wait")).toBeTruthy();

    rerender(
      <MockAuthPIProvider error={new OAuthError("user_blocked", "Your account is blocked")}>
        <Profile />
        <RequireAccess>secret</RequireAccess>
      </MockAuthPIProvider>,
    );
    expect(screen.getByText("error nobody false user_blocked")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toBe("This account is blocked. Ask an administrator, or sign in as someone else. The sign-in service said: “Your account is blocked”");
  });

  it("re-renders consumers when the props change, keeping the actions' identity", () => {
    const logins = new Set<unknown>();
    function Consumer() {
      const { login } = useAuthPI();
      useEffect(() => void logins.add(login)); // committed renders only, not StrictMode's discarded ones
      return <p>{useAgent()?.id ?? "nobody"}</p>;
    }
    const { rerender } = renderStrict(
      <MockAuthPIProvider agent={createTestAgent({ id: "usr_a" })}>
        <Consumer />
      </MockAuthPIProvider>,
    );
    expect(screen.getByText("usr_a")).toBeTruthy();
    rerender(
      <MockAuthPIProvider agent={createTestAgent({ id: "usr_b" })}>
        <Consumer />
      </MockAuthPIProvider>,
    );
    expect(screen.getByText("usr_b")).toBeTruthy();
    rerender(
      <MockAuthPIProvider agent={null}>
        <Consumer />
      </MockAuthPIProvider>,
    );
    expect(screen.getByText("nobody")).toBeTruthy();
    expect(logins.size).toBe(1);
  });

  it("records logout and answers getAccessToken with the agent's dummy token", async () => {
    const logout = vi.fn();
    let token: Promise<string> | undefined;
    function Buttons() {
      const auth = useAuthPI();
      return (
        <>
          <button onClick={() => void auth.logout({ returnTo: "https://app.example.test/bye" })}>sign out</button>
          <button onClick={() => (token = auth.getAccessToken())}>token</button>
        </>
      );
    }
    renderStrict(
      <MockAuthPIProvider agent={createTestAgent()} logout={logout}>
        <Buttons />
      </MockAuthPIProvider>,
    );
    fireEvent.click(screen.getByText("sign out"));
    fireEvent.click(screen.getByText("token"));
    expect(logout).toHaveBeenCalledWith({ returnTo: "https://app.example.test/bye" });
    expect(await token).toBe("test-access-token");
  });
});
