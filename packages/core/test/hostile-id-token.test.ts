// ID-token attacks that only a forging server can produce (SECURITY-CASES 18–24).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompactSign, exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, base64url } from "jose";
import { AuthPIClient, TokenParseError } from "../src/index.js";
import { startHostileIdp, type HostileIdp } from "./support/hostile-idp.js";
import { rejection } from "./support/rejection.js";

function clientFor(idp: HostileIdp, extra: Partial<ConstructorParameters<typeof AuthPIClient>[0]> = {}) {
  return new AuthPIClient({ issuerUrl: idp.issuer, clientId: idp.clientId, redirectUri: "http://127.0.0.1:5173/callback", storage: "memory", ...extra });
}

/** Serves `idToken` from the token endpoint and exchanges a code for it. */
async function exchangeWith(idp: HostileIdp, idToken: string, nonce = "n-1") {
  idp.on("/token", async () => ({ body: await idp.tokenResponse({ id_token: idToken }) }));
  return clientFor(idp).exchangeCode("code", "verifier", { nonce });
}

async function expectRefused(idp: HostileIdp, idToken: string, reason: string, nonce?: string) {
  const error = await rejection(exchangeWith(idp, idToken, nonce));
  expect(error).toBeInstanceOf(TokenParseError);
  expect(error).toMatchObject({ error: "invalid_id_token", reason });
}

describe.each(["ES256", "RS256", "EdDSA"] as const)("ID-token verification (%s)", (alg) => {
  let idp: HostileIdp;
  beforeAll(async () => {
    idp = await startHostileIdp({ alg });
  });
  afterAll(() => idp.close());

  it("accepts a token signed with the published key", async () => {
    const agent = await exchangeWith(idp, await idp.idToken());
    expect(agent.id).toBe("usr_hostile");
    expect(agent.hasAccessIn("org_a", "write", "projects.tasks")).toBe(true);
  });

  it("rejects a token with one payload byte flipped (case 18)", async () => {
    const [header, payload, signature] = (await idp.idToken()).split(".") as [string, string, string];
    const bytes = base64url.decode(payload);
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 1;
    await expectRefused(idp, `${header}.${base64url.encode(bytes)}.${signature}`, "signature");
  });

  it("rejects a token signed with an unpublished key under a known kid (case 18)", async () => {
    await expectRefused(idp, await idp.idToken({}, { key: await idp.foreignKey() }), "signature");
  });
});

