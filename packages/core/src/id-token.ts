// ID-token verification (OIDC Core §3.1.3.7). Part of the protocol chunk the
// client loads on demand, so apps that only check scopes never download jose.
import { base64url, compactVerify, importJWK, type JSONWebKeySet, type JWK } from "jose";
import { TokenParseError, type TokenParseReason } from "./errors.js";
import { candidateKeys } from "./signing-key.js";
import type { IdTokenClaims } from "./types.js";

/** AuthPI signs with these. Never `none`, never `HS*` (case 19: alg downgrade). */
const ALLOWED_ALGORITHMS = ["ES256", "RS256", "EdDSA"];

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  clockSkewSeconds: number;
  /** The IdP's time now (idp-clock.ts), not the device's. */
  nowMs: number;
  /** The nonce sent in the authorization request; `undefined` on refresh and restore. */
  nonce?: string | undefined;
  /** Algorithms the issuer advertises; intersected with the allow-list. */
  advertisedAlgorithms?: readonly string[] | undefined;
  /**
   * Skip the time checks, `exp`, `nbf` and `iat` (a stored token set re-read by `createAgent`: the
   * ID token may have expired since, and its times were judged when it was received; a page that has
   * not yet learned the IdP's clock must not refuse it for a skewed device). `iat` is still required.
   */
  ignoreExpiry?: boolean;
  /** The `max_age` the login asked for: `auth_time` is then required and checked (step 13). */
  maxAge?: number | undefined;
}

function fail(reason: TokenParseReason, description: string, cause?: unknown): never {
  throw new TokenParseError("invalid_id_token", description, { reason, cause });
}

/** A JSON object from a part of the compact JWS (RFC 7515 §7.1), or `undefined`. */
function decodeJson(part: string | Uint8Array | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(typeof part === "string" ? base64url.decode(part) : part));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The payload, once one of the keys verifies the signature (jose checks the JWS; `alg` is pinned). */
async function verifiedPayload(token: string, keys: JWK[], alg: string): Promise<Uint8Array | undefined> {
  for (const jwk of keys) {
    try {
      return (await compactVerify(token, await importJWK(jwk, alg), { algorithms: [alg] })).payload;
    } catch {
      // not this key (or not an importable one): try the next
    }
  }
  return undefined;
}

/**
 * Verifies the signature against the issuer's keys and every claim rule of
 * OIDC Core §3.1.3.7; `getKeys(true)` refetches the JWKS once when no
 * published key matches the `kid` (key rotation, OIDC Core §10.1.1), then an
 * unknown key fails.
 */
export async function verifyIdToken(
  token: string,
  getKeys: (refetch: boolean) => Promise<JSONWebKeySet>,
  expect: IdTokenExpectations,
): Promise<IdTokenClaims> {
  const parts = token.split(".");
  const header = decodeJson(parts[0]);
  if (parts.length !== 3 || !header) fail("malformed", "the ID token is not a valid signed JWT");
  const alg = header.alg;
  // Steps 7–8: only the allow-list, and only what the issuer advertises (case 19).
  const algorithms = expect.advertisedAlgorithms
    ? ALLOWED_ALGORITHMS.filter((allowed) => expect.advertisedAlgorithms?.includes(allowed))
    : ALLOWED_ALGORITHMS;
  if (typeof alg !== "string" || !algorithms.includes(alg)) fail("alg", "the ID token's algorithm is not allowed");
  let keys = candidateKeys(await getKeys(false), alg, header.kid);
  if (keys.length === 0) keys = candidateKeys(await getKeys(true), alg, header.kid);
  if (keys.length === 0) fail("signature", "the ID token is signed with a key the issuer does not publish");
  const signed = await verifiedPayload(token, keys, alg);
  if (!signed) fail("signature", "the ID token's signature is invalid");
  const payload = decodeJson(signed);
  if (!payload) fail("malformed", "the ID token's payload is not a JSON object");

  const now = expect.nowMs / 1000;
  const skew = expect.ignoreExpiry ? Number.MAX_SAFE_INTEGER : expect.clockSkewSeconds;
  // Step 2: the issuer, byte for byte.
  if (payload.iss !== expect.issuer) fail("iss", "the ID token's issuer is not the configured one");
  // Step 3: this client, and no other, untrusted audience.
  const aud = payload.aud;
  if (!(aud === expect.clientId || (Array.isArray(aud) && aud.length === 1 && aud[0] === expect.clientId))) {
    fail("aud", "the ID token is not for this client alone");
  }
  // Step 9: not expired, with the configured leeway; `nbf` (RFC 7519 §4.1.5) likewise.
  if (typeof payload.exp !== "number") fail("exp", "the ID token has no exp");
  if (payload.exp + skew <= now) fail("exp", "the ID token has expired");
  if (payload.nbf !== undefined && (typeof payload.nbf !== "number" || payload.nbf - skew > now)) {
    fail("iat", "the ID token is not valid yet");
  }
  const claims = payload as unknown as IdTokenClaims;
  if (claims.azp !== undefined && claims.azp !== expect.clientId) fail("azp", "the ID token's azp is not this client");
  if (typeof claims.sub !== "string" || claims.sub === "") fail("sub", "the ID token has no subject");
  // Step 10: issued at a time, and not in the future.
  if (typeof claims.iat !== "number" || claims.iat > now + skew) {
    fail("iat", "the ID token was issued in the future");
  }
  // Binds the token to this login and blocks replay of an older one (step 11, RFC 9700 §4.5.3.2).
  if (expect.nonce !== undefined && claims.nonce !== expect.nonce) fail("nonce", "the ID token's nonce does not match the login");
  // Step 13: with max_age, the IdP must say when the user authenticated, and it must be recent enough.
  if (expect.maxAge !== undefined) {
    const authTime = claims.auth_time;
    if (typeof authTime !== "number") fail("auth_time", "the login asked for max_age but the ID token has no auth_time");
    if (authTime + expect.maxAge + skew < now) {
      fail("auth_time", `the user authenticated more than max_age (${expect.maxAge} s) ago`);
    }
  }
  return claims;
}
