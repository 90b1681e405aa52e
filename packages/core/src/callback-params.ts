import { InvalidResponseError } from "./errors.js";

/** The authorization-response parameters the client reads by name (RFC 6749 §4.1.2, RFC 9207). */
export const CALLBACK_PARAMS = ["code", "state", "iss", "error", "error_description"] as const;

/**
 * `names` read from `params`, each at most once. RFC 6749 §3.1: "Request and
 * response parameters MUST NOT be included more than once." A repeated one is
 * refused outright rather than resolved (first wins, last wins): a crafted URL
 * carrying `code` or `iss` twice would otherwise let whatever reads it later
 * disagree with what was checked.
 */
export function singleParams<const N extends string>(params: URLSearchParams, names: readonly N[]): Record<N, string | null> {
  const values = {} as Record<N, string | null>;
  for (const name of names) {
    const all = params.getAll(name);
    if (all.length > 1) throw new InvalidResponseError(`the response repeats the "${name}" parameter`);
    values[name] = all[0] ?? null;
  }
  return values;
}
