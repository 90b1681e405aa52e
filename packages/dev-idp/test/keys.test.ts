import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, test } from "vitest";
import type { SigningAlg } from "../src/index.js";
import { signIn, tokenRequest, useDevIdp } from "./helpers.js";

async function jwksKids(discovery: { jwks_uri: string }): Promise<string[]> {
  const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Array<{ kid: string; d?: string }> };
  expect(keys.every((key) => key.d === undefined)).toBe(true);
  return keys.map((key) => key.kid);
}

describe.each<SigningAlg>(["RS256", "ES256", "EdDSA"])("signing with %s", (alg) => {
  const env = useDevIdp({ signingAlg: alg });

  test("ID and access tokens carry the algorithm and verify against the JWKS; discovery advertises only it", async () => {
    expect(env.discovery["id_token_signing_alg_values_supported"]).toEqual([alg]);
    const { tokens } = await signIn(env.idp, env.discovery, "olivia@acme.test");
    const jwks = createRemoteJWKSet(new URL(env.discovery.jwks_uri));
    const idToken = await jwtVerify(tokens.id_token, jwks, { issuer: env.idp.issuerUrl, audience: env.idp.clientId, algorithms: [alg] });
    expect(idToken.protectedHeader.alg).toBe(alg);
    const accessToken = await jwtVerify(tokens.access_token, jwks, { issuer: env.idp.issuerUrl, algorithms: [alg] });
    expect(accessToken.protectedHeader).toMatchObject({ alg, typ: "at+jwt" });
  });
});

describe("rotateKeys()", () => {
  const env = useDevIdp();

  test("new tokens get a new kid, the JWKS publishes it next to the old one, sessions survive", async () => {
    const before = await signIn(env.idp, env.discovery, "max@acme.test");
    const oldKid = decodeProtectedHeader(before.tokens.id_token).kid;
    expect(await jwksKids(env.discovery)).toEqual([oldKid]);

    await env.idp.rotateKeys();

    const after = await signIn(env.idp, env.discovery, "max@acme.test");
    const newKid = decodeProtectedHeader(after.tokens.id_token).kid;
    expect(newKid).not.toBe(oldKid);
    expect(decodeProtectedHeader(after.tokens.access_token).kid).toBe(newKid);
    expect(await jwksKids(env.discovery)).toEqual([newKid, oldKid]);
    await jwtVerify(after.tokens.id_token, createRemoteJWKSet(new URL(env.discovery.jwks_uri)), { issuer: env.idp.issuerUrl });

    // A refresh token from before the rotation still works and now yields the new kid.
    const refreshed = await tokenRequest(env.discovery, {
      grant_type: "refresh_token",
      client_id: env.idp.clientId,
      refresh_token: before.tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(decodeProtectedHeader(refreshed.body.id_token).kid).toBe(newKid);
  });
});
