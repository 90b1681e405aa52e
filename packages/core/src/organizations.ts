import * as z from "zod/mini";
import { TokenParseError } from "./errors.js";
import type { Organization } from "./types.js";

const organizationsClaim = z.array(
  z.object({
    id: z.string().check(z.minLength(1)),
    title: z.optional(z.nullable(z.string())),
    scopes: z.array(z.string()),
    joined_at: z.number(),
  }),
);

/**
 * The `organizations` claim (SPEC §2) as frozen camelCase records; absent means
 * none (machine agents). A malformed claim is refused rather than half-read:
 * authorization must not rest on data we could not understand.
 */
export function parseOrganizations(claim: unknown): readonly Organization[] {
  if (claim === undefined) return Object.freeze([]);
  const parsed = organizationsClaim.safeParse(claim);
  if (!parsed.success) {
    throw new TokenParseError("invalid_id_token", "the organizations claim is malformed", {
      reason: "claims",
      cause: parsed.error,
    });
  }
  return Object.freeze(
    parsed.data.map((org) =>
      Object.freeze({
        id: org.id,
        title: org.title ?? null,
        scopes: Object.freeze([...org.scopes]),
        joinedAt: org.joined_at,
      }),
    ),
  );
}
