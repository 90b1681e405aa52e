// Picking the issuer's key for a JWS header (RFC 7517 §4, OIDC Core §10.1):
// jose's `createLocalJWKSet` rules, without the JWT layer we do not ship.
import type { JSONWebKeySet, JWK } from "jose";

/** The key type and curve each allowed algorithm needs (RFC 7518 §3.1, RFC 8037 §3.1). */
const KEY_TYPE: Record<string, [kty: string, crv?: string]> = { ES256: ["EC", "P-256"], RS256: ["RSA"], EdDSA: ["OKP", "Ed25519"] };

/**
 * The published keys that may have signed a token with this `alg` and `kid`:
 * the right type and curve, meant for signatures (jose then imports each as
 * a verify-only key).
 */
export function candidateKeys(keys: JSONWebKeySet, alg: string, kid: unknown): JWK[] {
  const [kty, crv] = KEY_TYPE[alg] ?? [];
  return (Array.isArray(keys.keys) ? keys.keys : []).filter(
    (jwk) =>
      typeof jwk === "object" &&
      jwk !== null &&
      jwk.kty === kty &&
      (crv === undefined || jwk.crv === crv) &&
      (kid === undefined || jwk.kid === kid) &&
      (jwk.alg === undefined || jwk.alg === alg) &&
      (jwk.use === undefined || jwk.use === "sig") &&
      (jwk.key_ops === undefined || (Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify"))),
  );
}
