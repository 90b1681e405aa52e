import type { Organization } from "./types.js";

const isMembership = (value: unknown): value is { id: string; title?: string | null; scopes: string[]; joined_at: number } => {
  if (typeof value !== "object" || value === null) return false;
  const { id, title, scopes, joined_at } = value as Record<string, unknown>;
  return (
    typeof id === "string" &&
    id !== "" &&
    (title === undefined || title === null || typeof title === "string") &&
    Array.isArray(scopes) &&
    scopes.every((scope) => typeof scope === "string") &&
    typeof joined_at === "number"
  );
};

/**
 * The `organizations` claim (`[{ id, title, scopes, joined_at }]`) as frozen
 * camelCase records; absent means none (machine agents). A malformed claim is
 * `null`, for the caller to refuse with its own error: authorization must not
 * rest on data we could not understand. Checked by hand: it runs on every
 * restore, in the first-load bundle.
 */
export function parseOrganizations(claim: unknown): readonly Organization[] | null {
  if (claim === undefined) return Object.freeze([]);
  if (!Array.isArray(claim) || !claim.every(isMembership)) return null;
  return Object.freeze(
    claim.map((org) =>
      Object.freeze({ id: org.id, title: org.title ?? null, scopes: Object.freeze([...org.scopes]), joinedAt: org.joined_at }),
    ),
  );
}
