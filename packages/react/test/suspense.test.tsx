import type { AuthPIClient } from "@authpi/core";
import { screen } from "@testing-library/react";
import { Suspense } from "react";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AuthPIProvider, useAuthPIClient, useSuspenseAuthPI } from "../src/index.js";
import { createTestAgent, MockAuthPIProvider } from "../src/testing.js";
import { createClient, createIdp, memoryStorage, seedPendingLogin, type Idp } from "./support/idp.js";
import { renderStrict } from "./support/render.js";

let idp: Idp;
let storage: ReturnType<typeof memoryStorage>;

beforeAll(async () => {
  idp = await createIdp();
});
beforeEach(() => {
  storage = memoryStorage();
  history.replaceState(null, "", "/");
});

function Who() {
  const { status, agent } = useSuspenseAuthPI();
  return <p data-testid="who">{`${status} ${agent?.id ?? "nobody"}`}</p>;
}

describe("useSuspenseAuthPI()", () => {
  it("suspends while a callback is completed, then renders the settled session (never loading)", async () => {
    seedPendingLogin(storage, "state-s", "/");
    history.replaceState(null, "", "/callback?code=c&state=state-s");
    const client: AuthPIClient = createClient(storage, idp);
    renderStrict(
      <AuthPIProvider client={client} onRedirectCallback={() => undefined}>
        <Suspense fallback={<p>settling…</p>}>
          <Who />
        </Suspense>
      </AuthPIProvider>,
    );
    expect(screen.getByText("settling…")).toBeTruthy();
    expect((await screen.findByTestId("who")).textContent).toBe("authenticated usr_alice");
  });

  it("renders at once when the session is known", () => {
    renderStrict(
      <MockAuthPIProvider>
        <Suspense fallback={<p>settling…</p>}>
          <Who />
        </Suspense>
      </MockAuthPIProvider>,
    );
    expect(screen.getByTestId("who").textContent).toBe("unauthenticated nobody");
  });
});

describe("useAuthPIClient()", () => {
  it("returns the provider's real client", () => {
    const client = createClient(storage, idp);
    let seen: AuthPIClient | null = null;
    function Probe() {
      seen = useAuthPIClient();
      return null;
    }
    renderStrict(
      <AuthPIProvider client={client}>
        <Probe />
      </AuthPIProvider>,
    );
    expect(seen).toBe(client);
  });

  it("throws under the mock provider, which has no client", () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    function Probe() {
      useAuthPIClient();
      return null;
    }
    expect(() =>
      renderStrict(
        <MockAuthPIProvider agent={createTestAgent()}>
          <Probe />
        </MockAuthPIProvider>,
      ),
    ).toThrow("useAuthPIClient() needs <AuthPIProvider> with a real client");
    vi.restoreAllMocks();
  });
});
