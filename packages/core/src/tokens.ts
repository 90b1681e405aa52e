import * as z from "zod/mini";
import { InvalidResponseError, TokenParseError } from "./errors.js";
import { isTokenSet } from "./session-record.js";
import type { TokenSet } from "./types.js";

const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: z.optional(z.number()),
  refresh_token: z.optional(z.string()),
  id_token: z.optional(z.string()),
  scope: z.optional(z.string()),
});

export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** A token endpoint success (RFC 6749 §5.1) with the fields we rely on; anything else is refused. */
export function parseTokenResponse(body: unknown): TokenResponse {
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) throw new InvalidResponseError("the token response is missing required fields", { cause: parsed.error });
  const { access_token, expires_in, refresh_token, id_token } = parsed.data;
  if (!access_token || refresh_token === "" || id_token === "") throw new InvalidResponseError("the token response has an empty token");
  // Whole seconds (RFC 6749 §5.1): `0.001` would make every refresh due at once.
  if (expires_in !== undefined && !(Number.isInteger(expires_in) && expires_in > 0)) {
    throw new InvalidResponseError(`expires_in must be a positive number of whole seconds, got ${expires_in}`);
  }
  // RFC 6750: only bearer tokens; the type is case-insensitive (RFC 6749 §5.1).
  if (parsed.data.token_type.toLowerCase() !== "bearer") {
    throw new InvalidResponseError(`unsupported token_type "${parsed.data.token_type}"`);
  }
  return parsed.data;
}

/**
 * The token set of a response received at `receivedAtSeconds`. `expiresAt`
 * counts from receipt (`expires_in`), else is the caller's `fallbackExpiresAt`
 * (the new ID token's `exp`, or on a refresh without one the previous lifetime
 * carried forward: the old ID token's `exp` may have passed long ago).
 */
export function toTokenSet(
  response: TokenResponse,
  idToken: string,
  fallbackExpiresAt: number,
  receivedAtSeconds: number,
  previous?: TokenSet,
): TokenSet {
  // A refresh that returns no new refresh token keeps the old one (RFC 6749 §6).
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  return {
    accessToken: response.access_token,
    idToken,
    ...(refreshToken ? { refreshToken } : {}),
    tokenType: "Bearer",
    scope: response.scope ?? previous?.scope ?? "",
    expiresAt: response.expires_in !== undefined ? Math.floor(receivedAtSeconds + response.expires_in) : fallbackExpiresAt,
  };
}

/** A `TokenSet`, or the snake_case shape of a Python `TokenSet.model_dump()`. */
export function normalizeTokenSet(input: unknown): TokenSet {
  if (isTokenSet(input)) {
    const { accessToken, idToken, refreshToken, tokenType, scope, expiresAt } = input;
    return { accessToken, idToken, ...(refreshToken ? { refreshToken } : {}), tokenType: tokenType ?? "Bearer", scope: scope ?? "", expiresAt };
  }
  const t = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const text = (value: unknown): value is string => typeof value === "string" && value !== "";
  const absent = (value: unknown, check: (value: unknown) => boolean) => value === undefined || value === null || check(value);
  if (text(t.access_token) && text(t.id_token) && typeof t.expires_at === "number" && absent(t.refresh_token, text) && absent(t.token_type, text) && absent(t.scope, (v) => typeof v === "string")) {
    return {
      accessToken: t.access_token,
      idToken: t.id_token,
      ...(text(t.refresh_token) ? { refreshToken: t.refresh_token } : {}),
      tokenType: text(t.token_type) ? t.token_type : "Bearer",
      scope: typeof t.scope === "string" ? t.scope : "",
      expiresAt: t.expires_at,
    };
  }
  const missingIdToken = !("idToken" in t) && !("id_token" in t);
  throw new TokenParseError(missingIdToken ? "missing_id_token" : "invalid_id_token", "not a token set: expected accessToken, idToken and expiresAt", { reason: "malformed" });
}
