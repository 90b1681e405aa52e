// The three parts of the client that would leave the simulated world, replaced for every
// simulation file (vitest setup file). WebCrypto resolves on libuv's thread pool, whose timing no
// seed controls, and draws real randomness; these keep each contract with synchronous,
// seed-driven means:
// - sealing: only the replaced refresh token opens a handoff (as ten-tabs.test.ts does);
// - random.ts: PKCE values from the run's PRNG, S256 by node:crypto's synchronous hash;
// - id-token.ts: the claim checks of OIDC Core §3.1.3.7 (iss, aud, exp/nbf/iat with the skew,
//   sub, nonce, max_age) on the unsigned JWTs the sim IdP issues; the signature is jose's job,
//   tested elsewhere (hostile-id-token.test.ts).
import { vi } from "vitest";

vi.mock("../src/sealed-record.js", async () => {
  const { digestOf } = await import("../src/tab-coordinator.js");
  return {
    seal: async (value: unknown, token: string) => ({ iv: new Uint8Array(12), data: new TextEncoder().encode(JSON.stringify({ key: digestOf(token), value })) }),
    unseal: async (sealed: { data: Uint8Array }, token: string) => {
      try {
        const opened = JSON.parse(new TextDecoder().decode(sealed.data)) as { key: string; value: unknown };
        return opened.key === digestOf(token) ? opened.value : undefined;
      } catch {
        return undefined;
      }
    },
  };
});

vi.mock("../src/random.js", async () => {
  const { createHash } = await import("node:crypto");
  const { simRandom } = await import("./sim-random.js");
  return {
    randomToken: () => Buffer.from(Array.from({ length: 32 }, () => Math.floor(simRandom() * 256))).toString("base64url"),
    s256: async (value: string) => createHash("sha256").update(value).digest("base64url"),
  };
});

vi.mock("../src/id-token.js", async () => {
  const { TokenParseError } = await import("../src/errors.js");
  const { jwtPayload } = await import("./sim-idp.js");
  type Expect = import("../src/id-token.js").IdTokenExpectations;
  const fail = (reason: string, description: string): never => {
    throw new TokenParseError("invalid_id_token", description, { reason: reason as never });
  };
  return {
    verifyIdToken: async (token: string, _keys: unknown, expect: Expect) => {
      const payload = jwtPayload(token) ?? fail("malformed", "the ID token is not a JWT");
      const now = expect.nowMs / 1000;
      const skew = expect.ignoreExpiry ? Number.MAX_SAFE_INTEGER : expect.clockSkewSeconds;
      if (payload.iss !== expect.issuer) fail("iss", "the ID token's issuer is not the configured one");
      if (payload.aud !== expect.clientId) fail("aud", "the ID token is not for this client");
      if (typeof payload.exp !== "number" || payload.exp + skew <= now) fail("exp", "the ID token has expired");
      if (typeof payload.sub !== "string" || payload.sub === "") fail("sub", "the ID token has no subject");
      if (typeof payload.iat !== "number" || payload.iat > now + skew) fail("iat", "the ID token was issued in the future");
      if (expect.nonce !== undefined && payload.nonce !== expect.nonce) fail("nonce", "the ID token's nonce does not match the login");
      if (expect.maxAge !== undefined && (typeof payload.auth_time !== "number" || payload.auth_time + expect.maxAge + skew < now)) fail("auth_time", "too old");
      return payload;
    },
  };
});

// The protocol chunk, loaded once before any run: a page's first `import()` of it then settles
// within the microtask queue instead of on module-loading I/O no seed controls.
await import("../src/protocol.js");
