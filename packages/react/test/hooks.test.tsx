import type { AuthPIClient } from "@authpi/core";
import { act, screen } from "@testing-library/react";
import { useEffect, type ReactNode } from "react";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIProvider, RequireAccess, useAccess, useAgent, useAuthPI } from "../src/index.js";
import { createClient, createIdp, memoryStorage, seedSession, type Idp } from "./support/idp.js";
import { renderStrict } from "./support/render.js";

let idp: Idp;
let client: AuthPIClient;

beforeAll(async () => {
  idp = await createIdp();
});
beforeEach(() => {
  idp.organizations = [{ id: "org_a", title: "A", scopes: ["projects:read"], joined_at: 1_700_000_000 }];
  const storage = memoryStorage();
  seedSession(storage, idp);
  client = createClient(storage, idp);
});

/** Counts renders; StrictMode doubles them, so tests compare counts before and after an event. */
function counter() {
  const counts = { value: 0 };
  return { counts, tick: () => void (counts.value += 1) };
}

function renderWithClient(ui: ReactNode) {
  return renderStrict(<AuthPIProvider client={client}>{ui}</AuthPIProvider>);
}

describe("useAccess()", () => {
  it("answers for any organization, or for one", () => {
    function Answers() {
      const anywhere = useAccess("read", "projects");
      const inA = useAccess("org_a", "read", "projects");
      const inB = useAccess("org_b", "read", "projects");
      const write = useAccess("write", "projects");
      return <p>{[anywhere, inA, inB, write].join(" ")}</p>;
    }
    renderWithClient(<Answers />);
    expect(screen.getByText("true true false false")).toBeTruthy();
  });

  it("does not re-render when a refresh brings a new agent with the same scopes, and does when the answer changes", async () => {
    const { counts, tick } = counter();
    function CanRead() {
      tick();
      return <p data-testid="can-read">{String(useAccess("org_a", "read", "projects"))}</p>;
    }
    renderWithClient(<CanRead />);
    const before = counts.value;
    const agent = client.getSnapshot().agent;

    await act(() => client.refresh());
    expect(client.getSnapshot().agent).not.toBe(agent);
    expect(counts.value).toBe(before);

    idp.organizations = [{ id: "org_a", title: "A", scopes: ["projects:list"], joined_at: 1_700_000_000 }];
    await act(() => client.refresh());
    expect(screen.getByTestId("can-read").textContent).toBe("false");
    expect(counts.value).toBeGreaterThan(before);
  });
});

describe("useAgent() and useAuthPI()", () => {
  it("re-render only when what they select changed (zustand's test, for the session)", async () => {
    const agentRenders = counter();
    const accessRenders = counter();
    const sessionRenders = counter();
    function Agent() {
      agentRenders.tick();
      return <p data-testid="token">{useAgent()?.tokens.accessToken}</p>;
    }
    function Access() {
      accessRenders.tick();
      return <p>{String(useAccess("read", "projects"))}</p>;
    }
    function Session() {
      sessionRenders.tick();
      return <p data-testid="error">{useAuthPI().error?.error ?? "none"}</p>;
    }
    renderWithClient(
      <>
        <Agent />
        <Access />
        <Session />
      </>,
    );
    const counts = () => [agentRenders.counts.value, accessRenders.counts.value, sessionRenders.counts.value];
    const initial = counts();

    // A stray callback while signed in: the snapshot gains an error, the agent stays.
    await act(() => client.handleRedirectCallback(`${location.origin}/callback?code=x&state=unknown`).catch(() => undefined));
    expect(screen.getByTestId("error").textContent).toBe("no_pending_login");
    const [agentAfterError, accessAfterError, sessionAfterError] = counts();
    expect([agentAfterError, accessAfterError]).toEqual(initial.slice(0, 2));
    expect(sessionAfterError).toBeGreaterThan(initial[2] ?? 0);

    // A refresh: a new agent (new tokens), the same access.
    await act(() => client.refresh());
    expect(screen.getByTestId("token").textContent).toBe(client.getSnapshot().agent?.tokens.accessToken);
    const [agentAfterRefresh, accessAfterRefresh] = counts();
    expect(agentAfterRefresh).toBeGreaterThan(agentAfterError ?? 0);
    expect(accessAfterRefresh).toBe(accessAfterError);
  });

  it("useAuthPI() returns the session and actions that keep their identity across renders", async () => {
    const seen: Array<ReturnType<typeof useAuthPI>> = [];
    function Session() {
      const state = useAuthPI();
      // Committed renders only: StrictMode throws away one of each pair of renders.
      useEffect(() => void seen.push(state));
      return null;
    }
    renderWithClient(<Session />);
    await act(() => client.refresh());
    const first = seen[0];
    const last = seen.at(-1);
    expect(first).toMatchObject({ status: "authenticated", isAuthenticated: true, isLoading: false, error: null, client });
    expect(last?.agent).not.toBe(first?.agent);
    expect(last?.login).toBe(first?.login);
    expect(last?.logout).toBe(first?.logout);
    expect(last?.getAccessToken).toBe(first?.getAccessToken);
  });

  it("useAuthPI() actions call the client", async () => {
    const loginWithRedirect = vi.spyOn(client, "loginWithRedirect").mockResolvedValue();
    let actions: ReturnType<typeof useAuthPI> | undefined;
    function Session() {
      actions = useAuthPI();
      return null;
    }
    renderWithClient(<Session />);
    await actions?.login({ returnTo: "/after", prompt: "login" });
    expect(loginWithRedirect).toHaveBeenCalledWith({ returnTo: "/after", prompt: "login" });
    expect(await actions?.getAccessToken()).toBe(client.getSnapshot().agent?.tokens.accessToken);
  });
});

describe("outside the provider", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ["useAuthPI()", () => useAuthPI()],
    ["useAgent()", () => useAgent()],
    ["useAccess()", () => useAccess("read", "projects")],
  ])("%s throws an error naming the provider", (name, hook) => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    function Orphan() {
      hook();
      return null;
    }
    expect(() => renderStrict(<Orphan />)).toThrow(`${name} must be used inside <AuthPIProvider>`);
  });

  it("<RequireAccess> throws the same way", () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(() => renderStrict(<RequireAccess>secret</RequireAccess>)).toThrow("<RequireAccess> must be used inside <AuthPIProvider>");
  });
});
