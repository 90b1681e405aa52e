// The protocol half is loaded on demand. If that load fails (offline before the
// first refresh), the session must survive and the refresh be retried later.
import { afterEach, expect, it, vi } from "vitest";
import { AuthPIClient, NetworkError } from "../src/index.js";
import { memoryStorage } from "../src/storage.js";

afterEach(() => {
  vi.doUnmock("../src/protocol.js");
});

it("a failed load of the protocol code is a NetworkError that keeps the session, and is retried", async () => {
  vi.doMock("../src/protocol.js", () => {
    throw new TypeError("Failed to fetch dynamically imported module");
  });
  const storage = memoryStorage();
  const now = Math.floor(Date.now() / 1000);
  storage.setItem(
    "authpi:cli_x:session",
    JSON.stringify({
      v: 1,
      issuer: "https://idp.example/i_x",
      clientId: "cli_x",
      tokens: { accessToken: "at", idToken: "id", refreshToken: "rt", tokenType: "Bearer", scope: "", expiresAt: now + 10 },
      claims: { iss: "https://idp.example/i_x", sub: "usr_1", aud: "cli_x", exp: now + 10, iat: now },
      receivedAt: now - 290,
    }),
  );
  const fetch = vi.fn(async () => new Response("{}", { status: 500 }));
  const client = new AuthPIClient({ issuerUrl: "https://idp.example/i_x", clientId: "cli_x", redirectUri: "https://app.example/cb", storage, fetch });
  const error = await client.refresh().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NetworkError);
  expect(client.getSnapshot().status).toBe("authenticated");
  expect(storage.getItem("authpi:cli_x:session")).not.toBeNull();
  vi.doUnmock("../src/protocol.js");
  // Loaded now: the refresh reaches the network (which answers 500 here) instead of failing to load.
  await client.refresh().catch(() => undefined);
  expect(fetch).toHaveBeenCalled();
});
