import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";

export type SigningAlg = "RS256" | "ES256" | "EdDSA";

/** A private signing JWK in the form oidc-provider's `jwks` option takes. */
export type PrivateJwk = Awaited<ReturnType<typeof exportJWK>> & { kid: string; alg: SigningAlg; use: "sig" };

/**
 * A fresh key with a fresh `kid`, so a rotation is visible to clients exactly as AuthPI's monthly
 * rotation is: a new `kid` in new tokens and in the JWKS (SECURITY-CASES #24).
 */
export async function generateSigningKey(alg: SigningAlg): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `dev-${randomBytes(6).toString("base64url")}`, alg, use: "sig" };
}
