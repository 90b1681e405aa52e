import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type DevIdp, type SigningAlg, startDevIdp } from "../src/index.js";
import { type Discovery, discover, signIn, tokenRequest } from "./helpers.js";

async function jwksKids(discovery: Discovery): Promise<string[]> {
  const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Array<{ kid: string; d?: string }> };
  expect(keys.every((key) => key.d === undefined)).toBe(true);
  return keys.map((key) => key.kid);
}

describe.each<SigningAlg>(["RS256", "ES256", "EdDSA"])("signing with %s", (alg) => {
  let idp: DevIdp;
  let discovery: Discovery;

  beforeAll(async () => {
    idp = await startDevIdp({ signingAlg: alg, quiet: true });
    discovery = await discover(idp);
  });
  afterAll(() => idp.close());

  test("ID and access tokens carry the algorithm and verify against the JWKS; discovery advertises only it", async () => {
    expect(discovery["id_token_signing_alg_values_supported"]).toEqual([alg]);
    const { tokens } = await signIn(idp, discovery, "olivia@acme.test");
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const idToken = await jwtVerify(tokens.id_token, jwks, { issuer: idp.issuerUrl, audience: idp.clientId, algorithms: [alg] });
    expect(idToken.protectedHeader.alg).toBe(alg);
    const accessToken = await jwtVerify(tokens.access_token, jwks, { issuer: idp.issuerUrl, algorithms: [alg] });
    expect(accessToken.protectedHeader).toMatchObject({ alg, typ: "at+jwt" });
  });
});

describe("rotateKeys()", () => {
  let idp: DevIdp;
  let discovery: Discovery;

  beforeAll(async () => {
    idp = await startDevIdp({ quiet: true });
    discovery = await discover(idp);
  });
  afterAll(() => idp.close());

  test("new tokens get a new kid, the JWKS publishes it next to the old one, sessions survive", async () => {
    const before = await signIn(idp, discovery, "max@acme.test");
    const oldKid = decodeProtectedHeader(before.tokens.id_token).kid;
    expect(await jwksKids(discovery)).toEqual([oldKid]);

    await idp.rotateKeys();

    const after = await signIn(idp, discovery, "max@acme.test");
    const newKid = decodeProtectedHeader(after.tokens.id_token).kid;
    expect(newKid).not.toBe(oldKid);
    expect(decodeProtectedHeader(after.tokens.access_token).kid).toBe(newKid);
    expect(await jwksKids(discovery)).toEqual([newKid, oldKid]);
    await jwtVerify(after.tokens.id_token, createRemoteJWKSet(new URL(discovery.jwks_uri)), { issuer: idp.issuerUrl });

    // A refresh token from before the rotation still works and now yields the new kid.
    const refreshed = await tokenRequest(discovery, {
      grant_type: "refresh_token",
      client_id: idp.clientId,
      refresh_token: before.tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(decodeProtectedHeader(refreshed.body.id_token).kid).toBe(newKid);
  });
});
