// The React API's one rule for failures: what lands in the snapshot (status `error`) is rendered
// from there and does not also reject, so the README's `onClick={() => login()}` is safe.
import { AuthPIClient, DiscoveryError } from "@authpi/core";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthPIProvider, useAuthPI } from "../src/index.js";
import { MockAuthPIProvider } from "../src/testing.js";
import { CLIENT_ID, ISSUER, memoryStorage } from "./support/idp.js";
import { renderStrict } from "./support/render.js";

afterEach(() => vi.restoreAllMocks());

function SignIn() {
  const { status, login } = useAuthPI();
  return (
    <button type="button" data-status={status} onClick={() => login()}>
      Sign in
    </button>
  );
}

/** Every unhandled rejection while `run` and the microtasks after it run. */
async function unhandledRejections(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const record = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", record);
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off("unhandledRejection", record);
  }
  return seen;
}

describe("useAuthPI().login()", () => {
  it("with the IdP down: status error, and no unhandled rejection from onClick={() => login()}", async () => {
    const discovery = vi.fn(() => Promise.resolve(new Response("down", { status: 503 })));
    const client = new AuthPIClient({ issuerUrl: ISSUER, clientId: CLIENT_ID, redirectUri: `${location.origin}/callback`, storage: memoryStorage(), fetch: discovery });
    const assign = vi.spyOn(location, "assign").mockImplementation(() => undefined);
    renderStrict(
      <AuthPIProvider client={client}>
        <SignIn />
      </AuthPIProvider>,
    );
    const rejections = await unhandledRejections(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
      await waitFor(() => expect(screen.getByRole("button").dataset.status).toBe("error"));
    });
    expect(rejections).toEqual([]);
    expect(client.getSnapshot().error).toBeInstanceOf(DiscoveryError);
    expect(discovery).toHaveBeenCalledTimes(1);
    expect(assign).not.toHaveBeenCalled();
  });

  it("resolves when the failure is in the snapshot, and still rejects a failure that is not (a caller mistake)", async () => {
    const mistake = new TypeError("returnTo must be a same-origin path");
    let login: ReturnType<typeof useAuthPI>["login"] | undefined;
    function Capture() {
      login = useAuthPI().login;
      return null;
    }
    renderStrict(
      <MockAuthPIProvider login={() => Promise.reject(mistake)}>
        <Capture />
      </MockAuthPIProvider>,
    );
    await expect(login?.()).rejects.toBe(mistake);
  });
});
