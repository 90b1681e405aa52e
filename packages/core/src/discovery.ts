import * as z from "zod/mini";
import { DiscoveryError, IssuerMismatchError, OAuthError } from "./errors.js";
import { expectJson, send, type HttpContext } from "./http.js";
import { isSecureUrl } from "./options.js";

const endpoint = z.string();
export const ENDPOINTS = ["authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint", "revocation_endpoint", "end_session_endpoint"] as const;

const metadataSchema = z.object({
  issuer: z.string(),
  authorization_endpoint: endpoint,
  token_endpoint: endpoint,
  jwks_uri: endpoint,
  userinfo_endpoint: z.optional(endpoint),
  revocation_endpoint: z.optional(endpoint),
  end_session_endpoint: z.optional(endpoint),
  id_token_signing_alg_values_supported: z.optional(z.array(z.string())),
  authorization_response_iss_parameter_supported: z.optional(z.boolean()),
});

export type IssuerMetadata = z.infer<typeof metadataSchema>;

/**
 * Fetches and validates `{issuer}/.well-known/openid-configuration`. Its
 * `issuer` must equal the configured one byte for byte — no trailing-slash,
 * case or scheme normalisation (RFC 8414 §3.3, OIDC Discovery §4.3) — or a
 * mix-up attacker's metadata could be accepted.
 */
export async function fetchMetadata(http: HttpContext, issuerUrl: string, now: number): Promise<IssuerMetadata> {
  const url = `${issuerUrl.replace(/\/$/, "")}/.well-known/openid-configuration`;
  let body: unknown;
  try {
    body = await expectJson(await send(http, url, { headers: { accept: "application/json" } }), url, { now });
  } catch (cause) {
    if (cause instanceof OAuthError && cause.error === "network_error") throw cause;
    throw new DiscoveryError(`discovery at ${url} failed`, { cause, ...(cause instanceof OAuthError && cause.statusCode ? { statusCode: cause.statusCode } : {}) });
  }
  return parseMetadata(body, issuerUrl, url);
}

/** Validated metadata for exactly `issuerUrl`: from the network or from the tab's cache. */
export function parseMetadata(body: unknown, issuerUrl: string, source: string): IssuerMetadata {
  const parsed = metadataSchema.safeParse(body);
  if (!parsed.success) throw new DiscoveryError(`discovery at ${source} is missing or has invalid fields`, { cause: parsed.error });
  if (parsed.data.issuer !== issuerUrl) throw new IssuerMismatchError(issuerUrl, parsed.data.issuer);
  // Tokens and codes go to these: https only (http on loopback, as for the issuer).
  for (const name of ENDPOINTS) {
    const value = parsed.data[name];
    if (value !== undefined && !isSecureUrl(value)) {
      throw new DiscoveryError(`discovery at ${source}: ${name} is not an https URL`);
    }
  }
  return parsed.data;
}
