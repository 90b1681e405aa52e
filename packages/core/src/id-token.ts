// ID-token verification (OIDC Core §3.1.3.7). Part of the protocol chunk the
// client loads on demand, so apps that only check scopes never download jose.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
// The classes by name, not the `errors` namespace: the namespace object keeps every class in the bundle.
import { JOSEAlgNotAllowed, JOSEError, JWKSNoMatchingKey, JWSSignatureVerificationFailed, JWTClaimValidationFailed, JWTExpired } from "jose/errors";
import { TokenParseError, type TokenParseReason } from "./errors.js";
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

const claimReasons: Record<string, TokenParseReason> = { iss: "iss", aud: "aud", iat: "iat", nbf: "iat", sub: "sub", exp: "exp" };

/**
 * Verifies the signature against the issuer's keys and every claim rule;
 * `getKeys(true)` refetches the JWKS once when the `kid` is unknown (key
 * rotation, OIDC Core §10.1.1), then an unknown key fails.
 */
export async function verifyIdToken(
  token: string,
  getKeys: (refetch: boolean) => Promise<JSONWebKeySet>,
  expect: IdTokenExpectations,
): Promise<IdTokenClaims> {
  const algorithms = expect.advertisedAlgorithms
    ? ALLOWED_ALGORITHMS.filter((alg) => expect.advertisedAlgorithms?.includes(alg))
    : ALLOWED_ALGORITHMS;
  const skew = expect.ignoreExpiry ? Number.MAX_SAFE_INTEGER : expect.clockSkewSeconds;
  const options = {
    issuer: expect.issuer,
    audience: expect.clientId,
    algorithms,
    requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
    clockTolerance: skew,
    currentDate: new Date(expect.nowMs),
  };
  let payload: Record<string, unknown>;
  try {
    try {
      ({ payload } = await jwtVerify(token, createLocalJWKSet(await getKeys(false)), options));
    } catch (error) {
      if (!(error instanceof JWKSNoMatchingKey)) throw error;
      ({ payload } = await jwtVerify(token, createLocalJWKSet(await getKeys(true)), options));
    }
  } catch (error) {
    if (error instanceof TokenParseError || !(error instanceof JOSEError)) throw error;
    if (error instanceof JWTExpired) fail("exp", "the ID token has expired", error);
    if (error instanceof JWTClaimValidationFailed) fail(claimReasons[error.claim] ?? "claims", `ID token claim "${error.claim}" ${error.reason}`, error);
    if (error instanceof JOSEAlgNotAllowed) fail("alg", "the ID token's algorithm is not allowed", error);
    if (error instanceof JWKSNoMatchingKey) fail("signature", "the ID token is signed with a key the issuer does not publish", error);
    if (error instanceof JWSSignatureVerificationFailed) fail("signature", "the ID token's signature is invalid", error);
    fail("malformed", "the ID token is not a valid signed JWT", error);
  }
  const claims = payload as IdTokenClaims;
  // One audience only: an extra, untrusted audience is refused (OIDC Core §3.1.3.7 step 3).
  if (Array.isArray(claims.aud) && (claims.aud.length !== 1 || claims.aud[0] !== expect.clientId)) {
    fail("aud", "the ID token has audiences besides this client");
  }
  if (claims.azp !== undefined && claims.azp !== expect.clientId) fail("azp", "the ID token's azp is not this client");
  if (typeof claims.sub !== "string" || claims.sub === "") fail("sub", "the ID token has no subject");
  if (typeof claims.iat !== "number" || claims.iat > expect.nowMs / 1000 + skew) {
    fail("iat", "the ID token was issued in the future");
  }
  // Binds the token to this login and blocks replay of an older one (step 11, RFC 9700 §4.5.3.2).
  if (expect.nonce !== undefined && claims.nonce !== expect.nonce) fail("nonce", "the ID token's nonce does not match the login");
  // Step 13: with max_age, the IdP must say when the user authenticated, and it must be recent enough.
  if (expect.maxAge !== undefined) {
    const authTime = claims.auth_time;
    if (typeof authTime !== "number") fail("auth_time", "the login asked for max_age but the ID token has no auth_time");
    if (authTime + expect.maxAge + skew < expect.nowMs / 1000) {
      fail("auth_time", `the user authenticated more than max_age (${expect.maxAge} s) ago`);
    }
  }
  return claims;
}
