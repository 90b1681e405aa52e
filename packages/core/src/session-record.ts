import * as z from "zod/mini";
import type { SafeStorage } from "./storage.js";
import type { IdTokenClaims, TokenSet } from "./types.js";

/** What one client persists: one versioned record per client id (SPEC §5). */
export interface SessionRecord {
  v: 1;
  issuer: string;
  clientId: string;
  tokens: TokenSet;
  /** The ID-token payload as verified when the tokens were received. */
  claims: IdTokenClaims;
  /** Unix seconds when the token response arrived: the lifetime is `expiresAt − receivedAt`. */
  receivedAt: number;
}

/** A stored `TokenSet`. */
export const tokenSetSchema = z.object({
  accessToken: z.string().check(z.minLength(1)),
  idToken: z.string().check(z.minLength(1)),
  refreshToken: z.optional(z.string().check(z.minLength(1))),
  tokenType: z.optional(z.string()),
  scope: z.optional(z.string()),
  expiresAt: z.number(),
});

const recordSchema = z.object({
  v: z.literal(1),
  issuer: z.string(),
  clientId: z.string(),
  tokens: tokenSetSchema,
  claims: z.looseObject({ sub: z.string(), iss: z.string() }),
  receivedAt: z.number(),
});

/**
 * The stored record if it is well-formed and belongs to this issuer and
 * client; anything else — bad JSON, wrong types, an old version, another
 * issuer's or client's tokens — is removed, and the app starts signed out.
 */
export function readSessionRecord(storage: SafeStorage, key: string, issuer: string, clientId: string): SessionRecord | null {
  const value = storage.getJson(key);
  if (value === undefined) return null;
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success || parsed.data.issuer !== issuer || parsed.data.clientId !== clientId || parsed.data.claims.iss !== issuer) {
    storage.remove(key);
    return null;
  }
  return parsed.data as SessionRecord;
}

export function isSessionRecord(value: unknown): value is SessionRecord {
  return recordSchema.safeParse(value).success;
}
