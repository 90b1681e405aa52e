import * as z from "zod/mini";
import { InvalidResponseError, TokenParseError } from "./errors.js";
import { isTokenSet } from "./session-record.js";
import type { TokenSet } from "./types.js";

const tokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.string(),
  // Whole seconds (RFC 6749 §5.1): `0.001` would make every refresh due at once.
  expires_in: z.optional(z.int().check(z.positive())),
  refresh_token: z.optional(z.string().check(z.minLength(1))),
  id_token: z.optional(z.string().check(z.minLength(1))),
  scope: z.optional(z.string()),
});

export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** A token endpoint success (RFC 6749 §5.1) with the fields we rely on; anything else is refused. */
export function parseTokenResponse(body: unknown): TokenResponse {
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) throw new InvalidResponseError("the token response is missing required fields", { cause: parsed.error });
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

const snakeSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  id_token: z.string().check(z.minLength(1)),
  refresh_token: z.optional(z.nullable(z.string().check(z.minLength(1)))),
  token_type: z.optional(z.string()),
  scope: z.optional(z.nullable(z.string())),
  expires_at: z.number(),
});

/** A `TokenSet`, or the snake_case shape of a Python `TokenSet.model_dump()`. */
export function normalizeTokenSet(input: unknown): TokenSet {
  if (isTokenSet(input)) {
    const { accessToken, idToken, refreshToken, tokenType, scope, expiresAt } = input;
    return { accessToken, idToken, ...(refreshToken ? { refreshToken } : {}), tokenType: tokenType ?? "Bearer", scope: scope ?? "", expiresAt };
  }
  const snake = snakeSchema.safeParse(input);
  if (snake.success) {
    const t = snake.data;
    return {
      accessToken: t.access_token,
      idToken: t.id_token,
      ...(t.refresh_token ? { refreshToken: t.refresh_token } : {}),
      tokenType: t.token_type ?? "Bearer",
      scope: t.scope ?? "",
      expiresAt: t.expires_at,
    };
  }
  const missingIdToken = typeof input === "object" && input !== null && !("idToken" in input) && !("id_token" in input);
  throw new TokenParseError(missingIdToken ? "missing_id_token" : "invalid_id_token", "not a token set: expected accessToken, idToken and expiresAt", {
    reason: "malformed",
    cause: snake.error,
  });
}