describe("ID-token claims and algorithms", () => {
  let idp: HostileIdp;
  beforeAll(async () => {
    idp = await startHostileIdp({ alg: "RS256" });
  });
  afterAll(() => idp.close());

  it("rejects alg none (case 19)", async () => {
    const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
    const payload = base64url.encode(JSON.stringify(idp.defaultClaims()));
    await expectRefused(idp, `${header}.${payload}.`, "alg");
  });

  it("rejects HS256 keyed with the RSA public key (case 19)", async () => {
    const pem = await exportSPKI((await importJWK(idp.publicJwk, "RS256", { extractable: true })) as CryptoKey);
    const forged = await new SignJWT(idp.defaultClaims()).setProtectedHeader({ alg: "HS256", kid: "k1" }).sign(new TextEncoder().encode(pem));
    await expectRefused(idp, forged, "alg");
  });

  it("rejects HS256 keyed with the client id (case 19)", async () => {
    const forged = await new SignJWT(idp.defaultClaims()).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(idp.clientId));
    await expectRefused(idp, forged, "alg");
  });

  it("rejects an algorithm the issuer does not advertise (case 19)", async () => {
    const other = await startHostileIdp({ alg: "ES256" });
    try {
      other.on("/.well-known/openid-configuration", {
        body: {
          issuer: other.issuer,
          authorization_endpoint: `${other.issuer}/auth`,
          token_endpoint: `${other.issuer}/token`,
          jwks_uri: `${other.issuer}/jwks`,
          id_token_signing_alg_values_supported: ["RS256"],
        },
      });
      await expectRefused(other, await other.idToken(), "alg");
    } finally {
      await other.close();
    }
  });

  it.each([
    ["another issuer", { iss: "https://evil.example/i_hostile" }, "iss"],
    ["the issuer with a trailing slash", { iss: "TRAILING" }, "iss"],
    ["another audience", { aud: "cli_other" }, "aud"],
    ["no audience", { aud: undefined }, "aud"],
    ["an untrusted extra audience", { aud: ["cli_test", "cli_other"] }, "aud"],
    ["azp naming another client", { azp: "cli_other" }, "azp"],
    ["an exp in the past", { exp: Math.floor(Date.now() / 1000) - 120 }, "exp"],
    ["no iat", { iat: undefined }, "iat"],
    ["an iat far in the future", { iat: Math.floor(Date.now() / 1000) + 3600 }, "iat"],
    ["an nbf far in the future", { nbf: Math.floor(Date.now() / 1000) + 3600 }, "iat"],
    ["no sub", { sub: undefined }, "sub"],
    ["an empty sub", { sub: "" }, "sub"],
    ["no nonce", { nonce: undefined }, "nonce"],
    ["another login's nonce", { nonce: "n-replayed" }, "nonce"],
  ])("rejects a token with %s (cases 20–23)", async (_case, claims, reason) => {
    const patch = { ...claims } as Record<string, unknown>;
    if (patch.iss === "TRAILING") patch.iss = `${idp.issuer}/`;
    await expectRefused(idp, await idp.idToken(patch), reason);
  });

  it("accepts exp, iat and nbf off by less than the clock skew (case 21)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const agent = await exchangeWith(idp, await idp.idToken({ iat: now + 30, nbf: now + 30, exp: now + 600 }));
    expect(agent.id).toBe("usr_hostile");
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ id_token: await idp.idToken({ exp: now - 30 }), expires_in: 300 }) }));
    await expect(clientFor(idp).exchangeCode("code", "verifier", { nonce: "n-1" })).resolves.toBeDefined();
  });

  describe("which published key verifies (RFC 7517 §4, OIDC Core §10.1)", () => {
    /** A key pair of this test's own, published by the IdP in `keys`. */
    async function ownKey(kid: string) {
      const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
      return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256" } };
    }
    const signed = (key: CryptoKey, kid: string) => new SignJWT(idp.defaultClaims()).setProtectedHeader({ alg: "RS256", kid }).sign(key);
    afterAll(() => idp.on("/jwks", { body: { keys: [idp.publicJwk] } }));

    it("tries every key published under the kid, and accepts the one that verifies", async () => {
      const [decoy, real] = [await ownKey("k-shared"), await ownKey("k-shared")];
      idp.on("/jwks", { body: { keys: [decoy.publicJwk, real.publicJwk] } });
      await expect(exchangeWith(idp, await signed(real.privateKey, "k-shared"))).resolves.toBeDefined();
    });

    it("does not verify with a key published for encryption", async () => {
      const key = await ownKey("k-enc");
      idp.on("/jwks", { body: { keys: [{ ...key.publicJwk, use: "enc" }] } });
      await expectRefused(idp, await signed(key.privateKey, "k-enc"), "signature");
    });

    it("refuses a correctly signed payload that is not a JSON object", async () => {
      const key = await ownKey("k-array");
      idp.on("/jwks", { body: { keys: [key.publicJwk] } });
      const jws = await new CompactSign(new TextEncoder().encode("[1,2]")).setProtectedHeader({ alg: "RS256", kid: "k-array" }).sign(key.privateKey);
      await expectRefused(idp, jws, "malformed");
    });
  });

  it("accepts azp equal to the client id", async () => {
    await expect(exchangeWith(idp, await idp.idToken({ azp: "cli_test" }))).resolves.toBeDefined();
  });
});

describe("signing-key rotation (case 24)", () => {
  let idp: HostileIdp;
  beforeAll(async () => {
    idp = await startHostileIdp({ alg: "ES256" });
  });
  afterAll(() => idp.close());

  it("refetches the JWKS once for an unknown kid, then accepts", async () => {
    const client = clientFor(idp);
    idp.on("/token", async () => ({ body: await idp.tokenResponse() }));
    await client.exchangeCode("c1", "v", { nonce: "n-1" });
    const before = idp.count("/jwks");
    await idp.rotate();
    await client.exchangeCode("c2", "v", { nonce: "n-1" });
    expect(idp.count("/jwks")).toBe(before + 1);
  });

  it("refetches once and then rejects a kid that is still unknown", async () => {
    const client = clientFor(idp);
    await exchangeWith(idp, await idp.idToken());
    idp.on("/token", async () => ({ body: await idp.tokenResponse({ id_token: await idp.idToken({}, { kid: "k-unknown", key: await idp.foreignKey() }) }) }));
    await client.exchangeCode("c0", "v", { nonce: "n-1" }).catch(() => undefined);
    const before = idp.count("/jwks");
    const error = await rejection(client.exchangeCode("c1", "v", { nonce: "n-1" }));
    expect(error).toMatchObject({ error: "invalid_id_token", reason: "signature" });
    expect(idp.count("/jwks")).toBe(before + 1);
  });
});
