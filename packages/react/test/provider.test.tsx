import { screen, waitFor } from "@testing-library/react";
import { useEffect, useState } from "react";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIProvider, useAuthPI } from "../src/index.js";
import { CLIENT_ID, createClient, createIdp, ISSUER, memoryStorage, seedPendingLogin, seedSession, type Idp } from "./support/idp.js";
import { renderStrict } from "./support/render.js";

let idp: Idp;
let storage: ReturnType<typeof memoryStorage>;

beforeAll(async () => {
  idp = await createIdp();
});
beforeEach(() => {
  storage = memoryStorage();
  idp.tokenRequests.length = 0;
});
afterEach(() => history.replaceState(null, "", "/"));

function Status() {
  return <p data-testid="status">{useAuthPI().status}</p>;
}

/** Arrives on the redirect URI the way the IdP sends the browser back. */
function arriveOnCallback(returnTo = "/projects?tab=2#top") {
  seedPendingLogin(storage, "state-1", returnTo);
  history.replaceState(null, "", "/callback?code=code-1&state=state-1");
}

describe("<AuthPIProvider> on the redirect callback", () => {
  it("exchanges the code once under StrictMode and calls onRedirectCallback once with the stored returnTo", async () => {
    arriveOnCallback();
    const onRedirectCallback = vi.fn();
    const client = createClient(storage, idp);
    const statuses = new Set<string>();
    client.subscribe(() => statuses.add(client.getSnapshot().status));
    renderStrict(
      <AuthPIProvider client={client} onRedirectCallback={onRedirectCallback}>
        <Status />
      </AuthPIProvider>,
    );
    // The first exchange of the file also loads the protocol chunk and jose: allow a busy machine.
    await waitFor(() => expect(onRedirectCallback).toHaveBeenCalled(), { timeout: 5_000 });
    expect(screen.getByTestId("status").textContent).toBe("authenticated");
    // Not even a passing error: the second mount must not retry the (by then cleaned) callback URL.
    expect([...statuses]).toEqual(["authenticated"]);
    expect(onRedirectCallback).toHaveBeenCalledTimes(1);
    expect(onRedirectCallback).toHaveBeenCalledWith("/projects?tab=2#top");
    expect(idp.tokenRequests.map((params) => params.get("code"))).toEqual(["code-1"]);
    // core removed the code and state; the app's router would now navigate.
    expect(`${location.pathname}${location.search}`).toBe("/callback");
  });

  it("by default replaces the URL with returnTo", async () => {
    arriveOnCallback("/reports?year=2024#q3");
    renderStrict(
      <AuthPIProvider client={createClient(storage, idp)}>
        <Status />
      </AuthPIProvider>,
    );
    await waitFor(() => expect(`${location.pathname}${location.search}${location.hash}`).toBe("/reports?year=2024#q3"), { timeout: 5_000 });
    expect(idp.tokenRequests).toHaveLength(1);
  });

  it("by default tells history listeners: a router-less app re-reads location and leaves its callback view", async () => {
    arriveOnCallback("/projects");
    // Routing by hand, as a README reader would: the path in state, re-read on popstate.
    function App() {
      const [path, setPath] = useState(location.pathname);
      useEffect(() => {
        const onPopState = () => setPath(location.pathname);
        addEventListener("popstate", onPopState);
        return () => removeEventListener("popstate", onPopState);
      }, []);
      return <p data-testid="view">{path === "/callback" ? "Signing you in…" : `page ${path}`}</p>;
    }
    renderStrict(
      <AuthPIProvider client={createClient(storage, idp)}>
        <App />
      </AuthPIProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("view").textContent).toBe("page /projects"), { timeout: 5_000 });
    expect(location.pathname).toBe("/projects");
  });

  it("with config props builds its own client and still exchanges the code once", async () => {
    arriveOnCallback();
    const onRedirectCallback = vi.fn();
    renderStrict(
      <AuthPIProvider
        issuerUrl={ISSUER}
        clientId={CLIENT_ID}
        redirectUri={`${location.origin}/callback`}
        storage={storage}
        fetch={idp.fetch}
        onRedirectCallback={onRedirectCallback}
      >
        <Status />
      </AuthPIProvider>,
    );
    expect(screen.getByTestId("status").textContent).toBe("loading");
    await waitFor(() => expect(onRedirectCallback).toHaveBeenCalledTimes(1));
    expect(screen.getByTestId("status").textContent).toBe("authenticated");
    expect(idp.tokenRequests).toHaveLength(1);
  });

  it("a provider remounted while the code is being exchanged navigates once, when it completes", async () => {
    arriveOnCallback();
    const client = createClient(storage, idp);
    const first = vi.fn();
    const second = vi.fn();
    renderStrict(<AuthPIProvider client={client} onRedirectCallback={first} />).unmount();
    renderStrict(
      <AuthPIProvider client={client} onRedirectCallback={second}>
        <Status />
      </AuthPIProvider>,
    );
    await waitFor(() => expect(second).toHaveBeenCalledWith("/projects?tab=2#top"));
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
    expect(idp.tokenRequests).toHaveLength(1);
  });

  it("an IdP error on the callback becomes status error and no navigation", async () => {
    seedPendingLogin(storage, "state-1", "/projects");
    history.replaceState(null, "", "/callback?error=access_denied&error_description=Denied&state=state-1");
    const onRedirectCallback = vi.fn();
    renderStrict(
      <AuthPIProvider client={createClient(storage, idp)} onRedirectCallback={onRedirectCallback}>
        <Status />
      </AuthPIProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("status").textContent).toBe("error"));
    expect(onRedirectCallback).not.toHaveBeenCalled();
    expect(idp.tokenRequests).toHaveLength(0);
  });
});

describe("<AuthPIProvider> lifecycle", () => {
  it("renders authenticated from the very first render when a valid session is stored (no flash)", () => {
    seedSession(storage, idp);
    const seen: string[] = [];
    function Recorder() {
      seen.push(useAuthPI().status);
      return null;
    }
    renderStrict(
      <AuthPIProvider client={createClient(storage, idp)}>
        <Recorder />
      </AuthPIProvider>,
    );
    expect(seen[0]).toBe("authenticated");
    expect(new Set(seen)).toEqual(new Set(["authenticated"]));
  });

  it("starts the client on mount and disposes it on unmount; StrictMode's remount starts it again", () => {
    const client = createClient(storage, idp);
    const start = vi.spyOn(client, "start");
    const dispose = vi.spyOn(client, "dispose");
    const { unmount } = renderStrict(<AuthPIProvider client={client} />);
    expect([start.mock.calls.length, dispose.mock.calls.length]).toEqual([2, 1]);
    expect(start.mock.invocationCallOrder.at(-1)).toBeGreaterThan(dispose.mock.invocationCallOrder[0] ?? Infinity);
    unmount();
    expect(dispose).toHaveBeenCalledTimes(2);
  });
});

describe("one client shared by two providers", () => {
  it("stays started until the last provider unmounts", () => {
    seedSession(storage, idp);
    const client = createClient(storage, idp);
    const dispose = vi.spyOn(client, "dispose");
    const both = (first: boolean) => (
      <>
        {first ? <AuthPIProvider client={client} /> : null}
        <AuthPIProvider client={client}>
          <Status />
        </AuthPIProvider>
      </>
    );
    const { rerender, unmount } = renderStrict(both(true));
    dispose.mockClear();
    rerender(both(false));
    expect(dispose).not.toHaveBeenCalled();
    expect(screen.getByTestId("status").textContent).toBe("authenticated");
    unmount();
    expect(dispose).toHaveBeenCalledTimes(1);
  });
});
